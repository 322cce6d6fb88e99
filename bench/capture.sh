#!/bin/sh
# Overhead of tdig-capture against an untraced run and strace, measured in one run.
#   bench/capture.sh [LOOP_N] [REQUESTS]
# 1. a syscall loop: LOOP_N x (64-byte write to /dev/null + getppid), default 2,000,000 (4M syscalls)
# 2. a request loop: REQUESTS HTTP requests against a local server (test/fixtures/capture-workload.ts)
# Each runs untraced, under `tdig-capture -s 4096 -w FILE`, and under `strace -f -o FILE` (for the syscall
# loop strace runs a 1/100 slice against its own untraced baseline: at full size it would take minutes).
# Prints the ratio of each traced run to its untraced run, and the capture's event rate and drops.
# Needs root, a C compiler, the built addon (npm run build:native) and strace (apt-get install strace).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-2000000}
REQ=${2:-2000}
TMP=$(mktemp -d /tmp/tdig-bench.XXXXXX)
trap 'kill $SRV 2>/dev/null || true; rm -rf "$TMP"' EXIT
CAP="node $ROOT/bin/tdig-capture.js"
WL="$ROOT/dist/test/fixtures/capture-workload.js"
cc -O2 -o "$TMP/loop" "$ROOT/bench/syscall-loop.c"

now() { date +%s.%N; }
# time_cmd CMD...: prints elapsed seconds
time_cmd() { t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); awk "BEGIN { printf \"%.3f\", $t1 - $t0 }"; }
ratio() { awk "BEGIN { printf \"%.2f\", $1 / $2 }"; }

# wait_capture: until the capture started as $cpid has written its header; exits if it died instead
wait_capture() {
  while [ ! -s "$TMP/cap.scap" ]; do
    if ! kill -0 "$cpid" 2>/dev/null; then echo "tdig-capture failed:" >&2; cat "$TMP/cap.err" >&2; exit 1; fi
    sleep 0.1
  done
}

# under_capture CMD...: runs CMD while tdig-capture writes a file; prints "seconds|stats line"
under_capture() {
  rm -f "$TMP/cap.scap"
  $CAP -s 4096 -w "$TMP/cap.scap" --stats 2>"$TMP/cap.err" &
  cpid=$!
  wait_capture
  sleep 0.5
  t=$(time_cmd "$@")
  kill -INT $cpid; wait $cpid || true
  echo "$t|$(grep captured "$TMP/cap.err" | sed 's/^tdig-capture: //')|$(stat -c %s "$TMP/cap.scap")"
}

node "$WL" server "$TMP/port" & SRV=$!
while [ ! -s "$TMP/port" ]; do sleep 0.1; done
PORT=$(cat "$TMP/port")

echo "== syscall loop: $N x (write 64 B + getppid)"
base=$(time_cmd "$TMP/loop" "$N")
r=$(under_capture "$TMP/loop" "$N"); tcap=${r%%|*}
small=$((N / 100))
base_s=$(time_cmd "$TMP/loop" "$small")
tstr=$(time_cmd strace -f -o "$TMP/strace.out" "$TMP/loop" "$small")
printf '  untraced      %6.2fs\n' "$base"
printf '  tdig-capture  %6.2fs  ratio %sx   (%s)\n' "$tcap" "$(ratio "$tcap" "$base")" "$(echo "$r" | cut -d'|' -f2)"
printf '  strace -f     %6.2fs  ratio %sx   (on %s iterations, untraced %.3fs)\n' "$tstr" "$(ratio "$tstr" "$base_s")" "$small" "$base_s"

echo "== request loop: $REQ requests to 127.0.0.1:$PORT"
base=$(time_cmd node "$WL" loop "$PORT" "$REQ")
r=$(under_capture node "$WL" loop "$PORT" "$REQ"); tcap=${r%%|*}
tstr=$(time_cmd strace -f -o "$TMP/strace.out" node "$WL" loop "$PORT" "$REQ")
printf '  untraced      %6.2fs\n' "$base"
printf '  tdig-capture  %6.2fs  ratio %sx   (%s)\n' "$tcap" "$(ratio "$tcap" "$base")" "$(echo "$r" | cut -d'|' -f2)"
printf '  strace -f     %6.2fs  ratio %sx\n' "$tstr" "$(ratio "$tstr" "$base")"

echo "== drop onset: parallel syscall loops with a 1 MiB ring per CPU"
for par in 1 2 4; do
  rm -f "$TMP/cap.scap"
  $CAP -s 4096 --ring-mb 1 -w "$TMP/cap.scap" --stats 2>"$TMP/cap.err" &
  cpid=$!
  wait_capture
  sleep 0.3
  i=0; pids=""
  while [ $i -lt $par ]; do "$TMP/loop" $((N / 2)) & pids="$pids $!"; i=$((i + 1)); done
  wait $pids
  kill -INT $cpid; wait $cpid || true
  printf '  %d loop(s): %s\n' "$par" "$(grep captured "$TMP/cap.err" | sed 's/^tdig-capture: //')"
done
