#!/usr/bin/env bash
# Regenerate the golden outputs of the terminal chisel tests (spectrogram, subsecoffset) from the reference,
# Debian's sysdig 0.29.3, run under a pseudo-terminal (util-linux script) of a fixed size, for every case of
# test/golden/tty/CASES on every capture. The goldens are the raw bytes the terminal got (stderr discarded).
# usage: tools/mkgolden-tty.sh     (run from the project root; review with git diff; never edit goldens)
set -euo pipefail
command -v sysdig >/dev/null || { echo "mkgolden-tty: needs sysdig (apt-get install -y sysdig)" >&2; exit 2; }
command -v script >/dev/null || { echo "mkgolden-tty: needs script (util-linux)" >&2; exit 2; }
out=test/golden/tty
caps=(test/data/curl_google.scap test/data/single_ipv6_conn.scap test/data/test_ipv6_client.scap
      test/data/synth.scap test/data/synth3.scap test/captures/*.scap)
n=0
trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }
while IFS='|' read -r id capsel cols chisel args filter; do
  id=$(trim "$id"); [[ -z $id || $id == \#* ]] && continue
  capsel=$(trim "$capsel"); cols=$(trim "$cols"); chisel=$(trim "$chisel"); args=$(trim "$args"); filter=$(trim "$filter")
  for f in "${caps[@]}"; do
    [[ -f $f ]] || continue
    c=$(basename "$f" .scap)
    [[ $capsel == '*' || ",$capsel," == *",$c,"* ]] || continue
    mkdir -p "$out/$c"
    cmd=(sysdig -r "$f" -c "$chisel")
    [[ -n $args ]] && cmd+=("$args")
    [[ -n $filter ]] && cmd+=("$filter")
    # the terminal's size is what the chisels draw to; stdin from /dev/null keeps script from copying ours
    script -qfec "stty cols $cols rows 40; $(printf '%q ' "${cmd[@]}") 2>/dev/null" /dev/null </dev/null \
      | gzip -9n > "$out/$c/$id.out.gz" || true
    n=$((n + 1))
  done
done < "$out/CASES"
echo "mkgolden-tty: wrote $n files in $out"
