#!/usr/bin/env bash
# Regenerate the golden outputs of the chisel parity tests (tdig-agg, tdig-echo) from the reference,
# Debian's sysdig 0.29.3, for every case of test/golden/chisels/CASES on every capture.
# usage: tools/mkgolden-chisels.sh     (run from the project root; review with git diff; never edit goldens)
set -euo pipefail
command -v sysdig >/dev/null || { echo "mkgolden-chisels: needs sysdig (apt-get install -y sysdig)" >&2; exit 2; }
out=test/golden/chisels
. "$(dirname "$0")/golden-cases.sh"
n=0
one() { # id capture name flags chisel args filter
  local id=$1 f=$2 c=$3 flags=$4 chisel=$5 args=$6 filter=$7
  mkdir -p "$out/$c"
  local cmd=(sysdig -r "$f")
  [[ -n $flags ]] && cmd+=($flags)
  cmd+=(-c "$chisel")
  [[ -n $args ]] && cmd+=("$args")
  [[ -n $filter ]] && cmd+=("$filter")
  "${cmd[@]}" 2>/dev/null | gzip -9n > "$out/$c/$id.out.gz" || true
  n=$((n + 1))
}
each_case "$out/CASES" one
echo "mkgolden-chisels: wrote $n files in $out"
