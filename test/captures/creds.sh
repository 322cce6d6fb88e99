#!/bin/sh
# Credentials, sessions and more calls on an fd: su to nobody (setgid, setuid, setsid), setresuid and
# setresgid that change only the effective ids, chroot, flock, fstat, ioctl, getdents64, sendfile, a setgid
# from a second thread. Recorded with
#   tdig-capture -z -w creds.scap -- sh creds.sh
mkdir -p /tmp/tf/creds
su nobody -s /bin/sh -c 'cat /etc/hostname' > /dev/null 2>&1
exec /usr/bin/python3 - <<'PY'
import os, fcntl, threading
os.setsid()
fd = os.open('/etc/hostname', os.O_RDONLY)
os.fstat(fd); fcntl.flock(fd, fcntl.LOCK_SH); fcntl.flock(fd, fcntl.LOCK_UN)
try: fcntl.ioctl(fd, 0x5401)
except OSError: pass
d = os.open('/etc', os.O_RDONLY | os.O_DIRECTORY); os.listdir(d); os.close(d)
out = os.open('/tmp/tf/creds/sf.out', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.sendfile(out, fd, 0, 5); os.close(out)
pid = os.fork()
if pid == 0:
    os.chroot('/tmp'); os.chdir('/')
    os.setresgid(-1, 65534, -1)
    os.setresuid(-1, 65534, -1)
    try: open('/tf/creds/sf.out').read()
    except OSError: pass
    os._exit(0)
os.waitpid(pid, 0)
def t(): os.setgid(0)
th = threading.Thread(target=t); th.start(); th.join()
PY
