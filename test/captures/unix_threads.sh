#!/bin/sh
# unix sockets (named and socketpair), threads, pipes, failures and a shell pipeline
cd /tmp/tf/cap2
/usr/bin/python3 - <<'PY'
import os, socket, threading
path = '/tmp/tf/cap2/srv.sock'
try: os.unlink(path)
except FileNotFoundError: pass
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path); srv.listen(1)
def serve():
    c, _ = srv.accept()
    data = c.recv(100)
    c.sendall(b'ack:' + data)
    c.close()
t = threading.Thread(target=serve); t.start()
cl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
cl.connect(path); cl.sendall(b'hello unix'); cl.recv(100); cl.close()
t.join()
a, b = socket.socketpair()
a.send(b'pair'); b.recv(10)
def worker(i):
    with open('/tmp/tf/cap2/t%d.txt' % i, 'w') as f: f.write('x' * (100 * (i + 1)))
ts = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
for w in ts: w.start()
for w in ts: w.join()
r, w = os.pipe(); os.write(w, b'through a pipe'); os.read(r, 100)
try: open('/nonexistent/dir/file')
except OSError: pass
bad = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try: bad.connect('/tmp/tf/cap2/missing.sock')
except OSError: pass
PY
sh -c 'ls /etc | grep -c conf | wc -l' > /dev/null
