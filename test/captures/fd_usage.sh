#!/bin/sh
# A process's share of its fd limit: proc.fdusage, a double that sysdig prints with C's %.1f. Under a limit
# that is a power of two the share is often an exact tie, which C rounds to even: 64 fds of 1024 are 6.25%,
# printed 6.2; 192 are 18.75%, printed 18.8. python3 runs under ulimit -n 1024 and 4096 and opens /dev/null
# until it holds 330 fds, reading a file at each step; a third lowers its own limit to 256 with setrlimit
# (16 fds of 256: 6.25%).
# Recorded with
#   tdig-capture -s 80 -w fd_usage.scap -- sh fd_usage.sh
for lim in 1024 4096; do
  (ulimit -n $lim && /usr/bin/python3 -c '
import os
fds = []
while len(fds) < 330:
    fds.append(os.open("/dev/null", os.O_RDONLY))
    os.read(fds[-1], 1)
')
done
/usr/bin/python3 -c '
import os, resource
resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
fds = []
while len(fds) < 40:
    fds.append(os.open("/dev/null", os.O_RDONLY))
    os.read(fds[-1], 1)
'
