// A mail server audited end to end: dovecot (Debian's dovecot-imapd and dovecot-pop3d) on 127.0.0.1 with a
// user in a password file, plain-text logins allowed (no TLS). A Python client logs in over IMAP three times,
// appending a message that holds an account number and fetching it back, then once with a wrong password, and
// reads the mailbox over POP3. tdig-capture records the server and its clients. Then:
//  - echo_fds -A on the login processes' reads shows the IMAP LOGIN and the POP3 PASS commands with the
//    password in plain text, and the wrong one;
//  - after the login, imap-login hands the client's connection to an imap process over a unix socket
//    (SCM_RIGHTS); tdig-capture records that handover (tdig-capture(1)), so the message the imap process
//    read is on its named connection, and every byte the client moved on a connection is counted on the
//    server's side: imap-login's bytes plus imap's (sysdig 0.29.3's own captures leave imap's nameless);
// and tdig-fmt, topconns and echo_fds print what sysdig 0.29.3 prints on the same capture (when it is
// installed). dovecot runs from a private configuration in a temporary directory.
// Needs root, BPF, the built addon, dovecot and python3.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { HAVE_SYSDIG, freePort, sysdig } from './helpers.js';
import { aggSums, assertFmtLikeSysdig, assertTablesLikeSysdig, captureSkipReason, count, portOpen, run, startCapture, stopServer, waitFor, type LiveCapture } from './scenario-helpers.js';

const DOVECOT = ['/usr/sbin/dovecot'].find((p) => fs.existsSync(p));
const PYTHON = '/usr/bin/python3';
const PASSWORD = 'Imap-Pa55-w0rd';
const WRONG = 'not-my-password';
const SECRET = 'the account number is 12-3456-7890';

function skipReason(): string | undefined {
  if (!DOVECOT || !fs.existsSync('/usr/lib/dovecot/imap') || !fs.existsSync('/usr/lib/dovecot/pop3')) return 'dovecot not installed (apt-get install dovecot-imapd dovecot-pop3d)';
  if (!fs.existsSync(PYTHON)) return 'python3 not installed';
  return captureSkipReason();
}
const skip = skipReason();

function dovecotConf(dir: string, imap: number, pop3: number): string {
  return `protocols = imap pop3
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    port = ${imap}
  }
}
service pop3-login {
  inet_listener pop3 {
    port = ${pop3}
  }
}
`;
}

// Three IMAP sessions (each appends a message and fetches the last one), a wrong IMAP password, one POP3
// session; prints each connection's protocol and local port (and the refusal), as JSON.
const CLIENT = `
import imaplib, json, poplib, sys
imap_port, pop3_port, password, wrong, secret = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
out = []
for i in range(3):
    m = imaplib.IMAP4('127.0.0.1', imap_port)
    m.login('carol', password)
    m.append('INBOX', None, None, ('Subject: note %d\\r\\n\\r\\n%s\\r\\n' % (i, secret)).encode())
    m.select('INBOX')
    typ, d = m.search(None, 'ALL')
    m.fetch(d[0].split()[-1], '(RFC822)')
    out.append({'proto': 'imap', 'lport': m.sock.getsockname()[1]})
    m.logout()
try:
    m = imaplib.IMAP4('127.0.0.1', imap_port)
    m.login('carol', wrong)
except imaplib.IMAP4.error as e:
    out.append({'proto': 'imap', 'lport': m.sock.getsockname()[1], 'refused': str(e)})
p = poplib.POP3('127.0.0.1', pop3_port)
p.user('carol')
p.pass_(password)
p.retr(1)
out.append({'proto': 'pop3', 'lport': p.sock.getsockname()[1]})
p.quit()
print(json.dumps(out))
`;

interface Conn {
  proto: string;
  lport: number;
  refused?: string;
}

test('mail server audit: dovecot IMAP and POP3 with plain-text logins, captured; passwords found, sessions named', { skip, timeout: 120_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-dovecot-'));
  fs.chmodSync(dir, 0o755);
  for (const d of ['run', 'state', 'mail']) fs.mkdirSync(path.join(dir, d));
  spawnSync('chown', ['nobody:nogroup', path.join(dir, 'mail')]);
  fs.writeFileSync(path.join(dir, 'users'), `carol:{PLAIN}${PASSWORD}\n`);
  const imap = await freePort();
  let pop3 = await freePort();
  while (pop3 === imap) pop3 = await freePort();
  const conf = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(conf, dovecotConf(dir, imap, pop3));
  const cap = path.join(dir, 'cap.scap');
  let server: ReturnType<typeof spawn> | undefined;
  let capture: LiveCapture | undefined;
  try {
    server = spawn(DOVECOT!, ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let srvErr = '';
    server.stderr!.on('data', (d: Buffer) => (srvErr += d.toString()));
    const log = () => srvErr + (fs.existsSync(path.join(dir, 'dovecot.log')) ? fs.readFileSync(path.join(dir, 'dovecot.log'), 'utf8') : '');
    await waitFor(async () => (await portOpen(imap)) && (await portOpen(pop3)), () => `dovecot: ${log()}`);
    // record the server's processes and the client only
    capture = await startCapture(cap, 'proc.name in (dovecot, imap-login, imap, pop3-login, pop3, auth, python3)', 1024);

    const client = spawnSync(PYTHON, ['-c', CLIENT, String(imap), String(pop3), PASSWORD, WRONG, SECRET], { encoding: 'utf8' });
    assert.equal(client.status, 0, client.stderr + log());
    const conns = JSON.parse(client.stdout) as Conn[];
    assert.equal(conns.filter((c) => c.refused !== undefined).length, 1, client.stdout);
    await capture.stop();

    await t.test('the login processes read each password in plain text', () => {
      const f = 'proc.name in (imap-login, pop3-login) and evt.is_io_read=true and (evt.buffer contains LOGIN or evt.buffer contains PASS)';
      const out = run('tdig-echo', ['echo_fds', '-A', f, cap]);
      assert.equal(count(out, ` LOGIN carol "${PASSWORD}"`), 3, out);
      assert.equal(count(out, ` LOGIN carol "${WRONG}"`), 1, out);
      assert.equal(count(out, `\nPASS ${PASSWORD}\n`), 1, out);
      if (HAVE_SYSDIG) assert.equal(run('tdig-echo', ['--color', 'echo_fds', '-A', f, cap]), sysdig(['-r', cap, '-A', '-c', 'echo_fds', f]));
    });

    await t.test('the message the imap process read is on its named connection', () => {
      const out = run('tdig-echo', ['echo_fds', '-A', `proc.name=imap and fd.type=ipv4 and evt.is_io_read=true and evt.buffer contains "${SECRET}"`, cap]);
      const heads = out.split('\n').filter((l) => l.startsWith('------ '));
      assert.equal(heads.length, 3, out);
      for (const c of conns.filter((x) => x.proto === 'imap' && x.refused === undefined)) {
        assert.equal(heads.filter((h) => h.endsWith(` 127.0.0.1:${c.lport}->127.0.0.1:${imap} (imap)`)).length, 1, out);
      }
    });

    await t.test("every byte of each connection is counted on the server's side: the login process's plus the session's", () => {
      const server = aggSums(['topconns', 'proc.name in (imap-login, imap, pop3-login, pop3)', cap], 'fd.name', 'evt.rawarg.res');
      const client = aggSums(['topconns', 'proc.name=python3', cap], 'fd.name', 'evt.rawarg.res');
      for (const c of conns) {
        const name = `127.0.0.1:${c.lport}->127.0.0.1:${c.proto === 'imap' ? imap : pop3}`;
        assert.ok(client.get(name)! > 0, `${name}: ${JSON.stringify([...client])}`);
        assert.equal(server.get(name), client.get(name), name);
      }
      // the sessions' share: what the imap and pop3 processes moved after the handover
      const sessions = aggSums(['topconns', 'proc.name in (imap, pop3)', cap], 'fd.name', 'evt.rawarg.res');
      assert.equal(sessions.size, conns.filter((c) => c.refused === undefined).length, JSON.stringify([...sessions]));
      if (HAVE_SYSDIG) assertTablesLikeSysdig(cap, [['topconns', 'proc.name in (imap-login, imap, pop3-login, pop3)'], ['topconns', 'proc.name=python3']]);
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
