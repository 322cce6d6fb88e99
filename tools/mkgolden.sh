#!/usr/bin/env bash
# Regenerate the golden outputs of tdig-fmt's parity tests from the reference, Debian's sysdig 0.29.3.
# usage: tools/mkgolden.sh            (run from the project root; review the result with git diff)
# Golden files are never edited by hand.
set -euo pipefail
command -v sysdig >/dev/null || { echo "mkgolden: needs sysdig (apt-get install -y sysdig)" >&2; exit 2; }
out=test/golden/fmt
mkdir -p "$out"
fields=$(cat test/golden/fmt/FIELDS)
stateful=$(cat test/golden/fmt/STATEFUL)
spans=$(cat test/golden/fmt/SPANS)
ports=$(cat test/golden/fmt/PORTS)
anames=$(cat test/golden/fmt/ANAMES)
times=$(cat test/golden/fmt/TIMES)
caps=(../shared/fixtures/curl_google.scap ../shared/fixtures/single_ipv6_conn.scap ../shared/fixtures/test_ipv6_client.scap
      ../shared/reference/vectors/synth.scap ../shared/reference/vectors/synth3.scap test/captures/*.scap
      test/captures/logs/log_writes.scap)
for f in "${caps[@]}"; do
  [[ -f $f ]] || continue
  n=$(basename "$f" .scap)
  sysdig -r "$f" | gzip -9n > "$out/$n.text.gz"
  sysdig -r "$f" -j | gzip -9n > "$out/$n.json.gz"
  sysdig -r "$f" -p "$fields" | gzip -9n > "$out/$n.fields.gz"
  sysdig -r "$f" -A | gzip -9n > "$out/$n.ascii.gz"
  sysdig -r "$f" -x | gzip -9n > "$out/$n.hex.gz"
  sysdig -r "$f" -X | gzip -9n > "$out/$n.hexascii.gz"
  sysdig -r "$f" -b | gzip -9n > "$out/$n.base64.gz"
  for t in a r d D; do sysdig -r "$f" -t $t | gzip -9n > "$out/$n.t$t.gz"; done
  sysdig -r "$f" -S -q | gzip -9n > "$out/$n.summary.gz"
  sysdig -r "$f" -pc | gzip -9n > "$out/$n.pc.gz"
  sysdig -r "$f" -pk | gzip -9n > "$out/$n.pk.gz"
  # -R: port numbers as names from /etc/services (Debian's netbase), in the text and in the fields it changes
  sysdig -R -r "$f" | gzip -9n > "$out/$n.resolved.gz"
  # -M: the first seconds of capture time
  sysdig -r "$f" -M 1 | gzip -9n > "$out/$n.m1.gz"
  sysdig -r "$f" -M 2 -j | gzip -9n > "$out/$n.m2json.gz"
  # (the procinfo events at the start of older captures span seconds: -M 1 and 2 stop before any event
  # that prints; -M 9 stops within the events of single_ipv6_conn)
  for k in m1 m2json; do [[ -n $(zcat "$out/$n.$k.gz" | head -c 1) ]] || rm "$out/$n.$k.gz"; done
  if [[ -n $(sysdig -r "$f" -M 9 | head -c 1) ]]; then sysdig -r "$f" -M 9 | gzip -9n > "$out/$n.m9.gz"; fi
  sysdig -R -r "$f" -j -p "$ports" | gzip -9n > "$out/$n.resolvedjson.gz"
  # -U: the events of sh (and of what sh starts); of curl and python3, as JSON
  sysdig -r "$f" -U sh | gzip -9n > "$out/$n.ush.gz"
  sysdig -r "$f" -U curl -U python3 -j | gzip -9n > "$out/$n.ucurljson.gz"
  for k in ush ucurljson; do [[ -n $(zcat "$out/$n.$k.gz" | head -c 1) ]] || rm "$out/$n.$k.gz"; done
  # -D: internal events (procinfo...) printed, counted by -n and -S, let through a filter (sysdig's debug log
  # goes to stderr); a capture without internal events prints what it prints without -D: no golden for it
  sysdig -r "$f" -D 2>/dev/null | gzip -9n > "$out/$n.debug.gz"
  sysdig -r "$f" -D -j -n 400 2>/dev/null | gzip -9n > "$out/$n.debugjson.gz"
  sysdig -r "$f" -D -S evt.type=close 2>/dev/null | gzip -9n > "$out/$n.debugfilter.gz"
  if cmp -s <(zcat "$out/$n.debug.gz") <(zcat "$out/$n.text.gz"); then rm "$out/$n.debug.gz" "$out/$n.debugjson.gz" "$out/$n.debugfilter.gz"; fi
  sysdig -r "$f" -S -d evt.type = openat or proc.name=bash or evt.type=execve | gzip -9n > "$out/$n.display.gz"
  sysdig -r "$f" -p "$stateful" | gzip -9n > "$out/$n.stateful.gz"
  # proc.aname and proc.apid without [N] before the end of a format: the name stays as text, the JSON key is ""
  sysdig -r "$f" -p "$anames" | gzip -9n > "$out/$n.anames.gz"
  sysdig -r "$f" -j -p "$anames" | gzip -9n > "$out/$n.anamesjson.gz"
  # the time fields in JSON: the raw timestamp for every text form of it
  sysdig -r "$f" -j -p "$times" | gzip -9n > "$out/$n.timesjson.gz"
  sysdig -r "$f" -j -p "$stateful" | gzip -9n > "$out/$n.statefuljson.gz"
  # (a capture without the *at events evt.abspath reads prints no line: no golden for it)
  for k in stateful statefuljson; do [[ -n $(zcat "$out/$n.$k.gz" | head -c 1) ]] || rm "$out/$n.$k.gz"; done
  # the span and evtin fields, for a capture with tracers
  if [[ -n $(sysdig -r "$f" evt.type=tracer | head -c 1) ]]; then
    sysdig -r "$f" -p "$spans" | gzip -9n > "$out/$n.spans.gz"
    sysdig -r "$f" -j -p "$spans" | gzip -9n > "$out/$n.spansjson.gz"
  fi
done
# the event list (-L)
sysdig -L > "$out/events-L.txt"
echo "mkgolden: wrote $(ls "$out" | wc -l) files in $out"
