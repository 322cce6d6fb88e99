#!/bin/sh
# path resolution: dot segments and names with dots ("a..", "a.", ".htaccess", "..."), relative paths after
# chdir into such directories, openat with a directory fd, non-printable and non-ASCII bytes
rm -rf /tmp/tf/pq; mkdir -p /tmp/tf/pq/a.. /tmp/tf/pq/b.. /tmp/tf/pq/.h /tmp/tf/pq/d /tmp/tf/pq/e.
for f in a../x .h/z b../y d/k e./m plain; do echo data > "/tmp/tf/pq/$f"; done
cd /tmp/tf/pq
/usr/bin/python3 - <<'PY'
import os
def tryopen(p, **kw):
    try: os.close(os.open(p, os.O_RDONLY, **kw))
    except OSError: pass
for p in ['/tmp/tf/pq/a../x', '/tmp/tf/pq/a..', '/tmp/tf/pq/a.', '/tmp/tf/pq/e./m', '/tmp/tf/pq/a../../plain',
          '/tmp/tf/pq/.h/z', '/tmp/tf/pq/.htaccess', '/tmp/tf/pq/.../m', '/tmp/tf/pq/...', '/tmp/tf/pq/d/..',
          '/tmp/tf/pq/d/.', '/tmp/tf/pq//d/k', '/tmp/tf/pq/d/k/', '/tmp/tf/pq/x..y/z', '/tmp/tf/pq/..h',
          'a../x', 'a..', 'e./m', '.h/z', './.h/./z', '../pq/d/..', 'd/.', 'd/c..', 'd/c../k', '..', '.', 'plain',
          b'caf\xc3\xa9', b't\x01ab', b'/tmp/tf/pq/\x7fdel']:
    tryopen(p)
os.chdir('b..')
for p in ['y', '../plain', 'z..', './y', '.y', '..y']:
    tryopen(p)
os.chdir('/tmp/tf/pq/e.')
tryopen('m')
dfd = os.open('/tmp/tf/pq/a..', os.O_RDONLY | os.O_DIRECTORY)
for p in ['x', '../plain', 'x..', '.x', 'q./r']:
    tryopen(p, dir_fd=dfd)
os.close(dfd)
os.chdir('/tmp/tf/pq/a../..')
tryopen('plain')
PY
