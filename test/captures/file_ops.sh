#!/bin/sh
# Files and signals with their parameters: mkdir/mkdirat/rmdir, rename/renameat, symlink/symlinkat,
# link/linkat, chmod/fchmodat/fchmod, lseek, unlink/unlinkat (AT_REMOVEDIR), kill, tgkill. Recorded with
#   tdig-capture -z -w file_ops.scap -- sh file_ops.sh
mkdir -p /tmp/tf/fileops
exec /usr/bin/python3 - <<'PY'
import os, signal
os.chdir('/tmp/tf/fileops')
for n in ('dd', 'dd2'):
    try: os.rmdir(n)
    except OSError: pass
os.mkdir('dd', 0o750)
os.mkdir('dd2')
d = os.open('dd', os.O_RDONLY | os.O_DIRECTORY)
os.mkdir('sub', 0o700, dir_fd=d)
open('dd/a.txt', 'w').write('x')
os.rename('dd/a.txt', 'dd/b.txt')
os.rename('b.txt', 'c.txt', src_dir_fd=d, dst_dir_fd=d)
os.symlink('c.txt', 'dd/ln')
os.symlink('c.txt', 'ln2', dir_fd=d)
os.link('dd/c.txt', 'dd/hard')
os.link('c.txt', 'hard2', src_dir_fd=d, dst_dir_fd=d)
os.chmod('dd/c.txt', 0o640)
os.chmod('c.txt', 0o604, dir_fd=d)
f = os.open('dd/c.txt', os.O_RDONLY); os.fchmod(f, 0o600); os.lseek(f, 1, os.SEEK_SET); os.close(f)
for n in ('ln', 'ln2', 'hard', 'hard2', 'c.txt'): os.unlink(n, dir_fd=d)
os.rmdir('sub', dir_fd=d)
os.close(d)
os.rmdir('dd'); os.rmdir('dd2')
try: os.unlink('/nonexistent/x')
except OSError: pass
os.kill(os.getpid(), 0)
signal.signal(signal.SIGUSR1, lambda *a: None)
os.kill(os.getpid(), signal.SIGUSR1)
signal.pthread_kill(__import__('threading').get_ident(), signal.SIGUSR1)
PY
