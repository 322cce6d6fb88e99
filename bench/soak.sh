#!/bin/sh
# Soak: tdig-capture under a steady load for a long time; does its memory stay flat, does it drop events?
#   bench/soak.sh                       600 s (10 minutes)
#   SOAK_SECONDS=60 bench/soak.sh       a short check
# Settings (environment):
#   SOAK_SECONDS  duration (600)
#   SOAK_RATE     syscall pairs per second of the steady loop (20000: 40k syscalls, 80k events/s)
#   SOAK_REQS     HTTP requests per second against a local server, each from a new node process every
#                 second (20; 0 = none): process, connection and fd churn
#   SOAK_SNAPLEN  snaplen (4096)
#   SOAK_FILTER   a capture-time filter (none), e.g. 'proc.name=tdig-wl-srv': the state engine then runs too
#   SOAK_ROTATE   -C MB with -W 2 (512; 0 = one file): bounds the disk used
#   SOAK_DIR      where the capture goes (a fresh directory under /tmp, removed at the end)
# Every 10 s: the capture process's RSS, the bytes written, its events/s and drops (from -v), the load
# average (a shared machine's load shows in the rates). Then the verdict line:
#   rss flat: first X MiB, last Y MiB, max Z MiB; drops N
# "flat" = the mean RSS of the last quarter of the samples exceeds that of the second quarter (after the
# warm-up) by at most 5 MiB + 3%.
# Needs root, a C compiler and the built addon (npm run build:native). Not a CI test.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${SOAK_SECONDS:-600}
RATE=${SOAK_RATE:-20000}
REQS=${SOAK_REQS:-20}
SNAP=${SOAK_SNAPLEN:-4096}
FILTER=${SOAK_FILTER:-}
ROTATE=${SOAK_ROTATE:-512}
TMP=${SOAK_DIR:-$(mktemp -d /tmp/tdig-soak.XXXXXX)}
mkdir -p "$TMP"
SRV=""; LOOP=""; CPID=""; REQLOOP=""
cleanup() {
  for p in $REQLOOP $LOOP $CPID $SRV; do kill "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
WL="$ROOT/dist/test/fixtures/capture-workload.js"
cc -O2 -o "$TMP/loop" "$ROOT/bench/syscall-loop.c"

node "$WL" server "$TMP/port" & SRV=$!
while [ ! -s "$TMP/port" ]; do sleep 0.1; done
PORT=$(cat "$TMP/port")

if [ "$ROTATE" -gt 0 ]; then set -- -C "$ROTATE" -W 2; files=", files of $ROTATE MB (-C $ROTATE -W 2)"; else set --; files=", one file"; fi
[ -n "$FILTER" ] && set -- "$@" "$FILTER"
node "$ROOT/bin/tdig-capture.js" -s "$SNAP" -w "$TMP/cap.scap" -v "$@" 2>"$TMP/cap.err" & CPID=$!
while ! ls "$TMP"/cap.scap* >/dev/null 2>&1; do
  kill -0 "$CPID" 2>/dev/null || { echo "tdig-capture failed:"; cat "$TMP/cap.err"; exit 1; }
  sleep 0.1
done

"$TMP/loop" 0 "$RATE" & LOOP=$!
if [ "$REQS" -gt 0 ]; then
  ( while :; do node "$WL" loop "$PORT" "$REQS" >/dev/null 2>&1 & sleep 1; wait $! 2>/dev/null || true; done ) & REQLOOP=$!
fi

echo "soak: ${SECS}s, $RATE syscall pairs/s + $REQS requests/s, snaplen $SNAP${FILTER:+, filter '$FILTER'}$files, $(nproc) CPUs"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%6s %9s %9s %11s %10s %14s\n' time rss_MiB disk_MiB events/s drops load1/5/15
start=$(date +%s)
: >"$TMP/rss"
written=0
while :; do
  sleep 10
  now=$(date +%s); t=$((now - start))
  kill -0 "$CPID" 2>/dev/null || { echo "tdig-capture exited early:"; cat "$TMP/cap.err"; exit 1; }
  rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' /proc/$CPID/status)
  echo "$rss" >>"$TMP/rss"
  last=$(grep 'rate' "$TMP/cap.err" | tail -1)
  evs=$(echo "$last" | sed -n 's/.*, \([0-9]*\) events\/s.*/\1/p')
  drops=$(echo "$last" | sed -n 's/.*events\/s, \([0-9]*\) drops.*/\1/p')
  # bytes on disk: with rotation the two newest files
  written=$(awk -v f="$(du -cb "$TMP"/cap.scap* | tail -1 | cut -f1)" 'BEGIN { printf "%.0f", f / 1048576 }')
  printf '%6s %9s %9s %11s %10s %14s\n' "${t}s" "$rss" "${written}" "${evs:-?}" "${drops:-?}" "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
  [ "$t" -ge "$SECS" ] && break
done
kill "$REQLOOP" "$LOOP" 2>/dev/null || true; REQLOOP=""; LOOP=""
kill -INT "$CPID"; wait "$CPID" || true; CPID=""
final=$(grep captured "$TMP/cap.err" | tail -1 | sed 's/^tdig-capture: //')
echo "$final"
drops=$(echo "$final" | sed -n 's/.*events\/s, \([0-9]*\) drops.*/\1/p')
awk -v drops="${drops:-?}" '
  { r[NR] = $1 + 0 }
  END {
    n = NR; max = 0
    for (i = 1; i <= n; i++) if (r[i] > max) max = r[i]
    # mean of the second quarter (warmed up) against the mean of the last quarter
    q = int(n / 4); if (q < 1) q = 1
    a = 0; for (i = q + 1; i <= 2 * q; i++) a += r[i]; a /= q
    b = 0; for (i = n - q + 1; i <= n; i++) b += r[i]; b /= q
    flat = (b - a <= 5 + a * 0.03) ? "rss flat" : "rss NOT flat"
    printf "%s: first %.1f MiB, last %.1f MiB, max %.1f MiB; drops %s\n", flat, r[1], r[n], max, drops
    printf "(mean of the second quarter %.1f MiB, of the last quarter %.1f MiB)\n", a, b
  }' "$TMP/rss"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
