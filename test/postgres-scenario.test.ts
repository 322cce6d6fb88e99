// An auditor's question on a database server, end to end: does any password cross the wire in plain text?
// PostgreSQL (Debian's postgresql package) runs from a private cluster in a temporary directory on
// 127.0.0.1 with "password" authentication for the role app, which makes psql send the password as it is
// typed. tdig-capture records the server (the postmaster and the backends it forks for each connection,
// which never exec) and psql while psql logs in three times with the right password and once with a wrong
// one, and runs queries, one of them failing. Then:
//  - tdig-echo echo_fds -A on the server's reads that contain the password shows it once per login;
//  - the wrong password is read once, and the server's "password authentication failed" written twice,
//    to psql and to the server's log;
//  - tdig-agg topconns 'proc.name=postgres' has one connection per psql run;
// and tdig-fmt, topconns, topprocs_net and spy_port print what sysdig 0.29.3 prints on the same capture
// (when sysdig is installed). Needs root, BPF, the built addon and the postgresql package.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { HAVE_SYSDIG, freePort, sysdig } from './helpers.js';
import { compareChisel } from './chisel-helpers.js';
import { assertFmtLikeSysdig, captureSkipReason, count, run, startCapture, type LiveCapture } from './scenario-helpers.js';

const PASSWORD = 'Tr0ub4dor&3';
const WRONG = 'wr0ng-passw0rd';

/** The newest PostgreSQL server's bin directory (/usr/lib/postgresql/VERSION/bin). */
function pgBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!fs.existsSync(base)) return undefined;
  const v = fs
    .readdirSync(base)
    .filter((d) => fs.existsSync(path.join(base, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return v === undefined ? undefined : path.join(base, v, 'bin');
}

/** uid and gid of the postgres account the package creates. */
function postgresUser(): { uid: number; gid: number } | undefined {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) return undefined;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

const BIN = pgBin();
const PG = postgresUser();
const PSQL = fs.existsSync('/usr/bin/psql') ? '/usr/bin/psql' : undefined;

function skipReason(): string | undefined {
  if (!BIN || !PG || !PSQL) return 'postgresql not installed (apt-get install postgresql)';
  return captureSkipReason();
}
const skip = skipReason();

/** A command as the postgres account (the server refuses to run as root). */
function asPostgres(cmd: string, args: string[]): ReturnType<typeof spawnSync> {
  return spawnSync(cmd, args, { uid: PG!.uid, gid: PG!.gid, encoding: 'utf8', cwd: '/tmp', env: { PATH: '/usr/bin:/bin', LANG: 'C' } });
}

interface Psql {
  status: number | null;
  out: string;
  err: string;
}

/** psql over TCP to 127.0.0.1 as the role app (password authentication: the password goes as typed). */
function psql(port: number, password: string, sql: string[]): Psql {
  const args = ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', 'app', '-d', 'postgres', '-v', 'ON_ERROR_STOP=0'];
  for (const s of sql) args.push('-c', s);
  const r = spawnSync(PSQL!, args, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', LANG: 'C', PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

test('database audit: PostgreSQL with password authentication, captured; the plain-text password found', { skip, timeout: 180_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-pg-'));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  const sock = path.join(dir, 'sock');
  fs.mkdirSync(sock);
  fs.chownSync(dir, PG!.uid, PG!.gid);
  fs.chownSync(sock, PG!.uid, PG!.gid);
  const port = await freePort();
  const cap = path.join(dir, 'cap.scap');
  let capture: LiveCapture | undefined;
  let started = false;
  try {
    const init = asPostgres(path.join(BIN!, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres']);
    assert.equal(init.status, 0, `initdb: ${init.stderr}`);
    // local connections (the setup) are trusted; app over TCP gives its password in clear
    fs.writeFileSync(path.join(data, 'pg_hba.conf'), 'local all all trust\nhost all app 127.0.0.1/32 password\n');
    const opts = `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c ssl=off -c fsync=off`;
    const st = asPostgres(path.join(BIN!, 'pg_ctl'), ['-D', data, '-o', opts, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']);
    assert.equal(st.status, 0, `pg_ctl start: ${st.stderr}${st.stdout}`);
    started = true;
    const setup = asPostgres(PSQL!, ['-X', '-h', sock, '-p', String(port), '-d', 'postgres', '-c', `create role app login password '${PASSWORD.replace(/'/g, "''")}'`, '-c', 'grant all on schema public to app']);
    assert.equal(setup.status, 0, `setup: ${setup.stderr}`);

    // record the server and psql only (the rest of the machine stays out of the tables)
    capture = await startCapture(cap, 'proc.name=postgres or proc.name=psql', 1024);

    const logins: Psql[] = [];
    logins.push(psql(port, PASSWORD, ['create table cards (id int, number text)', "insert into cards values (1, '4111111111111111')", 'select number from cards']));
    assert.equal(logins[0]!.status, 0, logins[0]!.err);
    assert.match(logins[0]!.out, /4111111111111111/);
    const bad = psql(port, WRONG, ['select 1']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.err, /password authentication failed for user "app"/);
    logins.push(psql(port, PASSWORD, ['select count(*) from cards', 'select nosuchcolumn from cards']));
    assert.match(logins[1]!.err, /column "nosuchcolumn" does not exist/);
    logins.push(psql(port, PASSWORD, ['select pg_sleep(0.1)', 'drop table cards']));
    assert.equal(logins[2]!.status, 0, logins[2]!.err);
    await capture.stop();

    await t.test('the password, read by the server in plain text, once per login', () => {
      const filter = `proc.name=postgres and evt.is_io_read=true and evt.buffer contains "${PASSWORD}"`;
      const out = run('tdig-echo', ['echo_fds', '-A', filter, cap]);
      assert.equal(count(out, PASSWORD), logins.length, out);
      assert.equal(count(out, `127.0.0.1:${port} (postgres)`), logins.length, out);
      if (HAVE_SYSDIG) assert.equal(run('tdig-echo', ['--color', 'echo_fds', '-A', filter, cap]), sysdig(['-r', cap, '-A', '-c', 'echo_fds', filter]));
      // the wrong one too, and the server's refusal
      const wrong = run('tdig-echo', ['echo_fds', '-A', `proc.name=postgres and evt.is_io_read=true and evt.buffer contains "${WRONG}"`, cap]);
      assert.equal(count(wrong, WRONG), 1, wrong);
      // to the client, and to the server's log (its stderr, which pg_ctl -l sends to server.log)
      const refusal = run('tdig-echo', ['echo_fds', '-A', 'proc.name=postgres and evt.is_io_write=true and evt.buffer contains "authentication failed"', cap]);
      assert.equal(count(refusal, 'password authentication failed for user "app"'), 2, refusal);
      assert.equal(count(refusal, `->127.0.0.1:${port} (postgres)`), 1, refusal);
      assert.equal(count(refusal, 'server.log (postgres)'), 1, refusal);
    });

    await t.test("topconns 'proc.name=postgres': one connection per psql run", () => {
      const json = run('tdig-agg', ['--json', 'topconns', 'proc.name=postgres', cap])
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, string | number>);
      const conns = json.filter((r) => String(r['fd.name']).endsWith(`->127.0.0.1:${port}`));
      assert.equal(conns.length, logins.length + 1, JSON.stringify(json));
      if (HAVE_SYSDIG) {
        const out = run('tdig-agg', ['topconns', 'proc.name=postgres', cap]);
        assert.equal(compareChisel(sysdig(['-r', cap, '-c', 'topconns', 'proc.name=postgres']), out, { top: 30 }), undefined);
      }
    });

    await t.test('tdig-fmt, topprocs_net and spy_port print what sysdig prints', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
      assertFmtLikeSysdig(cap);
      assert.equal(compareChisel(sysdig(['-r', cap, '-c', 'topprocs_net']), run('tdig-agg', ['topprocs_net', cap]), { top: 100 }), undefined);
      assert.equal(run('tdig-echo', ['--color', 'spy_port', String(port), cap]), sysdig(['-r', cap, '-c', 'spy_port', String(port)]));
    });
  } finally {
    capture?.kill();
    if (started) asPostgres(path.join(BIN!, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
