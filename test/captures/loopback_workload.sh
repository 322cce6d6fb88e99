#!/bin/sh
# files, pipes, failures, several processes, IPv4 TCP and UDP on loopback
cd /tmp/tf/cap
/usr/bin/python3 -m http.server 18080 --bind 127.0.0.1 >/dev/null 2>&1 &
SRV=$!
sleep 0.6
echo "user=alice&password=secret123" > form.txt
cat /etc/hostname /etc/passwd | grep -c root > /dev/null
cat /nonexistent/file 2>/dev/null
ls /etc | head -5 > /dev/null
curl -s -o /dev/null --data @form.txt http://127.0.0.1:18080/login || true
curl -s -o /dev/null http://127.0.0.1:18080/ || true
/usr/bin/python3 -c "
import socket
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'hello udp', ('127.0.0.1', 9999))
r=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(('127.0.0.1', 9998))
s.sendto(b'ping', ('127.0.0.1', 9998)); print(r.recvfrom(100)[0])
try:
  c=socket.create_connection(('127.0.0.1', 9))
except Exception as e: pass
" > /dev/null
sh -c 'echo piped | tr a-z A-Z | wc -c' > /dev/null
kill $SRV
wait $SRV 2>/dev/null
