#!/bin/sh
# writes to log files (.log, _log, a .log.gz that spy_logs skips), syslog messages through a socket named
# .../dev/log (logger at several priorities, a python client, and a write that is not a syslog message),
# a thread that logs while its sibling does other I/O, failed opens; pauses between steps so that windows
# of different dump_range_ms differ. The machine's own /dev/log is left alone.
# Captured with: mkdir -p /tmp/tf/cap3 && cp test/captures/logs/log_writes.sh /tmp/tf/cap3/workload.sh &&
#   node bin/tdig-capture.js -s 1024 -w test/captures/logs/log_writes.scap -- /usr/bin/env -i PATH=/usr/bin:/bin /tmp/tf/cap3/workload.sh
cd /tmp/tf/cap3
rm -rf app.log svc_log old.log.gz dev
mkdir dev
/usr/bin/python3 - <<'PY' &
import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('/tmp/tf/cap3/dev/log')
s.settimeout(3)
try:
    while s.recv(4096) != b'quit': pass
except socket.timeout: pass
os.unlink('/tmp/tf/cap3/dev/log')
PY
LISTENER=$!
sleep 0.3
echo "service starting" >> app.log
sleep 0.2
printf 'WARNING: disk almost full\nall good\n' >> app.log
cat /nonexistent/config 2>/dev/null
sleep 0.2
echo "error: cannot reach backend" >> svc_log
echo "rotated" > old.log.gz
logger -u /tmp/tf/cap3/dev/log -t myapp "hello from logger"
sleep 0.2
logger -u /tmp/tf/cap3/dev/log -p user.warning -t myapp "disk warning"
logger -u /tmp/tf/cap3/dev/log -p local0.err -t myapp "an error happened"
sleep 0.2
/usr/bin/python3 - <<'PY'
import socket, threading, time
def logs():
    with open('/tmp/tf/cap3/app.log', 'a') as f:
        for i in range(3):
            f.write('thread line %d\n' % i); f.flush(); time.sleep(0.05)
def other():
    for i in range(3):
        try: open('/nonexistent/%d' % i)
        except OSError: pass
        time.sleep(0.05)
a = threading.Thread(target=logs); b = threading.Thread(target=other)
a.start(); b.start(); a.join(); b.join()
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.connect('/tmp/tf/cap3/dev/log')
c.send(b'<30>python: daemon info message')
c.send(b'<12>python: user warning message')
c.send(b'quit')
PY
wait $LISTENER
echo "service stopped" >> app.log
