// The seed scenario of issue 4, end to end: Apache with PHP on 127.0.0.1 serves a login form, curl posts
// login=alice&pass=s3cret to it several times while tdig-capture records apache2 and curl, and then
//  - tdig-agg topprocs_net puts apache2 on top,
//  - tdig-agg topconns 'proc.name=apache2' lists every client connection with its exact bytes
//    (what curl's --trace-ascii says it sent and received on that connection),
//  - tdig-echo echo_fds -A '... evt.buffer contains form' shows the POST body with the password,
// and each of the three prints what sysdig 0.29.3 prints on the same capture (when sysdig is installed).
// Apache runs from a private configuration in a temporary directory (its own DocumentRoot, pid file, logs,
// one prefork worker), not the system site. Needs root, BPF, the built addon, apache2, mod_php and curl.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HAVE_SYSDIG, freePort, sleep, sysdig } from './helpers.js';
import { compareChisel } from './chisel-helpers.js';
import { captureSkipReason, portOpen, run, startCapture, waitFor, type LiveCapture } from './scenario-helpers.js';
import { formatBytes } from '../lib/chisels/lua.js';

const MODULES = '/usr/lib/apache2/modules';

function which(cmd: string): string | undefined {
  for (const d of (process.env['PATH'] ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = path.join(d, cmd);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

function phpModule(): string | undefined {
  if (!fs.existsSync(MODULES)) return undefined;
  const f = fs.readdirSync(MODULES).find((n) => /^libphp[\d.]*\.so$/.test(n));
  return f ? path.join(MODULES, f) : undefined;
}

const APACHE = which('apache2');
const CURL = which('curl');
const PHP = phpModule();

function skipReason(): string | undefined {
  if (!APACHE) return 'apache2 not installed (apt-get install apache2 libapache2-mod-php php)';
  if (!PHP) return 'mod_php not installed (apt-get install libapache2-mod-php)';
  if (!fs.existsSync(path.join(MODULES, 'mod_mpm_prefork.so'))) return 'mod_mpm_prefork missing';
  if (!CURL) return 'curl not installed';
  return captureSkipReason();
}
const skip = skipReason();

const PHP_HANDLER = `<?php
if ($_SERVER['REQUEST_METHOD'] === 'POST') {
  $ok = ($_POST['login'] ?? '') === 'alice' && ($_POST['pass'] ?? '') === 's3cret';
  echo $ok ? "welcome alice\\n" : "denied\\n";
  echo str_repeat("-", 16000), "\\n";
} else {
  readfile(__DIR__ . '/form.html');
}
`;

const FORM = `<html><body>
<form method="post" action="/login.php">
<input name="login"> <input name="pass" type="password"> <input type="submit" value="Log in">
</form>
</body></html>
`;

function apacheConf(dir: string, port: number): string {
  const m = (n: string) => path.join(MODULES, n);
  return [
    `ServerRoot ${dir}`,
    'ServerName 127.0.0.1',
    `Listen 127.0.0.1:${port}`,
    `PidFile ${dir}/apache2.pid`,
    `DefaultRuntimeDir ${dir}`,
    `Mutex file:${dir} default`,
    `ErrorLog ${dir}/error.log`,
    `LoadModule mpm_prefork_module ${m('mod_mpm_prefork.so')}`,
    `LoadModule authz_core_module ${m('mod_authz_core.so')}`,
    `LoadModule mime_module ${m('mod_mime.so')}`,
    `LoadModule dir_module ${m('mod_dir.so')}`,
    `LoadModule php_module ${PHP}`,
    'User www-data',
    'Group www-data',
    // one worker: every connection is served by the same apache2 process
    'StartServers 1',
    'MinSpareServers 1',
    'MaxSpareServers 1',
    'MaxRequestWorkers 1',
    'KeepAlive Off',
    'TypesConfig /etc/mime.types',
    `DocumentRoot ${dir}/www`,
    'DirectoryIndex login.php',
    `<Directory ${dir}/www>`,
    '  Require all granted',
    '</Directory>',
    '<FilesMatch "\\.php$">',
    '  SetHandler application/x-httpd-php',
    '</FilesMatch>',
    '',
  ].join('\n');
}

interface Exchange {
  /** curl's local port: the connection's name is 127.0.0.1:LPORT->127.0.0.1:PORT */
  lport: number;
  /** bytes on the wire, both ways, from --trace-ascii */
  bytes: number;
  body: string;
}

/** One curl run; its bytes are the Send/Recv header and data sizes of its --trace-ascii. */
function curl(dir: string, url: string, post?: string): Exchange {
  const trace = path.join(dir, `trace-${Date.now()}-${Math.random()}.txt`);
  const args = ['-s', '--trace-ascii', trace, '-w', '\n%{local_port}', url];
  if (post !== undefined) args.unshift('--data', post);
  const r = spawnSync(CURL!, args, { encoding: 'latin1' });
  assert.equal(r.status, 0, `curl ${args.join(' ')}: ${r.stderr}`);
  const nl = r.stdout.lastIndexOf('\n');
  let bytes = 0;
  for (const m of fs.readFileSync(trace, 'latin1').matchAll(/^(?:=> Send|<= Recv) (?:header|data), (\d+) bytes/gm)) bytes += Number(m[1]);
  return { lport: Number(r.stdout.slice(nl + 1)), bytes, body: r.stdout.slice(0, nl) };
}

test('seed scenario: Apache + PHP login posts, captured and audited', { skip, timeout: 120_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-seed-'));
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(path.join(dir, 'www'), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'www', 'login.php'), PHP_HANDLER, { mode: 0o644 });
  fs.writeFileSync(path.join(dir, 'www', 'form.html'), FORM, { mode: 0o644 });
  const port = await freePort();
  const conf = path.join(dir, 'apache2.conf');
  fs.writeFileSync(conf, apacheConf(dir, port));
  const cap = path.join(dir, 'cap.scap');
  let capture: LiveCapture | undefined;
  try {
    const st = spawnSync(APACHE!, ['-f', conf, '-k', 'start'], { encoding: 'utf8' });
    assert.equal(st.status, 0, `apache2 -k start: ${st.stderr}${fs.existsSync(path.join(dir, 'error.log')) ? fs.readFileSync(path.join(dir, 'error.log'), 'utf8') : ''}`);
    await waitFor(() => portOpen(port), () => 'apache2 to listen');
    // warm up: the worker has loaded PHP before the capture starts
    assert.match(curl(dir, `http://127.0.0.1:${port}/`).body, /<form method="post"/);

    // record apache2 and curl only (other processes on the machine stay out of the tables)
    capture = await startCapture(cap, 'proc.name=apache2 or proc.name=curl', 4096);

    const exchanges: Exchange[] = [];
    const form = curl(dir, `http://127.0.0.1:${port}/`);
    assert.match(form.body, /name="pass" type="password"/);
    exchanges.push(form);
    const POSTS = 4;
    for (let i = 0; i < POSTS; i++) {
      const e = curl(dir, `http://127.0.0.1:${port}/login.php`, 'login=alice&pass=s3cret');
      assert.match(e.body, /^welcome alice\n/);
      exchanges.push(e);
    }
    await capture.stop();

    await t.test('topprocs_net: apache2 on top', () => {
      const out = run('tdig-agg', ['topprocs_net', cap]);
      const rows = out.split('\n').slice(2).filter((l) => l !== '');
      assert.match(rows[0] ?? '', /^\S+\s+apache2\s+\d+$/, out);
      const total = exchanges.reduce((n, e) => n + e.bytes, 0);
      assert.equal(rows[0]!.slice(0, 20).trim(), formatBytes(total), out);
      if (HAVE_SYSDIG) assert.equal(compareChisel(sysdig(['-r', cap, '-c', 'topprocs_net']), out, { top: 100 }), undefined);
    });

    await t.test("topconns 'proc.name=apache2': each client connection with its exact bytes", () => {
      const json = run('tdig-agg', ['--json', 'topconns', 'proc.name=apache2', cap])
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, string | number>);
      const got = new Map(json.map((r) => [r['fd.name'] as string, r['evt.rawarg.res'] as number]));
      const want = new Map(exchanges.map((e) => [`127.0.0.1:${e.lport}->127.0.0.1:${port}`, e.bytes]));
      assert.deepEqual(got, want);
      const out = run('tdig-agg', ['topconns', 'proc.name=apache2', cap]);
      for (const e of exchanges) {
        assert.ok(out.includes(`${formatBytes(e.bytes).padEnd(20)}tcp                 127.0.0.1:${e.lport}->127.0.0.1:${port}\n`), out);
      }
      if (HAVE_SYSDIG) assert.equal(compareChisel(sysdig(['-r', cap, '-c', 'topconns', 'proc.name=apache2']), out, { top: 30 }), undefined);
    });

    await t.test('echo_fds -A: the POST body with the password', () => {
      const filter = 'fd.cip=127.0.0.1 and proc.name=apache2 and evt.is_io_read=true and evt.buffer contains form';
      const out = run('tdig-echo', ['echo_fds', '-A', filter, cap]);
      assert.equal(out.split('login=alice&pass=s3cret').length - 1, POSTS, out);
      assert.equal(out.split('(apache2)\n').length - 1, POSTS, out);
      assert.match(out, /^------ Read \d+B from {3}127\.0\.0\.1:\d+->127\.0\.0\.1:\d+ \(apache2\)\n\nPOST \/login\.php HTTP\/1\.1\n/);
      if (HAVE_SYSDIG) {
        const colored = run('tdig-echo', ['--color', 'echo_fds', '-A', filter, cap]);
        assert.equal(colored, sysdig(['-r', cap, '-A', '-c', 'echo_fds', filter]));
      }
    });
  } finally {
    capture?.kill();
    const pidFile = path.join(dir, 'apache2.pid');
    spawnSync(APACHE!, ['-f', conf, '-k', 'stop']);
    const end = Date.now() + 10000;
    while (fs.existsSync(pidFile) && Date.now() < end) await sleep(100);
    if (fs.existsSync(pidFile)) {
      const pid = Number(fs.readFileSync(pidFile, 'utf8'));
      if (pid > 0) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
