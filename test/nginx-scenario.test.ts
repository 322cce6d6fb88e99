// A static web server audited end to end: nginx (Debian's nginx-light) on 127.0.0.1 and ::1, two workers
// run as www-data, files sent with sendfile, a directory behind HTTP basic authentication. A Python client
// fetches files over IPv4 and IPv6 and counts every byte it sends and receives on each connection; curl logs
// in with the right password and with a wrong one. tdig-capture records nginx and its clients. Then:
//  - every connection's bytes add up exactly: what topconns counts (the request and the headers; sysdig's
//    I/O fields leave sendfile out, tdig-agg(1)) plus what sendfile sent (tdig-agg by) is what the client
//    counted, and a file's connection carries the file's size through sendfile;
//  - the IPv6 connection is named ::1:PORT->::1:PORT;
//  - echo_fds on the server's reads shows each Authorization header, whose base64 is "alice:PASSWORD";
//  - spy_logs shows nginx's error log line for the wrong password and the 401 in its access log;
//  - httplog lists each request with its status;
// and tdig-fmt and these chisels print what sysdig 0.29.3 prints on the same capture (when it is installed).
// nginx runs from a private configuration in a temporary directory (its own root, pid file, logs).
// Needs root, BPF, the built addon, nginx, python3 and curl.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { HAVE_SYSDIG, freePort, sysdig } from './helpers.js';
import { compareChisel } from './chisel-helpers.js';
import { aggSums, assertFmtLikeSysdig, assertTablesLikeSysdig, captureSkipReason, count, portOpen, run, startCapture, stopServer, waitFor, type LiveCapture } from './scenario-helpers.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
const CURL = ['/usr/bin/curl', '/bin/curl'].find((p) => fs.existsSync(p));
const PYTHON = '/usr/bin/python3';
const PASSWORD = 'S3cr3t-Pa55';
const WRONG = 'wrong-pass';
const BIG = 200_000;
const INDEX = '<html><body>hello from nginx</body></html>\n';

function skipReason(): string | undefined {
  if (!NGINX) return 'nginx not installed (apt-get install nginx-light)';
  if (!CURL) return 'curl not installed';
  if (!fs.existsSync(PYTHON)) return 'python3 not installed';
  return captureSkipReason();
}
const skip = skipReason();

function nginxConf(dir: string, port: number): string {
  return `worker_processes 2;
error_log ${dir}/logs/error.log notice;
pid ${dir}/nginx.pid;
user www-data;
events { worker_connections 64; }
http {
  access_log ${dir}/logs/access.log;
  sendfile on;
  keepalive_timeout 5;
  types { text/html html; application/octet-stream bin; text/plain txt; }
  client_body_temp_path ${dir}/tmp_body;
  proxy_temp_path ${dir}/tmp_proxy;
  fastcgi_temp_path ${dir}/tmp_fastcgi;
  uwsgi_temp_path ${dir}/tmp_uwsgi;
  scgi_temp_path ${dir}/tmp_scgi;
  server {
    listen 127.0.0.1:${port};
    listen [::1]:${port};
    root ${dir}/root;
    location /private/ { auth_basic "staff"; auth_basic_user_file ${dir}/htpasswd; }
  }
}
`;
}

// One request a connection (Connection: close); prints per connection its family, local port, request path,
// and the bytes it sent and received, as JSON.
const CLIENT = `
import json, socket, sys
port = int(sys.argv[1])
out = []
def get(path, host, fam):
    s = socket.socket(fam)
    s.connect((host, port))
    req = ('GET %s HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' % path).encode()
    s.sendall(req)
    got = b''
    while True:
        d = s.recv(65536)
        if not d:
            break
        got += d
    out.append({'path': path, 'v6': fam == socket.AF_INET6, 'lport': s.getsockname()[1], 'sent': len(req), 'received': len(got), 'status': int(got.split(b' ')[1])})
    s.close()
for i in range(3):
    get('/big.bin', '127.0.0.1', socket.AF_INET)
get('/index.html', '127.0.0.1', socket.AF_INET)
get('/index.html', '::1', socket.AF_INET6)
get('/missing.html', '127.0.0.1', socket.AF_INET)
print(json.dumps(out))
`;

interface Conn {
  path: string;
  v6: boolean;
  lport: number;
  sent: number;
  received: number;
  status: number;
}

test('static web server audit: nginx with sendfile and basic auth, captured; bytes add up, passwords found', { skip, timeout: 180_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-nginx-'));
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(path.join(dir, 'root', 'private'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'logs'));
  fs.writeFileSync(path.join(dir, 'root', 'index.html'), INDEX);
  fs.writeFileSync(path.join(dir, 'root', 'big.bin'), Buffer.from(Array.from({ length: BIG }, (_, i) => (i * 7) % 251)));
  fs.writeFileSync(path.join(dir, 'root', 'private', 'secret.txt'), 'the launch code is 0000\n');
  // RFC 2307 {SHA}: base64 of the password's SHA-1 (nginx's auth_basic_user_file takes it)
  fs.writeFileSync(path.join(dir, 'htpasswd'), `alice:{SHA}${crypto.createHash('sha1').update(PASSWORD).digest('base64')}\n`);
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(conf, nginxConf(dir, port));
  const cap = path.join(dir, 'cap.scap');
  let server: ReturnType<typeof spawn> | undefined;
  let capture: LiveCapture | undefined;
  try {
    server = spawn(NGINX!, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let srvErr = '';
    server.stderr!.on('data', (d: Buffer) => (srvErr += d.toString()));
    await waitFor(async () => (await portOpen(port, '127.0.0.1')) && (await portOpen(port, '::1')), () => `nginx: ${srvErr}`);
    // record nginx and its clients only (the rest of the machine stays out of the tables)
    capture = await startCapture(cap, 'proc.name in (nginx, python3, curl)', 1024);

    const client = spawnSync(PYTHON, ['-c', CLIENT, String(port)], { encoding: 'utf8' });
    assert.equal(client.status, 0, client.stderr);
    const conns = JSON.parse(client.stdout) as Conn[];
    assert.deepEqual(conns.map((c) => c.status), [200, 200, 200, 200, 200, 404]);
    const url = `http://127.0.0.1:${port}/private/secret.txt`;
    const ok = spawnSync(CURL!, ['-s', '-u', `alice:${PASSWORD}`, url], { encoding: 'utf8' });
    assert.equal(ok.stdout, 'the launch code is 0000\n', ok.stderr);
    const bad = spawnSync(CURL!, ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-u', `alice:${WRONG}`, url], { encoding: 'utf8' });
    assert.equal(bad.stdout, '401');
    await capture.stop();
    // the files are in the capture at their paths: nginx's own logs are read back below
    assert.match(fs.readFileSync(path.join(dir, 'logs', 'error.log'), 'utf8'), /user "alice": password mismatch/);

    const nameOf = (c: Conn): string => (c.v6 ? `::1:${c.lport}->::1:${port}` : `127.0.0.1:${c.lport}->127.0.0.1:${port}`);

    await t.test("topconns 'proc.name=nginx' and sendfile's bytes add up to what each client counted", () => {
      const io = aggSums(['topconns', 'proc.name=nginx', cap], 'fd.name', 'evt.rawarg.res');
      const sf = aggSums(['by', 'fd.name', '--sum', 'evt.rawarg.res', '--top', '0', 'proc.name=nginx and evt.type=sendfile and evt.dir=<', cap], 'fd.name', 'evt.rawarg.res');
      for (const c of conns) {
        const name = nameOf(c);
        assert.ok(io.has(name), `${name} missing from topconns: ${JSON.stringify([...io])}`);
        assert.equal((io.get(name) ?? 0) + (sf.get(name) ?? 0), c.sent + c.received, `${name} (${c.path})`);
        if (c.path === '/big.bin') assert.equal(sf.get(name), BIG, name);
        if (c.path === '/index.html') assert.equal(sf.get(name), INDEX.length, name);
        if (c.path === '/missing.html') assert.equal(sf.get(name), undefined, name);
      }
      // the two curl connections too
      assert.equal([...io.keys()].filter((k) => k.endsWith(`->127.0.0.1:${port}`)).length, conns.filter((c) => !c.v6).length + 2);
      if (HAVE_SYSDIG) assertTablesLikeSysdig(cap, [['topconns', 'proc.name=nginx']]);
    });

    await t.test('echo_fds: each Authorization header the server read, the password in its base64', () => {
      const out = run('tdig-echo', ['echo_fds', '-A', 'proc.name=nginx and evt.is_io_read=true and evt.buffer contains "Authorization: Basic"', cap]);
      const b64 = (s: string): string => Buffer.from(s).toString('base64');
      assert.equal(count(out, `Authorization: Basic ${b64(`alice:${PASSWORD}`)}`), 1, out);
      assert.equal(count(out, `Authorization: Basic ${b64(`alice:${WRONG}`)}`), 1, out);
      assert.equal(count(out, `->127.0.0.1:${port} (nginx)`), 2, out);
      if (HAVE_SYSDIG) {
        const f = 'proc.name=nginx and evt.is_io_read=true and evt.buffer contains "Authorization: Basic"';
        assert.equal(run('tdig-echo', ['--color', 'echo_fds', '-A', f, cap]), sysdig(['-r', cap, '-A', '-c', 'echo_fds', f]));
      }
    });

    await t.test("spy_logs: nginx's error log names the wrong password, its access log the 401", () => {
      const out = run('tdig-echo', ['spy_logs', cap]);
      const errors = out.split('\n').filter((l) => l.startsWith(`nginx ${dir}/logs/error.log `));
      assert.equal(errors.filter((l) => l.includes('user "alice": password mismatch')).length, 1, out);
      assert.equal(errors.filter((l) => l.includes('open() "') && l.includes('missing.html" failed')).length, 1, out);
      const access = out.split('\n').filter((l) => l.startsWith(`nginx ${dir}/logs/access.log `));
      assert.equal(access.length, conns.length + 2, out);
      assert.equal(access.filter((l) => / - alice \[.*"GET \/private\/secret.txt HTTP\/1.1" 401 /.test(l)).length, 1, out);
      assert.equal(access.filter((l) => l.includes('"GET /big.bin HTTP/1.1" 200 200000 ')).length, 3, out);
      if (HAVE_SYSDIG) assert.equal(out, sysdig(['-r', cap, '-c', 'spy_logs']));
    });

    await t.test('httplog: every request with its status', () => {
      const lines = run('tdig-echo', ['httplog', cap]).split('\n').filter((l) => l !== '');
      // each request appears twice: read by nginx (<) and written by its client (>)
      const served = lines.filter((l) => / < method=GET /.test(l));
      assert.equal(served.length, conns.length + 2, lines.join('\n'));
      assert.equal(served.filter((l) => l.includes('url=localhost/big.bin response_code=200 ') && l.endsWith(' size=200000B')).length, 3);
      assert.equal(served.filter((l) => l.includes('/missing.html response_code=404 ')).length, 1);
      assert.equal(served.filter((l) => l.includes(`url=127.0.0.1:${port}/private/secret.txt response_code=401 `)).length, 1);
      if (HAVE_SYSDIG) assert.equal(run('tdig-echo', ['httplog', cap]), sysdig(['-r', cap, '-c', 'httplog']));
    });

    await t.test('tdig-fmt, topprocs_net and topfiles_errors print what sysdig prints', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
      assertFmtLikeSysdig(cap);
      assert.equal(compareChisel(sysdig(['-r', cap, '-c', 'topprocs_net']), run('tdig-agg', ['topprocs_net', cap]), { top: 100 }), undefined);
      assert.equal(compareChisel(sysdig(['-r', cap, '-c', 'topfiles_errors']), run('tdig-agg', ['topfiles_errors', cap]), { top: 100 }), undefined);
    });
  } finally {
    capture?.kill();
    await stopServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
