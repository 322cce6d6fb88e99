#!/usr/bin/env bash
# tdig-agg / tdig-echo against sysdig 0.29.3 chisels, side by side on the same capture of at least 1M events.
# Prints wall-time ratios (tdig / sysdig; below 1 means tdig is faster), best of RUNS runs each (default 3),
# alternating, same machine. The tdig commands run as installed commands do, through their bin/ scripts.
# usage: bench/chisels.sh [REPEATS]     (run from the project root after npm run build; 700 -> ~1.07M events)
#        CAP=FILE bench/chisels.sh      (an existing capture instead, e.g. bench/webserver.sh's)
set -euo pipefail
command -v sysdig >/dev/null || { echo "bench: needs sysdig (apt-get install -y sysdig)" >&2; exit 2; }
reps=${1:-700}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if [ -n "${CAP:-}" ]; then
  ln -s "$(realpath "$CAP")" "$tmp/big.scap"
  echo "capture: $CAP ($(du -hL "$tmp/big.scap" | cut -f1))"
else
  node dist/bench/mkbig.js test/data/curl_google.scap "$tmp/big.scap" "$reps" >/dev/null
  echo "capture: $((reps * 1536)) events ($(du -h "$tmp/big.scap" | cut -f1))"
fi

RUNS=${RUNS:-3}
secs() { /usr/bin/time -f '%e' -o "$tmp/t" "$@" >/dev/null 2>/dev/null || true; cat "$tmp/t"; }
least() { if [ -z "$1" ] || awk -v a="$2" -v b="$1" 'BEGIN { exit !(a < b) }'; then echo "$2"; else echo "$1"; fi; }

row() { # label, command (agg|echo), chisel words...
  local label=$1 cmd=$2; shift 2
  local st="" tt=""
  for _ in $(seq "$RUNS"); do
    st=$(least "$st" "$(secs sysdig -r "$tmp/big.scap" -c "$@")")
    tt=$(least "$tt" "$(secs "bin/tdig-$cmd.js" "$@" "$tmp/big.scap")")
  done
  printf '%-22s sysdig %6.2fs  tdig %6.2fs  ratio %5.2f\n' "$label" "$st" "$tt" "$(echo "$tt / $st" | bc -l)"
}

row topconns            agg  topconns
row topprocs_net        agg  topprocs_net
row topscalls           agg  topscalls
row "fdbytes_by proc.name" agg fdbytes_by proc.name
row "echo_fds >/dev/null" echo echo_fds
