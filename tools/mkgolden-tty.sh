#!/usr/bin/env bash
# Regenerate the golden outputs of the terminal chisel tests (spectrogram, subsecoffset) from the reference,
# Debian's sysdig 0.29.3, run under a pseudo-terminal (util-linux script) of a fixed size, for every case of
# test/golden/tty/CASES on every capture. The goldens are the raw bytes the terminal got (stderr discarded).
# usage: tools/mkgolden-tty.sh     (run from the project root; review with git diff; never edit goldens)
set -euo pipefail
command -v sysdig >/dev/null || { echo "mkgolden-tty: needs sysdig (apt-get install -y sysdig)" >&2; exit 2; }
command -v script >/dev/null || { echo "mkgolden-tty: needs script (util-linux)" >&2; exit 2; }
out=test/golden/tty
. "$(dirname "$0")/golden-cases.sh"
n=0
one() { # id capture name cols chisel args filter
  local id=$1 f=$2 c=$3 cols=$4 chisel=$5 args=$6 filter=$7
  mkdir -p "$out/$c"
  local cmd=(sysdig -r "$f" -c "$chisel")
  [[ -n $args ]] && cmd+=("$args")
  [[ -n $filter ]] && cmd+=("$filter")
  # the terminal's size is what the chisels draw to; stdin from /dev/null keeps script from copying ours
  script -qfec "stty cols $cols rows 40; $(printf '%q ' "${cmd[@]}") 2>/dev/null" /dev/null </dev/null \
    | gzip -9n > "$out/$c/$id.out.gz" || true
  n=$((n + 1))
}
each_case "$out/CASES" one
# tdig-fmt's cases: sysdig -r CAPTURE ARGS... on a terminal 120 wide (its default format is in colour there)
while IFS='|' read -r id cap args; do
  [[ -z $id || $id == \#* ]] && continue
  IFS=$'\t' read -r -a words <<< "$args"
  script -qfec "stty cols 120 rows 40; $(printf '%q ' sysdig -r "test/data/$cap.scap" "${words[@]}") 2>/dev/null" /dev/null </dev/null \
    | gzip -9n > "$out/fmt/$id.out.gz" || true
  n=$((n + 1))
done < "$out/fmt/CASES"
echo "mkgolden-tty: wrote $n files in $out"
