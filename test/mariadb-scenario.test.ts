// A database server audited end to end: MariaDB (Debian's mariadb-server) on 127.0.0.1 with a fresh data
// directory, an application user with a password (mysql_native_password), and the mariadb client storing and
// reading card numbers, one run per statement; one run gives a wrong password. tdig-capture records the server
// and its clients. Then:
//  - the password never crosses the wire (the client answers the server's challenge with a hash): no socket
//    buffer holds it, while the handshake that names the method is there, in both directions;
//  - but the client's command line holds it (-pPASSWORD), as the execve event recorded it before the client
//    masked its arguments: proc.cmdline shows it;
//  - a card number crosses in plain text: the server reads it in the INSERT, and writes it in a SELECT's result;
//  - the wrong password: the server writes "Access denied" to the client and to its error log;
//  - topconns 'proc.name=mariadbd': one connection per client run over TCP, each with the bytes the client's
//    side moved on it;
// and tdig-fmt, topconns and echo_fds print what sysdig 0.29.3 prints on the same capture (when it is
// installed). Needs root, BPF, the built addon and the mariadb-server package (the client comes with it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { HAVE_SYSDIG, freePort, sysdig } from './helpers.js';
import { aggSums, assertFmtLikeSysdig, assertTablesLikeSysdig, captureSkipReason, count, portOpen, run, startCapture, stopServer, waitFor, type LiveCapture } from './scenario-helpers.js';

const SERVER = ['/usr/sbin/mariadbd'].find((p) => fs.existsSync(p));
const INSTALL = ['/usr/bin/mariadb-install-db'].find((p) => fs.existsSync(p));
const CLIENT = ['/usr/bin/mariadb'].find((p) => fs.existsSync(p));
const PASSWORD = 'Db-Pa55-w0rd';
const WRONG = 'guess-me';
const CARDS = ['4111111111111111', '5500005555555559', '340000000000009'];

function skipReason(): string | undefined {
  if (!SERVER || !INSTALL || !CLIENT) return 'mariadb not installed (apt-get install mariadb-server)';
  if (spawnSync('id', ['mysql']).status !== 0) return 'no mysql user (mariadb-server makes it)';
  return captureSkipReason();
}
const skip = skipReason();

test('database audit: MariaDB with a password user, captured; the password off the wire, the data on it', { skip, timeout: 180_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-mariadb-'));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  spawnSync('chown', ['mysql:mysql', data]);
  const run_ = path.join(dir, 'run');
  fs.mkdirSync(run_);
  spawnSync('chown', ['mysql:mysql', run_]);
  const sock = path.join(run_, 'mysqld.sock');
  const errLog = path.join(run_, 'error.log');
  const cap = path.join(dir, 'cap.scap');
  const port = await freePort();
  let server: ReturnType<typeof spawn> | undefined;
  let capture: LiveCapture | undefined;
  try {
    const inst = spawnSync(INSTALL!, ['--user=mysql', `--datadir=${data}`, '--skip-test-db', '--auth-root-authentication-method=socket'], { encoding: 'utf8' });
    assert.equal(inst.status, 0, inst.stdout + inst.stderr);
    server = spawn(SERVER!, ['--no-defaults', '--user=mysql', `--datadir=${data}`, `--socket=${sock}`, `--port=${port}`, '--bind-address=127.0.0.1', `--log-error=${errLog}`, `--pid-file=${run_}/mysqld.pid`, '--innodb-buffer-pool-size=16M'], { stdio: 'ignore' });
    const log = () => (fs.existsSync(errLog) ? fs.readFileSync(errLog, 'utf8') : '');
    await waitFor(() => portOpen(port), () => `mariadbd: ${log()}`, 60_000);
    // root over the unix socket (socket authentication) makes the application's user and table
    const setup = spawnSync(CLIENT!, ['--no-defaults', '-S', sock, '-u', 'root', '-e',
      `create database shop; create table shop.cards (id int primary key auto_increment, owner varchar(40), card varchar(20));
       create user 'app'@'127.0.0.1' identified by '${PASSWORD}'; grant all on shop.* to 'app'@'127.0.0.1';`], { encoding: 'utf8' });
    assert.equal(setup.status, 0, setup.stderr);
    // record the server and its clients only
    capture = await startCapture(cap, 'proc.name in (mariadbd, mariadb)', 1024);

    const client = (password: string, sql: string) =>
      spawnSync(CLIENT!, ['--no-defaults', '-h', '127.0.0.1', '-P', String(port), '-u', 'app', `-p${password}`, '--batch', '--skip-column-names', 'shop', '-e', sql], { encoding: 'utf8' });
    for (const [i, card] of CARDS.entries()) {
      const r = client(PASSWORD, `insert into cards (owner, card) values ('user${i}', '${card}')`);
      assert.equal(r.status, 0, r.stderr);
    }
    const sel = client(PASSWORD, `select card from cards where owner='user1'`);
    assert.equal(sel.stdout, `${CARDS[1]}\n`, sel.stderr);
    const denied = client(WRONG, 'select 1');
    assert.match(denied.stderr, /Access denied for user 'app'@'localhost'/);
    await capture.stop();

    await t.test('the password never crosses the wire; the handshake that hides it does', () => {
      const onWire = (s: string) => `fd.type in (ipv4, ipv6, unix) and evt.buffer contains "${s}"`;
      const leaked = run('tdig-fmt', [cap, '-p', '%evt.num %proc.name %fd.name', onWire(PASSWORD)]);
      assert.equal(leaked, '');
      const hello = run('tdig-fmt', [cap, '-p', '%proc.name %evt.is_io_read', onWire('mysql_native_password')]);
      // five TCP logins: the server's greeting written and read, the client's answer written and read
      assert.ok(count(hello, 'mariadbd false\n') >= 5 && count(hello, 'mariadb true\n') >= 5, hello);
      assert.ok(count(hello, 'mariadb false\n') >= 5 && count(hello, 'mariadbd true\n') >= 5, hello);
    });

    await t.test("but the client's command line holds it, as the execve recorded it", () => {
      const out = run('tdig-fmt', [cap, '-p', '%proc.cmdline', 'proc.name=mariadb and evt.type=execve and evt.dir=<']);
      const lines = out.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, CARDS.length + 2, out);
      assert.equal(lines.filter((l) => l.includes(` -p${PASSWORD} `)).length, CARDS.length + 1, out);
      assert.equal(lines.filter((l) => l.includes(` -p${WRONG} `)).length, 1, out);
    });

    await t.test('a card number crosses in plain text: in the INSERT the server read, in the result it wrote', () => {
      for (const card of CARDS) {
        const out = run('tdig-echo', ['echo_fds', '-A', `proc.name=mariadbd and evt.is_io_read=true and evt.buffer contains ${card}`, cap]);
        assert.equal(count(out, `values ('user${CARDS.indexOf(card)}', '${card}')`), 1, out);
        assert.match(out, new RegExp(`^------ Read \\d+B from {3}127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${port} \\(mariadbd\\)`, 'm'));
      }
      const result = run('tdig-echo', ['echo_fds', '-A', `proc.name=mariadbd and evt.is_io_write=true and evt.buffer contains ${CARDS[1]}`, cap]);
      assert.equal(count(result, '------ Write '), 1, result);
      if (HAVE_SYSDIG) {
        const f = `proc.name=mariadbd and evt.buffer contains ${CARDS[1]}`;
        assert.equal(run('tdig-echo', ['--color', 'echo_fds', '-A', f, cap]), sysdig(['-r', cap, '-A', '-c', 'echo_fds', f]));
      }
    });

    await t.test('the wrong password: "Access denied" to the client and in the error log', () => {
      const out = run('tdig-echo', ['echo_fds', '-A', 'proc.name=mariadbd and evt.is_io_write=true and evt.buffer contains "Access denied"', cap]);
      assert.equal(count(out, `------ Write `), 2, out);
      assert.match(out, new RegExp(`------ Write \\d+B to {3}${errLog.replace(/[.]/g, '\\.')} \\(mariadbd\\)\\n\\n.*Access denied for user 'app'@'localhost' \\(using password: YES\\)`));
      assert.match(out, new RegExp(`------ Write \\d+B to {3}127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${port} \\(mariadbd\\)`));
    });

    await t.test("topconns 'proc.name=mariadbd': one connection per client run, with the bytes the client moved", () => {
      const server = aggSums(['topconns', 'proc.name=mariadbd', cap], 'fd.name', 'evt.rawarg.res');
      const client = aggSums(['topconns', 'proc.name=mariadb', cap], 'fd.name', 'evt.rawarg.res');
      const conns = [...server.keys()].filter((k) => k.endsWith(`->127.0.0.1:${port}`));
      assert.equal(conns.length, CARDS.length + 2, JSON.stringify([...server]));
      for (const k of conns) assert.equal(server.get(k), client.get(k), k);
      if (HAVE_SYSDIG) assertTablesLikeSysdig(cap, [['topconns', 'proc.name=mariadbd'], ['topconns', 'proc.name=mariadb']]);
    });

    await t.test('tdig-fmt prints what sysdig prints', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
      assertFmtLikeSysdig(cap);
    });
  } finally {
    capture?.kill();
    await stopServer(server);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
