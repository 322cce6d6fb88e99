#!/usr/bin/env bash
# tdig-filter against sysdig 0.29.3: wall-time ratios on a capture of at least 1M events.
#
#   bench/filter.sh            (BIG=path to use another capture; RUNS=n runs each, best kept)
#
# The capture is made under /tmp by repeating the event blocks of test/data/curl_google.scap 1000 times
# after its header blocks (1,536,000 events). Measured, for three filters (cheap, state-heavy, string):
#   tdig-filter F BIG > /dev/null            vs  sysdig -r BIG F -q
#   tdig-filter F BIG | tdig-fmt > /dev/null  vs  sysdig -r BIG F > /dev/null
# ratio = tdig time / sysdig time: below 1 means tdig is faster.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sysdig >/dev/null || { echo "bench/filter.sh: sysdig is not installed" >&2; exit 1; }
[ -f dist/bench/mkbig.js ] || npx tsc -p tsconfig.json
BIG=${BIG:-/tmp/tdig-bench/big.scap}
RUNS=${RUNS:-3}
made=""
if [ ! -s "$BIG" ]; then
  mkdir -p "$(dirname "$BIG")"
  node dist/bench/mkbig.js test/data/curl_google.scap "$BIG" 1000
  made=yes
fi

# best wall time of RUNS runs of a shell command, in seconds
best() {
  local b="" s e t
  for _ in $(seq "$RUNS"); do
    s=$(date +%s.%N); bash -c "$1" >/dev/null 2>&1; e=$(date +%s.%N)
    t=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')
    if [ -z "$b" ] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
  done
  echo "$b"
}

# the default capture holds 1,536,000 events; one given in BIG holds what its maker put in it
count=""
if [ -n "$made" ] || [ "$BIG" = /tmp/tdig-bench/big.scap ]; then count=", 1536000 events"; fi
printf 'capture: %s (%s bytes%s)\n\n' "$BIG" "$(stat -c %s "$BIG")" "$count"
printf '%-44s %10s %10s %8s\n' "filter" "sysdig s" "tdig s" "ratio"
for f in 'evt.type=read' 'fd.sip=127.0.0.1 and proc.name=curl' 'evt.buffer contains password'; do
  s=$(best "sysdig -r '$BIG' -q '$f'")
  t=$(best "bin/tdig-filter.js '$f' '$BIG' > /dev/null")
  printf '%-44s %10s %10s %8s\n' "$f" "$s" "$t" "$(awk -v a="$t" -v b="$s" 'BEGIN { printf "%.2f", a / b }')"
done
echo
printf '%-44s %10s %10s %8s\n' "pipeline: tdig-filter F | tdig-fmt" "sysdig s" "tdig s" "ratio"
for f in 'evt.type=read' 'fd.sip=127.0.0.1 and proc.name=curl' 'evt.buffer contains password'; do
  s=$(best "sysdig -r '$BIG' '$f' > /dev/null")
  t=$(best "bin/tdig-filter.js '$f' '$BIG' | bin/tdig-fmt.js > /dev/null")
  printf '%-44s %10s %10s %8s\n' "$f" "$s" "$t" "$(awk -v a="$t" -v b="$s" 'BEGIN { printf "%.2f", a / b }')"
done
