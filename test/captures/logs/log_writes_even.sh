#!/bin/sh
# log_writes.scap with its events re-timed 250 us apart (event i at first + i * 250000 ns): windows of a
# whole number of milliseconds then end exactly on events, so the parity tests see that both ends of
# sysdig's evt.around window are included. Run from the project root after npx tsc -p tsconfig.json.
node tools/retime-capture.mjs test/captures/logs/log_writes.scap test/captures/logs/log_writes_even.scap 250000
