// Chisels whose fixtures lack the activity they look for, on captures made here with tdig-capture: spy_logs
// (writes to log files). Output compared with sysdig 0.29.3 on the same capture when it is installed, and
// with the lines the workload wrote. Needs root, BPF and the built addon: skipped otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { addonPath } from '../lib/capture/native.js';
import { HAVE_SYSDIG, ROOT, sysdig, tdig } from './helpers.js';

function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (eBPF capture)';
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return 'no kernel BTF (BPF capture unavailable)';
  if (!fs.existsSync(addonPath())) return 'native addon not built (npm run build:native)';
  return undefined;
}

test('spy_logs on a capture of log writes', { skip: skipReason(), timeout: 60_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-logs-'));
  try {
    const cap = path.join(dir, 'cap.scap');
    const script = [
      `printf 'starting up\\nWARNING: low disk\\n' >> ${dir}/app.log`,
      `printf 'an error here\\nERROR big\\n\\n' >> ${dir}/app.log`,
      `echo plain >> ${dir}/x_log`,
      `echo ignored >> ${dir}/old.log.gz`,
      `echo 'not a log' >> ${dir}/notes.txt`,
    ].join('; ');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tdig-capture.js'), '-s', '2000', '-w', cap, '--', 'sh', '-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const run = (args: string[]) => {
      const x = tdig('tdig-echo', [...args, cap]);
      assert.equal(x.status, 0, x.stderr.toString());
      return x.stdout.toString('latin1');
    };
    const out = run(['spy_logs']);
    assert.equal(
      out,
      [`${dir}/app.log starting up`, `${dir}/app.log WARNING: low disk`, `${dir}/app.log an error here`, `${dir}/app.log ERROR big`, `${dir}/x_log plain`]
        .map((l) => `sh ${l}\n`).join(''),
    );
    if (HAVE_SYSDIG) {
      assert.equal(out, sysdig(['-r', cap, '-c', 'spy_logs']));
      assert.equal(run(['spy_logs', 'proc.name=sh and evt.buffer contains err']), sysdig(['-r', cap, '-c', 'spy_logs', 'proc.name=sh and evt.buffer contains err']));
    }
    // on a terminal (here forced): green, yellow for "warn" in any case, red for "err" in its own case
    const colored = run(['--color', 'spy_logs']).split('\n');
    assert.equal(colored[0], `\x1b[32m sh ${dir}/app.log starting up`);
    assert.equal(colored[1], `\x1b[33m sh ${dir}/app.log WARNING: low disk`);
    assert.equal(colored[2], `\x1b[31m sh ${dir}/app.log an error here`);
    assert.equal(colored[3], `\x1b[32m sh ${dir}/app.log ERROR big`);
    assert.equal(colored.at(-2), '\x1b[0m');
    // the event-export arguments write the events around each entry (test/chisels-around.test.ts checks the file)
    const dump = path.join(dir, 'around.dump');
    const exported = tdig('tdig-echo', ['spy_logs', `${dump} 100`, cap]);
    assert.equal(exported.status, 0, exported.stderr.toString());
    assert.ok(exported.stdout.toString().endsWith('Writing events for 3 log entries\n'));
    assert.equal(fs.statSync(dump).mode & 0o777, 0o600);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const MEMCACHED = `
const net = require('net');
const srv = net.createServer((s) => s.on('data', (d) => {
  const t = d.toString();
  s.write(t.startsWith('set') ? 'STORED\\r\\n' : t.startsWith('get') ? 'VALUE foo 0 5\\r\\nhello\\r\\nEND\\r\\n' : 'ERROR\\r\\n');
}));
srv.on('error', () => process.exit(3));
srv.listen(11211, '127.0.0.1', () => {
  const c = net.connect(11211, '127.0.0.1');
  const msgs = ['set foo 0 0 5\\r\\nhello\\r\\n', 'get foo\\r\\n', 'set bar 0 0 12 noreply\\r\\nhello world!\\r\\n', 'delete foo\\r\\n'];
  let i = 0;
  const next = () => { if (i === msgs.length) { c.end(); srv.close(); return; } c.write(msgs[i++]); };
  c.on('data', next);
  c.on('connect', next);
  setTimeout(() => { if (i < msgs.length) next(); }, 300);
  setTimeout(() => process.exit(0), 1200);
});
`;

test('memcachelog on a capture of memcached traffic on 127.0.0.1:11211', { skip: skipReason(), timeout: 60_000 }, (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-mc-'));
  try {
    const cap = path.join(dir, 'cap.scap');
    const js = path.join(dir, 'mc.cjs');
    fs.writeFileSync(js, MEMCACHED);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tdig-capture.js'), '-s', '4096', '-w', cap, '--', process.execPath, js], { encoding: 'utf8' });
    if (r.status !== 0 && /exit(ed)? (status )?3/.test(r.stderr)) return t.skip('port 11211 is in use');
    assert.equal(r.status, 0, r.stderr);
    const run = (args: string[]) => tdig('tdig-echo', [...args, cap]);
    const lines = run(['memcachelog']).stdout.toString().split('\n').filter((l) => l !== '');
    if (lines.length === 0) return t.skip('port 11211 is in use');
    // each command is seen twice: written by the client, read by the server
    assert.deepEqual(lines.map((l) => l.replace(/^\S+ \S+ /, '')), [
      'method=set size=0B key=foo', 'method=set size=0B key=foo', 'method=get size=0B key=foo..', 'method=get size=0B key=foo..',
      'method=set size=12B key=bar', 'method=set size=12B key=bar',
    ]);
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} method=set/);
    if (HAVE_SYSDIG) {
      for (const a of [[], ['get'], ['set 10'], ['set 13']]) assert.equal(run(['memcachelog', ...a]).stdout.toString('latin1'), sysdig(['-r', cap, '-c', 'memcachelog', ...a]), a.join(' '));
    }
    const noSize = run(['memcachelog', 'set']);
    assert.equal(noSize.status, 1);
    assert.equal(noSize.stderr.toString(), 'tdig-echo: memcachelog: attempt to compare number with nil\n');
    const filtered = run(['memcachelog', 'evt.dir=<']);
    assert.equal(filtered.status, 2);
    assert.match(filtered.stderr.toString(), /memcachelog: invalid filter in chisel memcachelog: filter can only be set once/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const SYSLOG_CLIENT = `
import socket, os, sys
p = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); srv.bind(p)
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); c.connect(p)
for m in [b'<13>Nov 26 10:00:00 myapp: hello world', b'<12>Nov 26 10:00:01 myapp[42]: careful', b'<11>Nov 26 10:00:02 myapp: broken', b'<30>daemon info']:
    c.send(m); srv.recv(1000)
c.close(); srv.close(); os.unlink(p)
`;

const HAVE_PYTHON = spawnSync('python3', ['--version']).status === 0;

test('spy_syslog on a capture of messages sent to a .../dev/log socket', { skip: skipReason() ?? (HAVE_PYTHON ? undefined : 'python3 missing'), timeout: 60_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-syslog-'));
  try {
    // a private socket whose name contains /dev/log, so the machine's syslog is left alone
    fs.mkdirSync(path.join(dir, 'dev'));
    const cap = path.join(dir, 'cap.scap');
    const py = path.join(dir, 'sy.py');
    fs.writeFileSync(py, SYSLOG_CLIENT);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tdig-capture.js'), '-s', '2000', '-w', cap, '--', 'python3', py, path.join(dir, 'dev', 'log')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const run = (args: string[]) => tdig('tdig-echo', [...args, cap]).stdout.toString('latin1');
    const out = run(['spy_syslog']);
    assert.match(out, /^user\.notice python3\[(\d+)\] Nov 26 10:00:00 myapp: hello world\nuser\.warn python3\[\1\] Nov 26 10:00:01 myapp\[42\]: careful\nuser\.err python3\[\1\] Nov 26 10:00:02 myapp: broken\ndaemon\.info python3\[\1\] daemon info\n$/);
    if (HAVE_SYSDIG) assert.equal(out, sysdig(['-r', cap, '-c', 'spy_syslog']));
    const colored = run(['--color', 'spy_syslog']).split('\n');
    assert.deepEqual(colored.map((l) => l.slice(0, 5)), ['\x1b[32m', '\x1b[33m', '\x1b[31m', '\x1b[32m', '\x1b[0m', ''].map((c) => c.slice(0, 5)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
