#!/bin/sh
# Network and fd variety: IPv6 TCP (1234 and 50000 bytes up, "got N" back) and UDP (unconnected, then
# connected), an IPv4 client of a v6 wildcard server (v4-mapped), a unix stream server on a path with fd
# passing (SCM_RIGHTS) and sendmsg/recvmsg, an abstract unix datagram socket, a non-blocking connect that
# fails (select, SO_ERROR), sendfile, mmap, readv, dup2 over an open fd, F_DUPFD_CLOEXEC, epoll and poll
# on a pipe, threads renamed with PR_SET_NAME writing files, a failed execve, a child exec'ing sh, a
# signal, rlimits; then sh, perl and dd. Recorded with
#   tdig-capture -z -s 256 -w net_variety.scap -- sh net_variety.sh
mkdir -p /tmp/tf/netvariety && cd /tmp/tf/netvariety
rm -rf work; mkdir work; cd work
cat > w.py <<'PY'
import os, socket, threading, array, select, time, ctypes, mmap, signal, fcntl
libc = ctypes.CDLL(None, use_errno=True)
# IPv6 TCP with known byte counts
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('::1', 19888)); s.listen(8)
def srv():
    for _ in range(2):
        c, _ = s.accept(); n = 0
        while True:
            b = c.recv(4096)
            if not b: break
            n += len(b)
        c.sendall(b'got %d' % n); c.close()
t = threading.Thread(target=srv, name='v6srv'); t.start()
for n in (1234, 50000):
    c = socket.create_connection(('::1', 19888)); c.sendall(b'q' * n); c.shutdown(socket.SHUT_WR); c.recv(100); c.close()
t.join(); s.close()
# IPv6 UDP, connected and not
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(('::1', 19889))
v = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); v.sendto(b'v6 dgram', ('::1', 19889)); u.recvfrom(100)
v.connect(('::1', 19889)); v.send(b'connected v6'); u.recv(100); u.close(); v.close()
# IPv4 mapped in v6
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('::', 19890)); s.listen(1)
c = socket.create_connection(('127.0.0.1', 19890)); a, _ = s.accept(); c.send(b'mapped'); a.recv(10); a.close(); c.close(); s.close()
# unix stream server with a path, and abstract names
p = '/tmp/tf/netvariety/work/srv.sock'
us = socket.socket(socket.AF_UNIX); us.bind(p); us.listen(1)
uc = socket.socket(socket.AF_UNIX); uc.connect(p); ua, _ = us.accept()
uc.sendall(b'unix hello'); ua.recv(100)
# fd passing
r, w = os.pipe()
socket.send_fds(uc, [b'fds'], [r]); msg, fds, _, _ = socket.recv_fds(ua, 100, 4)
for f in fds: os.close(f)
uc.sendmsg([b'part1 ', b'part2']); ua.recvmsg(100)
ua.close(); uc.close(); us.close(); os.unlink(p); os.close(r); os.close(w)
ab = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); ab.bind('\0tdig-abstract')
ac = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); ac.sendto(b'abstract', '\0tdig-abstract'); ab.recv(100); ab.close(); ac.close()
# non-blocking connect, SO_ERROR
nb = socket.socket(); nb.setblocking(False)
try: nb.connect(('127.0.0.1', 9))
except BlockingIOError: pass
select.select([], [nb], [], 1); nb.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR); nb.close()
# sendfile, mmap, readv/writev on files, dup2 over an open fd, F_DUPFD_CLOEXEC
with open('src.bin', 'wb') as f: f.write(bytes(range(256)) * 40)
src = os.open('src.bin', os.O_RDONLY); dst = os.open('dst.bin', os.O_WRONLY | os.O_CREAT, 0o640)
os.sendfile(dst, src, 0, 10240); os.close(dst)
mm = mmap.mmap(src, 4096, prot=mmap.PROT_READ); mm[:10]; mm.close()
a = bytearray(100); b = bytearray(50); os.lseek(src, 0, 0); os.readv(src, [a, b])
x = os.open('/etc/hostname', os.O_RDONLY); os.dup2(x, src); os.read(src, 5)
y = fcntl.fcntl(x, fcntl.F_DUPFD_CLOEXEC, 50); os.read(y, 3); os.close(y); os.close(x); os.close(src)
# poll, epoll with events, eventfd
r, w = os.pipe(); ep = select.epoll(); ep.register(r, select.EPOLLIN); os.write(w, b'e'); ep.poll(1); os.read(r, 1)
po = select.poll(); po.register(r, select.POLLIN); os.write(w, b'p'); po.poll(100); os.read(r, 1)
ep.close(); os.close(r); os.close(w)
# threads with names (PR_SET_NAME) doing file i/o
def named(i):
    libc.prctl(15, b'wk%d' % i, 0, 0, 0)
    with open('thr%d.txt' % i, 'w') as g: g.write('t' * (100 * (i + 1)))
ts = [threading.Thread(target=named, args=(i,)) for i in range(3)]
[t.start() for t in ts]; [t.join() for t in ts]
# exec failures, a child that execs, signals
try: os.execv('/nonexistent/bin', ['x'])
except OSError: pass
pid = os.fork()
if pid == 0:
    os.execv('/bin/sh', ['sh', '-c', 'exit 3'])
os.waitpid(pid, 0)
pid = os.fork()
if pid == 0:
    signal.pause(); os._exit(0)
time.sleep(0.05); os.kill(pid, signal.SIGUSR1); os.waitpid(pid, 0)
# rlimits, umask, sched
import resource
resource.setrlimit(resource.RLIMIT_NOFILE, (1000, resource.getrlimit(resource.RLIMIT_NOFILE)[1])); os.umask(0o022)
PY
/usr/bin/python3 w.py
sh -c 'cd /tmp && ls > /dev/null; cd /nonexistent 2>/dev/null; true'
perl -e 'socket(S, 2, 1, 0); connect(S, pack("Sna4x8", 2, 9, "\x7f\0\0\1")); close(S);' 2>/dev/null
dd if=/dev/zero of=z.bin bs=4096 count=8 status=none; dd if=z.bin of=/dev/null bs=1000 status=none
