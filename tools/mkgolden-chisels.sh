#!/usr/bin/env bash
# Regenerate the golden outputs of the chisel parity tests (tdig-agg, tdig-echo) from the reference,
# Debian's sysdig 0.29.3, for every case of test/golden/chisels/CASES on every capture.
# usage: tools/mkgolden-chisels.sh     (run from the project root; review with git diff; never edit goldens)
set -euo pipefail
command -v sysdig >/dev/null || { echo "mkgolden-chisels: needs sysdig (apt-get install -y sysdig)" >&2; exit 2; }
out=test/golden/chisels
caps=(test/data/curl_google.scap test/data/single_ipv6_conn.scap test/data/test_ipv6_client.scap
      test/data/synth.scap test/data/synth3.scap test/captures/*.scap)
n=0
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }
while IFS='|' read -r id capsel flags chisel args filter; do
  id=$(trim "$id"); [[ -z $id || $id == \#* ]] && continue
  capsel=$(trim "$capsel"); flags=$(trim "$flags"); chisel=$(trim "$chisel"); args=$(trim "$args"); filter=$(trim "$filter")
  for f in "${caps[@]}"; do
    [[ -f $f ]] || continue
    c=$(basename "$f" .scap)
    [[ $capsel == '*' || ",$capsel," == *",$c,"* ]] || continue
    mkdir -p "$out/$c"
    cmd=(sysdig -r "$f")
    [[ -n $flags ]] && cmd+=($flags)
    cmd+=(-c "$chisel")
    [[ -n $args ]] && cmd+=("$args")
    [[ -n $filter ]] && cmd+=("$filter")
    "${cmd[@]}" 2>/dev/null | gzip -9n > "$out/$c/$id.out.gz" || true
    n=$((n + 1))
  done
done < "$out/CASES"
echo "mkgolden-chisels: wrote $n files in $out"
