#!/usr/bin/env bash
# tdig-agg / tdig-echo against sysdig 0.29.3 chisels, side by side on the same capture of at least 1M events.
# Prints wall-time ratios (tdig / sysdig; below 1 means tdig is faster), one run each, same machine.
# usage: bench/chisels.sh [REPEATS]     (run from the project root after npm run build; 700 -> ~1.07M events)
set -euo pipefail
command -v sysdig >/dev/null || { echo "bench: needs sysdig (apt-get install -y sysdig)" >&2; exit 2; }
reps=${1:-700}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
node dist/bench/mkbig.js test/data/curl_google.scap "$tmp/big.scap" "$reps" >/dev/null
echo "capture: $((reps * 1536)) events ($(du -h "$tmp/big.scap" | cut -f1))"

secs() { /usr/bin/time -f '%e' -o "$tmp/t" "$@" >/dev/null 2>/dev/null || true; cat "$tmp/t"; }

row() { # label, command (agg|echo), chisel words...
  local label=$1 cmd=$2; shift 2
  local st tt
  st=$(secs sysdig -r "$tmp/big.scap" -c "$@")
  tt=$(secs node "bin/tdig-$cmd.js" "$@" "$tmp/big.scap")
  printf '%-22s sysdig %6.2fs  tdig %6.2fs  ratio %5.2f\n' "$label" "$st" "$tt" "$(echo "$tt / $st" | bc -l)"
}

row topconns            agg  topconns
row topprocs_net        agg  topprocs_net
row topscalls           agg  topscalls
row "fdbytes_by proc.name" agg fdbytes_by proc.name
row "echo_fds >/dev/null" echo echo_fds
