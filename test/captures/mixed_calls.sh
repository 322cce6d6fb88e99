#!/bin/sh
# IPv6 loopback TCP (an HTTP server and curl) and UDP (bound, unconnected and connected), IPv4 TCP with
# sendmsg/recvmsg and a shutdown, dup/dup2/fcntl F_DUPFD_CLOEXEC, pipes, sendfile, epoll, eventfd, a
# signal, file operations, failing opens, threads, a failing execve in a fork, su, a shell pipeline.
# Recorded with
#   tdig-capture -z -w mixed_calls.scap -- sh mixed_calls.sh
cd /tmp/tf/mixed
rm -rf work; mkdir work; cd work
/usr/bin/python3 -m http.server 18086 --bind ::1 >/dev/null 2>&1 &
SRV=$!
sleep 0.7
curl -s -o /dev/null -g 'http://[::1]:18086/' || true
curl -s -o /dev/null -d 'user=bob&password=hunter2' -g 'http://[::1]:18086/login' || true
/usr/bin/python3 - <<'PY'
import os, socket, select, signal, struct, array, threading, time
# IPv6 UDP
a = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); a.bind(('::1', 19997))
b = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
b.sendto(b'udp6 hello', ('::1', 19997)); a.recvfrom(100)
b.connect(('::1', 19997)); b.send(b'udp6 connected'); a.recv(100)
# IPv4 TCP with sendmsg/recvmsg and a shutdown
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 19996)); srv.listen(4)
c = socket.create_connection(('127.0.0.1', 19996)); s, _ = srv.accept()
c.sendmsg([b'part1 ', b'part2 password=abc'])
s.recvmsg(100)
s.sendall(b'x' * 5000); got = 0
while got < 5000: got += len(c.recv(10000))
c.shutdown(socket.SHUT_WR); s.recv(10); s.close(); c.close()
# dup, dup2, fcntl dup, pipes, splice
fd = os.open('/etc/hostname', os.O_RDONLY)
fd2 = os.dup(fd); os.dup2(fd, 50)
import fcntl
fd3 = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 60)
os.read(50, 10); os.read(fd3, 10); os.close(fd); os.close(fd2); os.close(50); os.close(fd3)
r, w = os.pipe(); os.write(w, b'through the pipe'); os.read(r, 100)
# sendfile
src = os.open('/etc/passwd', os.O_RDONLY); dst = os.open('copy.txt', os.O_WRONLY | os.O_CREAT, 0o600)
os.sendfile(dst, src, 0, 200); os.close(src); os.close(dst)
# eventfd / epoll / timerfd via select.epoll
ep = select.epoll(); ep.register(r, select.EPOLLIN); os.write(w, b'e'); ep.poll(0.1); ep.close()
if hasattr(os, 'eventfd'):
    e = os.eventfd(0); os.eventfd_write(e, 3); os.eventfd_read(e); os.close(e)
# signals
signal.signal(signal.SIGUSR1, lambda *a: None); os.kill(os.getpid(), signal.SIGUSR1)
# file ops
os.mkdir('d1'); open('d1/f', 'w').write('data' * 300); os.rename('d1/f', 'd1/g'); os.symlink('d1/g', 'ln')
os.readlink('ln'); os.stat('ln'); os.unlink('ln'); os.unlink('d1/g'); os.rmdir('d1')
os.chdir('/tmp'); os.chdir('/tmp/tf/mixed/work')
for p in ('/no/such', '/etc/shadow-nope', '/root/.nothing'):
    try: os.open(p, os.O_RDONLY)
    except OSError: pass
# threads that do IO
def t(i):
    with open('th%d' % i, 'wb') as f: f.write(os.urandom(1000 * (i + 1)))
    with open('th%d' % i, 'rb') as f: f.read()
ts = [threading.Thread(target=t, args=(i,)) for i in range(4)]
[x.start() for x in ts]; [x.join() for x in ts]
# fork + exec failure + wait
pid = os.fork()
if pid == 0:
    try: os.execv('/no/such/binary', ['x'])
    except OSError: os._exit(3)
os.waitpid(pid, 0)
PY
su nobody -s /bin/sh -c 'id > /dev/null; cat /etc/hostname > /dev/null' 2>/dev/null || true
sh -c 'seq 1 20000 | gzip -c | gzip -dc | wc -l' > /dev/null
for i in 1 2 3; do /bin/true; done
(sleep 0.1; echo sub) | cat > /dev/null
ls -la /proc/self/fd > /dev/null
kill $SRV
wait $SRV 2>/dev/null
