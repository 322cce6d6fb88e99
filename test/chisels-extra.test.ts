// Chisels checked outside the golden cases: tracers_2_statsd (UDP), shellshock_detect, and spy_logs/spy_syslog -pc
// on a terminal.
// tracers_2_statsd sends a statsd timer per exit tracer over UDP to 127.0.0.1:8125, as sysdig does (its
// address arguments are parsed and never used). The golden holds the datagrams sysdig 0.29.3 sent for the
// tracers capture, one per line (received by a UDP listener on 127.0.0.1:8125 during
// `sysdig -r test/captures/tracers.scap -c tracers_2_statsd`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { HAVE_SYSDIG, ROOT, bin, golden } from './helpers.js';

const CAP = join(ROOT, 'test', 'captures', 'tracers.scap');

/** Runs cmd args with a UDP listener on 127.0.0.1:8125; the datagrams received, one per line. */
async function datagrams(cmd: string, args: string[]): Promise<string | undefined> {
  const sock = createSocket('udp4');
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString('latin1')));
  const bound = await new Promise<boolean>((res) => {
    sock.once('error', () => res(false));
    sock.bind(8125, '127.0.0.1', () => res(true));
  });
  if (!bound) return undefined;
  try {
    const code = await new Promise<number | null>((res) => spawn(cmd, args, { stdio: 'ignore' }).on('close', res));
    assert.equal(code, 0, `${cmd} ${args.join(' ')}`);
    // the last datagrams may still be in the socket's queue
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    sock.close();
  }
  return got.join('\n') + '\n';
}

test('tracers_2_statsd sends the timers sysdig sends', async (t) => {
  const got = await datagrams(process.execPath, [bin('tdig-agg'), 'tracers_2_statsd', CAP]);
  if (got === undefined) return t.skip('UDP port 8125 is in use');
  assert.equal(got, golden('chisels/tracers/tracers_2_statsd.udp'));
  assert.ok(got.includes('req.db:2.750058|ms'), got);
  if (HAVE_SYSDIG) assert.equal(await datagrams('sysdig', ['-r', CAP, '-c', 'tracers_2_statsd']), got);
});

test('tracers_2_statsd ignores its address arguments, as sysdig does', async (t) => {
  const got = await datagrams(process.execPath, [bin('tdig-agg'), 'tracers_2_statsd', '10.1.2.3 9999', CAP]);
  if (got === undefined) return t.skip('UDP port 8125 is in use');
  assert.equal(got, golden('chisels/tracers/tracers_2_statsd.udp'));
});

// shellshock_detect: sysdig 0.29.3 cannot run its own chisel (its filter mixes and/or without brackets, which
// 0.29.3 refuses); tdig's grammar reads it as current libs do. The expected lines take the time, parent name
// and parent pid of the two execve exits from sysdig -p (the fields of the check below),
// and the function text from test/data/shellshock.sh.
test('shellshock_detect reports the bash and sh started with a function in their environment', () => {
  const cap = join(ROOT, 'test', 'data', 'shellshock.scap');
  const got = spawnSync(process.execPath, [bin('tdig-echo'), 'shellshock_detect', cap], { encoding: 'latin1' });
  assert.equal(got.status, 0, got.stderr);
  assert.equal(got.stdout, golden('chisels/shellshock_detect.out'));
  if (HAVE_SYSDIG) {
    const fields = spawnSync('sysdig', ['-r', cap, '-p', '%evt.time %proc.pname %proc.ppid', 'evt.type=execve and evt.dir=< and (proc.name=bash or proc.name=sh)'], { encoding: 'latin1' }).stdout;
    const lines = got.stdout.split('\n').slice(1, -1).map((l) => l.slice(0, 52).trim().split(/ +/).join(' '));
    assert.deepEqual(lines, fields.split('\n').slice(0, 2));
  }
});

// spy_logs and spy_syslog colour their lines only on a terminal (sysdig.is_tty), so the golden cases (sysdig into
// a pipe) cover their plain -pc lines; here the terminal ones, tdig-echo --color against sysdig on a pseudo-terminal
// (util-linux script). sysdig's terminal also gets the "\x1b[00m" its exit prints, and its chisel error on stdout
// (spy_syslog fails on the capture's write without a severity; the colour reset still follows, in both).
const LOGS = join(ROOT, 'test', 'captures', 'logs', 'log_writes.scap');
const HAVE_SCRIPT = spawnSync('script', ['--version']).status === 0;

test('spy_logs and spy_syslog -pc on a terminal print what sysdig prints', () => {
  const tdigColor = (chisel: string) => spawnSync(process.execPath, [bin('tdig-echo'), '--color', '-pc', chisel, LOGS]).stdout.toString('latin1');
  const logs = tdigColor('spy_logs');
  const syslog = tdigColor('spy_syslog');
  // the line's colour, then the container name (in blue for a container, else the line's colour) and the line
  assert.equal(logs.split('\n')[0], '\x1b[32m \x1b[32m host \x1b[32m workload.sh /tmp/tf/cap3/app.log service starting');
  // on a terminal: container id and name, 20 wide, before FACILITY.SEVERITY
  assert.equal(syslog.split('\n')[0], `\x1b[32m${'host'.padEnd(20)} ${'host'.padEnd(20)} user.notice logger[5433] Nov 26 17:44:32 myapp: hello from logger`);
  if (!HAVE_SYSDIG || !HAVE_SCRIPT) return;
  for (const [chisel, got] of [['spy_logs', logs], ['spy_syslog', syslog]] as const) {
    const r = spawnSync('script', ['-qfec', `sysdig -r '${LOGS}' -pc -c ${chisel} 2>/dev/null`, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exp = r.stdout.toString('latin1').replace(/\r\n/g, '\n').replace(/\x1b\[00m/g, '').split('\n').filter((l) => !l.includes('chisel error')).join('\n');
    assert.equal(got, exp, chisel);
  }
});
