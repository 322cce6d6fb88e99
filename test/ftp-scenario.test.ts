// The classic plain-text login, audited end to end: an FTP server (Debian's vsftpd) on 127.0.0.1, a local
// user created by the test, passive data connections. A Python client (ftplib) logs in, uploads a file,
// downloads it again and lists the directory, counting the bytes of each data connection; a second client
// tries a wrong password. tdig-capture records the server and its clients. Then:
//  - echo_fds -A on the server's reads shows each PASS command with its password (twice a command: vsftpd
//    peeks at a line with recv(MSG_PEEK) before it reads it);
//  - spy_port on the control port replays the dialogue: USER, PASS, "230 Login successful." and, for the
//    wrong password, "530 Login incorrect.";
//  - the client's data connections carry exactly the bytes it counted (topconns 'proc.name=python3');
//  - on the server, vsftpd's privileged process accepts a data connection and hands the socket to the session
//    process over a unix socket (SCM_RIGHTS). libsinsp 0.29.3 knows no descriptor received that way; tdig-capture
//    writes the receiver's accept of it as a state-only event, so the session process's reads of the upload
//    and its sendfile of the download name the connection, in tdig and in sysdig (tdig-capture(1));
//  - the file was created by the session process after it had become the user (setuid): user.name;
// and tdig-fmt, topconns, topports_server, spy_port and echo_fds print what sysdig 0.29.3 prints on the same
// capture (when it is installed). vsftpd runs from a private configuration in a temporary directory.
// Needs root, BPF, the built addon, vsftpd and python3; the test adds a local user (tdigftp) and removes it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { HAVE_SYSDIG, freePort, sysdig } from './helpers.js';
import { aggSums, assertFmtLikeSysdig, assertTablesLikeSysdig, captureSkipReason, count, portOpen, run, startCapture, stopServer, waitFor, type LiveCapture } from './scenario-helpers.js';

const VSFTPD = ['/usr/sbin/vsftpd'].find((p) => fs.existsSync(p));
const PYTHON = '/usr/bin/python3';
const USER = 'tdigftp';
const WRONG = 'guess-1234';
const SIZE = 100_000;

function skipReason(): string | undefined {
  if (!VSFTPD) return 'vsftpd not installed (apt-get install vsftpd)';
  if (!fs.existsSync(PYTHON)) return 'python3 not installed';
  if (spawnSync('useradd', ['--help']).status !== 0) return 'useradd not available';
  return captureSkipReason();
}
const skip = skipReason();

function vsftpdConf(dir: string, port: number, pasv: number): string {
  return `listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=${port}
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
local_root=${dir}/ftproot
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=${pasv}
pasv_max_port=${pasv}
pam_service_name=vsftpd
secure_chroot_dir=${dir}/empty
vsftpd_log_file=${dir}/vsftpd.log
log_ftp_protocol=YES
`;
}

// Logs in, uploads SIZE bytes (STOR), downloads them (RETR), lists (NLST); prints the local port of the control
// connection and, per data connection, its command, local port and the bytes it carried, as JSON.
const CLIENT = `
import ftplib, json, sys
port, user, password, size = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
data = bytes((i * 7) % 251 for i in range(size))
f = ftplib.FTP()
f.connect('127.0.0.1', port)
f.login(user, password)
f.voidcmd('TYPE I')
out = {'control': f.sock.getsockname()[1], 'data': []}
c = f.transfercmd('STOR up.bin')
out['data'].append({'cmd': 'STOR', 'lport': c.getsockname()[1], 'bytes': len(data)})
c.sendall(data)
c.close()
f.voidresp()
c = f.transfercmd('RETR up.bin')
got = b''
while True:
    d = c.recv(65536)
    if not d:
        break
    got += d
out['data'].append({'cmd': 'RETR', 'lport': c.getsockname()[1], 'bytes': len(got)})
c.close()
f.voidresp()
assert got == data
f.quit()
print(json.dumps(out))
`;

const WRONG_CLIENT = `
import ftplib, sys
f = ftplib.FTP()
f.connect('127.0.0.1', int(sys.argv[1]))
try:
    f.login(sys.argv[2], sys.argv[3])
    print('logged in')
except ftplib.error_perm as e:
    print(str(e))
`;

interface Transfer {
  cmd: string;
  lport: number;
  bytes: number;
}

function ensureUser(home: string, password: string): void {
  const exists = spawnSync('id', [USER]).status === 0;
  const r = exists ? spawnSync('usermod', ['-d', home, USER]) : spawnSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', USER]);
  assert.equal(r.status, 0, r.stderr?.toString());
  const p = spawnSync('chpasswd', [], { input: `${USER}:${password}\n` });
  assert.equal(p.status, 0, p.stderr?.toString());
}

test('FTP audit: vsftpd with a local user, captured; the password in plain text, the bytes of each transfer', { skip, timeout: 120_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-ftp-'));
  fs.chmodSync(dir, 0o755);
  const root = path.join(dir, 'ftproot');
  fs.mkdirSync(root);
  fs.mkdirSync(path.join(dir, 'empty'));
  const password = `Ftp-${crypto.randomBytes(6).toString('hex')}`;
  ensureUser(root, password);
  spawnSync('chown', [USER, root]);
  const port = await freePort();
  let pasv = await freePort();
  while (pasv === port) pasv = await freePort();
  const conf = path.join(dir, 'vsftpd.conf');
  fs.writeFileSync(conf, vsftpdConf(dir, port, pasv));
  const cap = path.join(dir, 'cap.scap');
  const upload = path.join(root, 'up.bin');
  let server: ReturnType<typeof spawn> | undefined;
  let capture: LiveCapture | undefined;
  try {
    server = spawn(VSFTPD!, [conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let srvErr = '';
    server.stderr!.on('data', (d: Buffer) => (srvErr += d.toString()));
    await waitFor(() => portOpen(port), () => `vsftpd: ${srvErr}`);
    // record the server and its clients only
    capture = await startCapture(cap, 'proc.name in (vsftpd, python3)', 1024);

    const client = spawnSync(PYTHON, ['-c', CLIENT, String(port), USER, password, String(SIZE)], { encoding: 'utf8' });
    assert.equal(client.status, 0, client.stderr);
    const session = JSON.parse(client.stdout) as { control: number; data: Transfer[] };
    assert.equal(fs.statSync(upload).size, SIZE);
    const denied = spawnSync(PYTHON, ['-c', WRONG_CLIENT, String(port), USER, WRONG], { encoding: 'utf8' });
    assert.equal(denied.stdout.trim(), '530 Login incorrect.', denied.stderr);
    await capture.stop();

    await t.test('echo_fds: each PASS command the server read, with the password', () => {
      const f = 'proc.name=vsftpd and evt.is_io_read=true and evt.buffer contains "PASS "';
      const out = run('tdig-echo', ['echo_fds', '-A', f, cap]);
      assert.equal(count(out, `\nPASS ${password}\n`), 2, out);
      assert.equal(count(out, `\nPASS ${WRONG}\n`), 2, out);
      assert.equal(count(out, `from   127.0.0.1:${session.control}->127.0.0.1:${port} (vsftpd)`), 2, out);
      if (HAVE_SYSDIG) assert.equal(run('tdig-echo', ['--color', 'echo_fds', '-A', f, cap]), sysdig(['-r', cap, '-A', '-c', 'echo_fds', f]));
    });

    await t.test('spy_port: the control connection, login accepted and refused', () => {
      const out = run('tdig-echo', ['spy_port', String(port), cap]);
      // each command once as the client's write, twice as the server's peek and read
      assert.equal(count(out, `USER ${USER}..`), 6, out);
      assert.match(out, /------ Write 23B\n230 Login successful\.\.\.\n/);
      assert.match(out, /------ Write 22B\n530 Login incorrect\.\.\.\n/);
      assert.match(out, new RegExp(`------ Write \\d+B\\n227 Entering Passive Mode \\(127,0,0,1,${pasv >> 8},${pasv & 255}\\)`));
      if (HAVE_SYSDIG) assert.equal(run('tdig-echo', ['--color', 'spy_port', String(port), cap]), sysdig(['-r', cap, '-c', 'spy_port', String(port)]));
    });

    await t.test("topconns 'proc.name=python3': each data connection with the bytes the client counted", () => {
      const io = aggSums(['topconns', 'proc.name=python3', cap], 'fd.name', 'evt.rawarg.res');
      assert.deepEqual(session.data.map((d) => d.bytes), [SIZE, SIZE]);
      for (const d of session.data) assert.equal(io.get(`127.0.0.1:${d.lport}->127.0.0.1:${pasv}`), d.bytes, `${d.cmd} ${JSON.stringify([...io])}`);
      if (HAVE_SYSDIG) assertTablesLikeSysdig(cap, [['topconns', 'proc.name=python3'], ['topconns', 'proc.name=vsftpd'], ['topports_server']]);
    });

    await t.test("the server's side of each data connection: the socket the session process received, named", () => {
      // the privileged process accepted both data connections and handed each to the session process over a
      // unix socket (SCM_RIGHTS); tdig-capture wrote the receiver's accept as a state-only event
      const accepted = run('tdig-fmt', [cap, '-p', '%proc.pid %fd.name', `proc.name=vsftpd and evt.type=accept and evt.dir=< and fd.sport=${pasv}`]);
      assert.equal(accepted.split('\n').filter((l) => l !== '').length, 2, accepted);
      const [stor, retr] = session.data as [Transfer, Transfer];
      const name = (d: Transfer): string => `127.0.0.1:${d.lport}->127.0.0.1:${pasv}`;
      // the upload: read by the session process on its connection, written to the file
      const server = aggSums(['topconns', 'proc.name=vsftpd', cap], 'fd.name', 'evt.rawarg.res');
      assert.equal(server.get(name(stor)), SIZE, JSON.stringify([...server]));
      const written = aggSums(['by', 'fd.name', '--sum', 'evt.rawarg.res', `proc.name=vsftpd and evt.is_io_write=true and fd.name=${upload}`, cap], 'fd.name', 'evt.rawarg.res');
      assert.equal(written.get(upload), SIZE);
      // the download: sendfile from the file to its connection (which topconns does not count: tdig-agg(1))
      const sent = aggSums(['by', 'fd.name', '--sum', 'evt.rawarg.res', 'proc.name=vsftpd and evt.type=sendfile and evt.dir=<', cap], 'fd.name', 'evt.rawarg.res');
      assert.deepEqual([...sent], [[name(retr), SIZE]]);
      assert.equal(run('tdig-fmt', [cap, '-p', '%evt.arg.in_fd %evt.arg.size', 'proc.name=vsftpd and evt.type=sendfile and evt.dir=>']), `<f>${upload} ${SIZE}\n`);
      // no data of vsftpd's crossed a descriptor without a name
      const unnamed = run('tdig-fmt', [cap, '-p', '%evt.num %proc.pid %fd.num %evt.type', 'proc.name=vsftpd and evt.is_io=true and evt.dir=< and evt.rawarg.res>0 and not fd.type exists']);
      assert.equal(unnamed, '');
      // sysdig 0.29.3 reads the same names from the file
      if (HAVE_SYSDIG) {
        const f = `proc.name=vsftpd and (evt.type=sendfile or fd.sport=${pasv}) and evt.dir=<`;
        assert.equal(run('tdig-fmt', [cap, '-p', '%evt.num %proc.pid %evt.type %fd.name %evt.rawarg.res', f]), sysdig(['-r', cap, '-p', '%evt.num %proc.pid %evt.type %fd.name %evt.rawarg.res', f]));
      }
    });

    await t.test('the file was created by the session process as the user it logged in as', () => {
      const out = run('tdig-fmt', [cap, '-p', '%proc.pid %user.name %proc.name %evt.arg.flags', `evt.type=openat and evt.dir=< and fd.name=${upload}`]);
      const m = new RegExp(`^(\\d+) ${USER} vsftpd O_NONBLOCK\\|O_CREAT\\|O_WRONLY\\n`).exec(out);
      assert.ok(m, out);
      // that process became the user with setuid: root before it, the user after
      const ids = run('tdig-fmt', [cap, '-p', '%user.name %evt.dir %evt.type %evt.args', `proc.pid=${m[1]} and evt.type=setuid`]);
      assert.match(ids, new RegExp(`^root > setuid uid=\\d+\\(${USER}\\) \\n${USER} < setuid res=0 \\n$`), ids);
    });

    await t.test('tdig-fmt prints what sysdig prints', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
      assertFmtLikeSysdig(cap);
    });
  } finally {
    capture?.kill();
    await stopServer(server);
    spawnSync('userdel', [USER]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
