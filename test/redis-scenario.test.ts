// An auditor's question on a cache server, end to end: does the password, or the data, cross the wire in plain
// text? Redis (Debian's redis-server) runs on 127.0.0.1 with requirepass; redis-cli logs in twice with the right
// password (storing a card number, then reading it back) and once with a wrong one. tdig-capture records the
// server and its clients. Then:
//  - echo_fds -A on the server's reads shows the AUTH command with the password, once per login, and the
//    wrong one once; the server's refusals go back to the client that failed;
//  - the card number shows where it crossed the wire: read by the server (SET), written by it (GET's reply);
//  - topconns 'proc.name=redis-server' has one connection per redis-cli run, each with the bytes that
//    redis-cli's side counted (its reads and writes on that connection);
// and tdig-fmt, topconns and spy_port print what sysdig 0.29.3 prints on the same capture (when it is
// installed). Needs root, BPF, the built addon and the redis-server package (redis-cli comes with it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { HAVE_SYSDIG, freePort, sysdig } from './helpers.js';
import { aggSums, assertFmtLikeSysdig, assertTablesLikeSysdig, captureSkipReason, count, portOpen, run, startCapture, stopServer, waitFor, type LiveCapture } from './scenario-helpers.js';

const SERVER = ['/usr/bin/redis-server', '/usr/sbin/redis-server'].find((p) => fs.existsSync(p));
const CLI = ['/usr/bin/redis-cli'].find((p) => fs.existsSync(p));
const PASSWORD = 'r3dis-Secret';
const WRONG = 'not-the-one';
const CARD = '4111111111111111';

function skipReason(): string | undefined {
  if (!SERVER || !CLI) return 'redis not installed (apt-get install redis-server)';
  return captureSkipReason();
}
const skip = skipReason();

test('cache server audit: Redis with requirepass, captured; the password and the data found in plain text', { skip, timeout: 120_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-redis-'));
  const port = await freePort();
  const cap = path.join(dir, 'cap.scap');
  let server: ReturnType<typeof spawn> | undefined;
  let capture: LiveCapture | undefined;
  try {
    server = spawn(SERVER!, ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', PASSWORD, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, '--logfile', path.join(dir, 'redis.log')], { stdio: 'ignore' });
    const log = path.join(dir, 'redis.log');
    await waitFor(() => portOpen(port), () => `redis-server: ${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`);
    // record the server and its clients only
    capture = await startCapture(cap, 'proc.name in (redis-server, redis-cli)', 1024);

    const cli = (password: string, args: string[]) =>
      spawnSync(CLI!, ['-h', '127.0.0.1', '-p', String(port), '-a', password, '--no-auth-warning', ...args], { encoding: 'utf8' });
    assert.equal(cli(PASSWORD, ['set', 'card', CARD]).stdout, 'OK\n');
    assert.equal(cli(PASSWORD, ['get', 'card']).stdout, `${CARD}\n`);
    const denied = cli(WRONG, ['get', 'card']);
    assert.match(denied.stdout + denied.stderr, /WRONGPASS/);
    await capture.stop();

    await t.test('echo_fds: the AUTH command the server read, with the password, per login', () => {
      const f = 'proc.name=redis-server and evt.is_io_read=true and evt.buffer contains AUTH';
      const out = run('tdig-echo', ['echo_fds', '-A', f, cap]);
      assert.equal(count(out, `\n${PASSWORD}\n`), 2, out);
      assert.equal(count(out, `\n${WRONG}\n`), 1, out);
      assert.equal(count(out, `->127.0.0.1:${port} (redis-server)`), 3, out);
      const refused = run('tdig-echo', ['echo_fds', '-A', 'proc.name=redis-server and evt.is_io_write=true and evt.buffer contains WRONGPASS', cap]);
      assert.equal(count(refused, '------ Write '), 1, refused);
      if (HAVE_SYSDIG) assert.equal(run('tdig-echo', ['--color', 'echo_fds', '-A', f, cap]), sysdig(['-r', cap, '-A', '-c', 'echo_fds', f]));
    });

    await t.test('the card number: read by the server in the SET, written by it in the reply to GET', () => {
      const out = run('tdig-echo', ['echo_fds', '-A', `proc.name=redis-server and evt.buffer contains ${CARD}`, cap]);
      const heads = out.split('\n').filter((l) => l.startsWith('------ '));
      assert.equal(heads.length, 2, out);
      assert.match(heads[0]!, /^------ Read \d+B from {3}127\.0\.0\.1:\d+->127\.0\.0\.1:\d+ \(redis-server\)$/);
      assert.match(heads[1]!, /^------ Write \d+B to {3}127\.0\.0\.1:\d+->127\.0\.0\.1:\d+ \(redis-server\)$/);
      assert.equal(count(out, CARD), 2, out);
    });

    await t.test("topconns 'proc.name=redis-server': one connection per redis-cli run, with the bytes the client moved", () => {
      const rows = (filter: string) => aggSums(['topconns', filter, cap], 'fd.name', 'evt.rawarg.res');
      const server = rows('proc.name=redis-server');
      const client = rows('proc.name=redis-cli');
      const conns = [...server.keys()].filter((k) => k.endsWith(`->127.0.0.1:${port}`));
      assert.equal(conns.length, 3, JSON.stringify([...server]));
      // what the server read and wrote on a connection, the client wrote and read
      for (const k of conns) assert.equal(server.get(k), client.get(k), k);
      if (HAVE_SYSDIG) assertTablesLikeSysdig(cap, [['topconns', 'proc.name=redis-server']]);
    });

    await t.test('tdig-fmt and spy_port print what sysdig prints', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
      assertFmtLikeSysdig(cap);
      assert.equal(run('tdig-echo', ['--color', 'spy_port', String(port), cap]), sysdig(['-r', cap, '-c', 'spy_port', String(port)]));
    });
  } finally {
    capture?.kill();
    await stopServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
