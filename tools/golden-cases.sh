# Sourced by tools/mkgolden-chisels.sh and tools/mkgolden-tty.sh: the captures their goldens cover and the
# walk over a CASES file (id | captures | third column | chisel | args | filter; '#' starts a comment).
GOLDEN_CAPS=(test/data/curl_google.scap test/data/single_ipv6_conn.scap test/data/test_ipv6_client.scap
             test/data/synth.scap test/data/synth3.scap test/captures/*.scap)

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }

# each_case CASES FN: for every case and every capture it selects, FN ID CAPTURE NAME THIRD CHISEL ARGS FILTER
each_case() {
  local cases=$1 fn=$2 id capsel third chisel args filter f c
  while IFS='|' read -r id capsel third chisel args filter; do
    id=$(trim "$id"); [[ -z $id || $id == \#* ]] && continue
    capsel=$(trim "$capsel"); third=$(trim "$third"); chisel=$(trim "$chisel"); args=$(trim "$args"); filter=$(trim "$filter")
    for f in "${GOLDEN_CAPS[@]}"; do
      [[ -f $f ]] || continue
      c=$(basename "$f" .scap)
      [[ $capsel == '*' || ",$capsel," == *",$c,"* ]] || continue
      "$fn" "$id" "$f" "$c" "$third" "$chisel" "$args" "$filter"
    done
  done < "$cases"
}
