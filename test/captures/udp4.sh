#!/bin/sh
# IPv4 UDP: a bound server socket (nc -u -l, then Python's recvfrom/sendto) that receives datagrams, a
# connected client (nc -u), an unconnected client (sendto), and a TCP echo in perl for comparison. The bound
# socket that receives becomes a connected one in sysdig's fd table without its addresses moved (see
# tdig(7), State). Recorded with
#   tdig-capture -s 256 -w udp4.scap -- sh udp4.sh
mkdir -p /tmp/tf/udp4 && cd /tmp/tf/udp4
nc -u -l 127.0.0.1 18903 > nc.out & NP=$!
sleep 0.3
echo "udp datagram one" | nc -u -w1 127.0.0.1 18903
kill $NP 2>/dev/null
/usr/bin/python3 - <<'PY'
import socket, threading
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(('127.0.0.1', 18904))
def serve():
    for _ in range(3):
        data, peer = srv.recvfrom(2048)
        srv.sendto(b'ack:' + data, peer)
t = threading.Thread(target=serve); t.start()
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3):
    c.sendto(b'ping %d' % i, ('127.0.0.1', 18904))
    c.recvfrom(2048)
t.join()
PY
perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(LocalAddr=>"127.0.0.1", LocalPort=>18905, Listen=>5, ReuseAddr=>1) or die;
  if (fork() == 0) { my $c = IO::Socket::INET->new("127.0.0.1:18905") or die; print $c "user=alice&password=s3cret\n"; my $r = <$c>; exit 0; }
  my $c = $s->accept; my $l = <$c>; print $c "echo:$l"; close $c; wait;'
