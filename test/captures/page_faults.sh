#!/bin/sh
# Page faults: the first touch of each page of an anonymous mapping (user write faults), a forked child
# writing to the pages it shares with its parent (copy-on-write: protection violations), a file mapping
# read through (read faults), and the faults of starting the programs themselves. Recorded with
#   tdig-capture --page-faults -z -w page_faults.scap -- sh page_faults.sh
exec /usr/bin/python3 - <<'PY'
import mmap, os
m = mmap.mmap(-1, 8 * 4096)
for i in range(8): m[i * 4096] = 1
pid = os.fork()
if pid == 0:
    for i in range(8): m[i * 4096] = 2
    os._exit(0)
os.waitpid(pid, 0)
with open('/etc/services', 'rb') as f:
    fm = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    total = sum(fm[i] for i in range(0, len(fm), 4096))
PY
