#!/bin/bash
# sysdig's tracers: spans written as text to /dev/null, which sysdig shows as "tracer" events. Simple and
# JSON syntax, every id form (t, p, pp, g, empty, numbers), escapes, nested spans with work inside them in
# this process, a child and another thread, a tracer cut by the snaplen and finished by the next write,
# invalid text and a cut tracer on a tracer fd, a dup of one, and /dev/null fds that never become tracer fds.
# Recorded with
#   tdig-capture -z -w tracers.scap -- bash tracers.sh
exec 3>/dev/null
echo ">:t:req::" >&3
echo ">:t:req.db:q=select,n=2:" >&3
cat /etc/hostname > /dev/null
echo "<:t:req.db::" >&3
echo ">:p:req.cache:k=v\\:1:" >&3
/bin/true
echo "<:p:req.cache:hit=1:" >&3
echo ">:pp:up::" >&3
echo "<:pp:up::" >&3
echo ">:g:glob::" >&3
echo "<:g:glob::" >&3
echo ">:::" >&3
echo "<:::" >&3
echo ">:-12:neg.a\\.b:x=y:" >&3
echo "<:-12:neg.a\\.b::" >&3
echo '[">", 77, ["js", "call"], [{"a":"1"}, {"b":"2"}]]' >&3
echo '["<", 77, ["js", "call"], []]' >&3
echo '[">", "t", ["js2"], []]' >&3
echo '["<", "t", ["js2"], []]' >&3
echo ">:t:long:aaaaaaaaaaaaaaaaaaaa=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" >&3
echo "c:" >&3
echo "<:t:long::" >&3
echo "this is not a tracer" >&3
echo "<:t:req::" >&3
exec 4>&3
echo ">:t:dup::" >&4
echo "<:t:dup::" >&4
exec 5>/dev/null
echo "hello" >&5
echo ">:t:late::" >&5
echo "<:t:late::" >&5
echo "<:t:nomatch::" > /dev/null
echo ">" > /dev/null
exec /usr/bin/python3 - <<'PY'
import os, threading
fd = os.open('/dev/null', os.O_WRONLY)
os.write(fd, b'>:t:py.main::')
def work():
    w = os.open('/dev/null', os.O_WRONLY)
    os.write(w, b'>:t:py.thread:i=1:')
    os.stat('/etc/hostname')
    os.write(w, b'<:t:py.thread::')
th = threading.Thread(target=work); th.start(); th.join()
os.stat('/etc/passwd')
os.write(fd, b'not a tracer')
os.write(fd, b'>:t:py.cut:' + b'k=' + b'v' * 100 + b':')
os.write(fd, b'>:99:py.frag:a=')
os.write(fd, b'1:')
os.write(fd, b'<:99:py.frag::')
os.write(fd, b'<:t:py.main::')
PY
