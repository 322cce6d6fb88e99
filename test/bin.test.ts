// The commands as a user runs them: bin/ scripts executed directly (their shebang), loading the bundled
// modules of dist/. NODE_EXTRA_CA_CERTS is dropped by the shebang: tdig makes no TLS connections, and Node
// would read (here: fail to read) that file at every start.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, FIXTURES, ROOT, tdig } from './helpers.js';

const env = { ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/tdig-test-ca.pem' };

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

for (const name of ['tdig-fmt', 'tdig-filter', 'tdig-agg', 'tdig-echo', 'tdig-capture']) {
  test(`${name} runs as an executable and ignores NODE_EXTRA_CA_CERTS`, () => {
    const r = spawnSync(bin(name), ['--version'], { env });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(r.stdout.toString(), `${name} ${VERSION}\n`);
    assert.equal(r.stderr.toString(), '');
  });

  test(`${name} --version: the package's version, wherever it stands on the line, under node too`, () => {
    const r = tdig(name, ['-q', '--version']);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(r.stdout.toString(), `${name} ${VERSION}\n`);
  });
}

test('tdig-fmt executed directly prints what it prints under node', () => {
  const cap = join(FIXTURES, 'curl_google.scap');
  const direct = spawnSync(bin('tdig-fmt'), ['-p', '%evt.num %proc.name %fd.name', cap], { env, maxBuffer: 1 << 28 });
  assert.equal(direct.status, 0, direct.stderr.toString());
  assert.equal(direct.stderr.toString(), '');
  const viaNode = tdig('tdig-fmt', ['-p', '%evt.num %proc.name %fd.name', cap]);
  assert.ok(direct.stdout.length > 1000);
  assert.ok(direct.stdout.equals(viaNode.stdout));
});

test('tdig-agg executed directly runs a chisel', () => {
  const r = spawnSync(bin('tdig-agg'), ['topscalls', join(FIXTURES, 'curl_google.scap')], { env });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.match(r.stdout.toString(), /^# Calls +Syscall/m);
});

const HAVE_SCRIPT = spawnSync('script', ['--version']).status === 0;

test('a reading command with no file and a terminal on stdin says so instead of waiting', { skip: !HAVE_SCRIPT && 'util-linux script not installed' }, () => {
  for (const [name, args] of [
    ['tdig-fmt', []],
    ['tdig-filter', ['proc.name=curl']],
    ['tdig-agg', ['topconns']],
    ['tdig-echo', ['echo_fds']],
    ['tdig-fmt', ['-', join(FIXTURES, 'curl_google.scap')]],
  ] as [string, string[]][]) {
    // script gives the command a pseudo-terminal as stdin and stdout; its exit status is the command's
    const cmd = [bin(name), ...args].map((w) => `'${w}'`).join(' ');
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { env, timeout: 20000 });
    assert.equal(r.status, 2, `${name} ${args.join(' ')}: ${r.stdout.toString()}`);
    assert.match(r.stdout.toString(), new RegExp(`^${name}: no capture to read: name a file, or pipe one in \\(standard input is a terminal\\)\\r?\\n$`));
  }
  // a terminal is fine when the command does not read stdin
  const r = spawnSync('script', ['-qec', `'${bin('tdig-agg')}' --list`, '/dev/null'], { env, timeout: 20000 });
  assert.equal(r.status, 0);
});

test('-r FILE reads FILE, as sysdig -r does, in every reading command; -c CHISEL names the chisel', () => {
  const cap = join(FIXTURES, 'curl_google.scap');
  for (const [name, withR, positional] of [
    ['tdig-fmt', ['-r', cap, 'proc.name=curl'], [cap, 'proc.name=curl']],
    ['tdig-fmt', ['-r', cap, '-r', cap], [cap, cap]],
    ['tdig-filter', ['-r', cap, 'fd.type=ipv6'], ['fd.type=ipv6', cap]],
    ['tdig-agg', ['-r', cap, 'topprocs_net'], ['topprocs_net', cap]],
    ['tdig-echo', ['-r', cap, 'echo_fds', 'fd.type=ipv6'], ['echo_fds', 'fd.type=ipv6', cap]],
    ['tdig-agg', ['-r', cap, '-c', 'fdbytes_by', 'proc.name'], ['fdbytes_by', 'proc.name', cap]],
    ['tdig-echo', ['-c', 'echo_fds', 'fd.type=ipv6', cap], ['echo_fds', 'fd.type=ipv6', cap]],
  ] as [string, string[], string[]][]) {
    const a = tdig(name, withR);
    const b = tdig(name, positional);
    assert.equal(a.status, 0, `${name} ${withR.join(' ')}: ${a.stderr.toString()}`);
    assert.ok(a.stdout.length > 0, `${name} ${withR.join(' ')} printed nothing`);
    assert.ok(a.stdout.equals(b.stdout), `${name} ${withR.join(' ')}`);
  }
  // an explicit -r is always a file, never a trailing filter expression
  const r = tdig('tdig-fmt', ['-r', 'proc.name=curl']);
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /^tdig-fmt: proc.name=curl: no such file\n$/);
});

test('a command starts without its code cache, and with a cache that does not match its bundle', () => {
  // a copy of what a command needs: its bundle, the launcher, package.json and formats/
  const root = mkdtempSync(join(tmpdir(), 'tdig-launch-'));
  try {
    for (const p of ['package.json', 'formats', 'bin/package.json', 'bin/launch.js', 'bin/tdig-fmt.js', 'dist/tdig-fmt.cjs']) {
      cpSync(join(ROOT, p), join(root, p), { recursive: true });
    }
    const cap = join(FIXTURES, 'curl_google.scap');
    const want = tdig('tdig-fmt', [cap]).stdout;
    const run = (): Buffer => {
      const r = spawnSync(join(root, 'bin', 'tdig-fmt.js'), [cap], { env, maxBuffer: 1 << 28 });
      assert.equal(r.status, 0, r.stderr.toString());
      assert.equal(r.stderr.toString(), '');
      return r.stdout;
    };
    assert.ok(run().equals(want), 'no cache file');
    writeFileSync(join(root, 'dist', 'tdig-fmt.cjs.cache'), Buffer.alloc(4096, 7));
    assert.ok(run().equals(want), 'a cache V8 rejects');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a command exits only once a slow reader has taken all its output (stdout a pipe)', () => {
  const cap = join(FIXTURES, 'curl_google.scap');
  const direct = spawnSync(bin('tdig-fmt'), [cap], { env, maxBuffer: 1 << 28 });
  assert.equal(direct.status, 0, direct.stderr.toString());
  assert.ok(direct.stdout.length > 70_000, 'more than a pipe holds (64 KiB)');
  // the reader starts late: the writer blocks on a full pipe and must still deliver everything before it exits
  const slow = spawnSync('sh', ['-c', `"$0" "$1" | (sleep 1; cat)`, bin('tdig-fmt'), cap], { env, maxBuffer: 1 << 28 });
  assert.equal(slow.status, 0, slow.stderr.toString());
  assert.ok(slow.stdout.equals(direct.stdout));
  // and a chisel's table, printed at the end
  const table = spawnSync('sh', ['-c', `"$0" topfiles_bytes "$1" | (sleep 1; cat)`, bin('tdig-agg'), cap], { env });
  assert.equal(table.status, 0, table.stderr.toString());
  assert.equal(table.stdout.toString(), spawnSync(bin('tdig-agg'), ['topfiles_bytes', cap], { env }).stdout.toString());
});

test('standard input gives what the file gives: a pipe fed in pieces, and one left non-blocking', () => {
  const cap = join(FIXTURES, 'curl_google.scap');
  const want = spawnSync(bin('tdig-fmt'), [cap], { env, maxBuffer: 1 << 28 }).stdout;
  assert.ok(want.length > 0);
  // blocking reads of a pipe that runs dry between its two pieces
  const feed = `(head -c 5000 "$1"; sleep 0.3; tail -c +5001 "$1")`;
  const pieces = spawnSync('sh', ['-c', `${feed} | "$0"`, bin('tdig-fmt'), cap], { env, maxBuffer: 1 << 28 });
  assert.equal(pieces.status, 0, pieces.stderr.toString());
  assert.ok(pieces.stdout.equals(want));
  // the same pipe made non-blocking before the command starts (perl-base is essential in Debian): a read
  // that finds the pipe dry fails with EAGAIN, and process.stdin goes on from there
  const nonblocking = `use Fcntl; fcntl(STDIN, F_SETFL, fcntl(STDIN, F_GETFL, 0) | O_NONBLOCK) or die; exec @ARGV`;
  const nb = spawnSync('sh', ['-c', `${feed} | perl -e '${nonblocking}' "$0"`, bin('tdig-fmt'), cap], { env, maxBuffer: 1 << 28 });
  assert.equal(nb.status, 0, nb.stderr.toString());
  assert.ok(nb.stdout.equals(want));
});

test('compressed standard input through a pipe, over many reads, gives what the file gives', () => {
  // a pipe hands over 64 KiB a read: a gzip stream of ~2 MB is ~30 reads, many more than the ring of
  // reused read buffers holds, while zlib still holds some of them
  const dir = mkdtempSync(join(tmpdir(), 'tdig-stdin-'));
  try {
    const big = join(dir, 'big.scap');
    const mk = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'mkbig.js'), join(FIXTURES, 'curl_google.scap'), big, '100']);
    assert.equal(mk.status, 0, mk.stderr.toString());
    const want = spawnSync(bin('tdig-agg'), ['topconns', big], { env }).stdout.toString();
    assert.match(want, /Bytes/);
    for (const pack of ['gzip -1 -c', 'lz4 -c']) {
      if (pack.startsWith('lz4') && spawnSync('lz4', ['--version']).status !== 0) continue;
      const r = spawnSync('sh', ['-c', `${pack} "$1" | "$0" topconns`, bin('tdig-agg'), big], { env });
      assert.equal(r.status, 0, `${pack}: ${r.stderr.toString()}`);
      assert.equal(r.stdout.toString(), want, pack);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
