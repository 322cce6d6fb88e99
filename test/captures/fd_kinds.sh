#!/bin/sh
# The fd kinds whose events evt.category names differently (timerfd and epoll are not IPC; inotify,
# signalfd, eventfd, pipes and unix sockets are), memfd; opens that create with and without execute
# bits (evt.is_open_exec: openat and creat); reads, then a program traced by strace (ptrace's exit carries
# a data param that is no buffer: evt.buffer prints it cut to the last buffer's length). Recorded with
#   tdig-capture -z -w fd_kinds.scap -- sh fd_kinds.sh
cd /tmp/tf/fdkinds
rm -rf work; mkdir work; cd work
/usr/bin/python3 - <<'PY'
import ctypes, os, select, signal, socket
libc = ctypes.CDLL(None, use_errno=True)
t = libc.timerfd_create(1, 0); os.close(t)
e = select.epoll(); e.close()
i = libc.inotify_init1(0); os.close(i)
mask = (ctypes.c_ulong * 16)(); mask[0] = 1 << (signal.SIGUSR1 - 1)
s = libc.signalfd(-1, ctypes.byref(mask), 0); os.close(s)
ev = os.eventfd(0); os.eventfd_write(ev, 3); os.eventfd_read(ev); os.close(ev)
m = os.memfd_create('scratch'); os.write(m, b'memfd bytes'); os.close(m)
r, w = os.pipe(); os.write(w, b'pipe'); os.read(r, 10); os.close(r); os.close(w)
a, b = socket.socketpair(); a.send(b'pair'); b.recv(10); a.close(); b.close()
for name, mode in (('plain', 0o644), ('script', 0o755), ('group_x', 0o610), ('other_x', 0o601)):
    os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode))
os.close(os.open('script', os.O_RDONLY))
os.close(os.open('tmpdir_file', os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o700))
creat = libc.creat
creat.argtypes = [ctypes.c_char_p, ctypes.c_uint]
os.close(creat(b'created_x', 0o700)); os.close(creat(b'created', 0o600))
PY
head -c 300 /etc/services > /dev/null
strace -o /dev/null -e trace=write head -c 20 /etc/services > /dev/null
