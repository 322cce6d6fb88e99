#!/usr/bin/env bash
# tdig-fmt against sysdig 0.29.3, side by side on the same capture of at least 1M events.
# Prints wall-time ratios (tdig / sysdig; below 1 means tdig is faster) and peak RSS.
# usage: bench/fmt.sh [REPEATS]     (run from the project root after npm run build)
set -euo pipefail
command -v sysdig >/dev/null || { echo "bench: needs sysdig (apt-get install -y sysdig)" >&2; exit 2; }
reps=${1:-1000}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
src=test/data/curl_google.scap
node dist/bench/mkbig.js "$src" "$tmp/big.scap" "$reps"
gzip -1 -c "$tmp/big.scap" > "$tmp/big.scap.gz"
node dist/bench/mkbig.js "$src" "$tmp/triple.scap" $((reps * 3)) >/dev/null
fields='%evt.num %proc.name %evt.type %fd.name %evt.res'

# wall seconds and peak RSS (KiB) of one command, output to /dev/null
measure() { /usr/bin/time -f '%e %M' -o "$tmp/t" "$@" >/dev/null 2>/dev/null || true; cat "$tmp/t"; }

row() { # label, sysdig args..., --, tdig args...
  local label=$1; shift
  local sargs=() targs=()
  while [[ $1 != -- ]]; do sargs+=("$1"); shift; done; shift
  targs=("$@")
  read -r st sm < <(measure sysdig "${sargs[@]}")
  read -r tt tm < <(measure bin/tdig-fmt.js "${targs[@]}")
  printf '%-22s sysdig %6.2fs  tdig %6.2fs  ratio %5.2f   peak RSS sysdig %6d KiB  tdig %6d KiB\n' \
    "$label" "$st" "$tt" "$(echo "$tt / $st" | bc -l)" "$sm" "$tm"
}

events=$(node -e "process.stdout.write(String(${reps} * 1536))")
echo "capture: $events events ($(du -h "$tmp/big.scap" | cut -f1) plain, $(du -h "$tmp/big.scap.gz" | cut -f1) gzip)"
row "default text"          -r "$tmp/big.scap"            -- "$tmp/big.scap"
row "-j"                    -r "$tmp/big.scap" -j         -- -j "$tmp/big.scap"
row "-p (5 fields)"         -r "$tmp/big.scap" -p "$fields" -- -p "$fields" "$tmp/big.scap"
row "gzip, default text"    -r "$tmp/big.scap.gz"         -- "$tmp/big.scap.gz"
echo "memory: peak RSS of tdig-fmt on the capture and on one 3x its size (flat = independent of size)"
read -r _ m1 < <(measure bin/tdig-fmt.js "$tmp/big.scap")
read -r _ m2 < <(measure bin/tdig-fmt.js "$tmp/triple.scap")
printf '  %d KiB vs %d KiB\n' "$m1" "$m2"
echo "startup: $src (1536 events), 10 runs each"
t0=$(date +%s%N); for _ in $(seq 10); do sysdig -r "$src" >/dev/null; done; t1=$(date +%s%N)
for _ in $(seq 10); do bin/tdig-fmt.js "$src" >/dev/null; done; t2=$(date +%s%N)
printf '  sysdig %.1f ms, tdig-fmt %.1f ms, ratio %.2f\n' \
  "$(echo "($t1 - $t0) / 10000000" | bc -l)" "$(echo "($t2 - $t1) / 10000000" | bc -l)" "$(echo "($t2 - $t1) / ($t1 - $t0)" | bc -l)"
