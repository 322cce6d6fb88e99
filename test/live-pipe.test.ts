// A live pipeline (tdig-capture | tdig-filter F | tdig-fmt) shows events as they come: each command hands
// over the output it holds back before it waits for more input (lib/scap/input.ts, setBeforeWait), also
// when the input is gzip (inflated in the thread pool) and when the output is compressed. Each case writes
// a whole capture into the command's stdin, keeps the pipe open, and expects the command's whole output for
// that capture before the pipe closes. --unbuffered changes only when bytes leave, never which.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { Lz4FrameEncoder } from '../lib/scap/lz4.js';
import { ROOT, bin, tdig, tdigText } from './helpers.js';

const cap = readFileSync(join(ROOT, 'test', 'data', 'curl_google.scap'));
const plainCap = cap[0] === 0x1f ? gunzipSync(cap) : cap;

function lz4(b: Buffer): Buffer {
  const enc = new Lz4FrameEncoder();
  return Buffer.concat([...enc.push(b), ...enc.end()]);
}

/** How long a command may take to show what it was given (a deadline for a hang, not a speed check). */
const DEADLINE_MS = 30_000;

/**
 * Runs `stages` as a shell-less pipeline, writes `input` into the first one's stdin and keeps it open until
 * the last one's stdout holds `want` bytes (or the deadline passes); returns what it held then, and its
 * whole output once the input was closed.
 */
async function whileOpen(stages: string[][], input: Buffer, want: number): Promise<{ early: Buffer; all: Buffer }> {
  const procs: ChildProcess[] = [];
  for (const [name, ...args] of stages) {
    const prev = procs[procs.length - 1];
    const p = spawn(process.execPath, [bin(name!), ...args], { stdio: [prev ? prev.stdout! : 'pipe', 'pipe', 'inherit'] });
    procs.push(p);
  }
  const last = procs[procs.length - 1]!;
  const parts: Buffer[] = [];
  let have = 0;
  let early: Buffer | undefined;
  const reached = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, DEADLINE_MS);
    last.stdout!.on('data', (b: Buffer) => {
      parts.push(b);
      have += b.length;
      if (have >= want) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  procs[0]!.stdin!.write(input);
  await reached;
  early = Buffer.concat(parts);
  procs[0]!.stdin!.end();
  await new Promise<void>((resolve) => last.on('close', () => resolve()));
  return { early, all: Buffer.concat(parts) };
}

for (const [kind, input] of [['plain', plainCap], ['gzip', gzipSync(plainCap)], ['lz4', lz4(plainCap)]] as const) {
  test(`tdig-fmt shows every event of a ${kind} pipe before the pipe closes`, async () => {
    const want = tdig('tdig-fmt', [], plainCap).stdout;
    const { early, all } = await whileOpen([['tdig-fmt']], input, want.length);
    assert.equal(early.length, want.length, 'output held back while the input was open');
    assert.ok(all.equals(want));
  });
}

test('tdig-filter | tdig-fmt: the filter hands over its scap output before it waits', async () => {
  const want = tdig('tdig-fmt', ['proc.name=curl and evt.type in (connect, read, write, close)'], plainCap).stdout;
  assert.ok(want.length > 0);
  const { early, all } = await whileOpen([['tdig-filter', 'proc.name=curl and evt.type in (connect, read, write, close)'], ['tdig-fmt']], plainCap, want.length);
  assert.equal(early.length, want.length);
  assert.ok(all.equals(want));
});

test('tdig-filter -z and tdig-fmt --to scap -z flush their gzip output before they wait', async () => {
  const want = tdig('tdig-fmt', ['-p', '%evt.num %evt.type %fd.name', 'evt.type=connect or evt.type=sendto'], plainCap).stdout;
  assert.ok(want.length > 0);
  const filtered = await whileOpen([['tdig-filter', '-z', 'evt.type=connect or evt.type=sendto'], ['tdig-fmt', '-p', '%evt.num %evt.type %fd.name']], plainCap, want.length);
  assert.equal(filtered.early.length, want.length);
  const all = tdig('tdig-fmt', [], plainCap).stdout;
  const converted = await whileOpen([['tdig-fmt', '--to', 'scap', '-z'], ['tdig-fmt']], plainCap, all.length);
  assert.equal(converted.early.length, all.length);
  assert.ok(converted.all.equals(all));
});

test('tdig-echo and tdig-agg print what they have before they wait', async () => {
  const want = tdigText('tdig-echo', ['echo_fds'], plainCap);
  // echo_fds prints each event's data as it comes; at the end of the capture it prints its colour reset,
  // without colours an empty line
  assert.ok(want.endsWith('\n\n'));
  const { early, all } = await whileOpen([['tdig-echo', 'echo_fds']], plainCap, want.length - 1);
  assert.equal(early.toString('latin1'), want.slice(0, -1));
  assert.equal(all.toString('latin1'), want);
  // a per-second table of a live stream: the capture's intervals before the end
  const agg = await whileOpen([['tdig-agg', 'iobytes_net']], plainCap, 1);
  assert.ok(agg.early.length > 0, 'iobytes_net printed nothing before the input ended');
});

test('--unbuffered writes the same bytes', () => {
  for (const [name, args] of [['tdig-fmt', []], ['tdig-fmt', ['-j']], ['tdig-fmt', ['--ndjson']], ['tdig-echo', ['echo_fds', '-X']], ['tdig-agg', ['topfiles_bytes']]] as const) {
    const a = tdig(name, [...args], plainCap);
    const b = tdig(name, ['--unbuffered', ...args], plainCap);
    assert.equal(b.status, 0, `${name} --unbuffered: ${b.stderr}`);
    assert.ok(a.stdout.length > 0 && a.stdout.equals(b.stdout), `${name} ${args.join(' ')}`);
  }
});

// ---------------------------------------------------------------------------------------------
// Ctrl-C (lib/cli/interrupt.ts): as sysdig, the input ends there and the command ends as at its end, exit 0

/** The first `n` events of the capture with its header blocks, as a capture of its own. */
function firstEvents(n: number): Buffer {
  const r = tdig('tdig-fmt', ['--to', 'scap', '-n', String(n)], plainCap);
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

/** /proc/PID/io's rchar (bytes the process read) and its state letter, or undefined once it is gone. */
function procIo(pid: number): { rchar: number; state: string } | undefined {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'latin1');
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return { rchar: Number(/rchar: (\d+)/.exec(io)![1]), state: stat.slice(stat.lastIndexOf(')') + 2)[0]! };
  } catch {
    return undefined;
  }
}

/** Waits until the process has read `bytes` more than `from` and sleeps (waits for more input). */
async function consumed(pid: number, from: number, bytes: number): Promise<void> {
  const end = Date.now() + DEADLINE_MS;
  let still = 0;
  while (Date.now() < end) {
    const p = procIo(pid);
    if (p === undefined) return;
    still = p.rchar >= from + bytes && p.state === 'S' ? still + 1 : 0;
    if (still >= 3) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Starts `name args` on a pipe, lets it read `input` (the pipe stays open, its writer silent), sends SIGINT,
 * and returns its output and exit status.
 */
async function interruptedRun(name: string, args: string[], input: Buffer, signal: NodeJS.Signals = 'SIGINT'): Promise<{ out: string; raw: Buffer; code: number | null; err: string }> {
  const p = spawn(process.execPath, [bin(name), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  p.stdout!.on('data', (b: Buffer) => out.push(b));
  p.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const closed = new Promise<number | null>((resolve) => p.on('close', (code) => resolve(code)));
  // started and waiting for input: what it read so far is its own files
  await consumed(p.pid!, 0, 0);
  const before = procIo(p.pid!)?.rchar ?? 0;
  p.stdin!.write(input);
  await consumed(p.pid!, before, input.length);
  p.kill(signal);
  const timer = setTimeout(() => p.kill('SIGKILL'), DEADLINE_MS);
  const code = await closed;
  clearTimeout(timer);
  p.stdin!.destroy();
  const raw = Buffer.concat(out);
  return { out: raw.toString('latin1'), raw, code, err };
}

test('Ctrl-C on a pipe whose writer is silent: the chisels end with what they read, exit 0', async () => {
  const part = firstEvents(700);
  for (const [name, args] of [
    ['tdig-agg', ['topprocs_net']],
    ['tdig-agg', ['topconns']],
    ['tdig-agg', ['-c', 'topfiles_bytes', '-c', 'topscalls']],
    ['tdig-echo', ['echo_fds']],
  ] as const) {
    const want = tdigText(name, [...args], part);
    assert.ok(want.length > 0);
    const r = await interruptedRun(name, [...args], part);
    assert.equal(r.code, 0, `${name} ${args.join(' ')}: exit ${r.code} ${r.err}`);
    assert.equal(r.err, '');
    assert.equal(r.out, want, `${name} ${args.join(' ')}`);
  }
});

test('SIGINT and SIGTERM: tdig-fmt -S prints its summary, tdig-filter closes its output whole', async () => {
  const part = firstEvents(500);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const fmt = await interruptedRun('tdig-fmt', ['-S'], part, sig);
    assert.equal(fmt.code, 0, fmt.err);
    assert.equal(fmt.out, tdigText('tdig-fmt', ['-S'], part));
  }
  // gzip output: the stream is ended properly (gunzip takes it whole), and holds what was kept
  const filt = await interruptedRun('tdig-filter', ['-z', 'proc.name=curl'], part);
  assert.equal(filt.code, 0, filt.err);
  assert.doesNotThrow(() => gunzipSync(filt.raw), 'a cut gzip stream');
  assert.equal(tdigText('tdig-fmt', [], filt.raw), tdigText('tdig-fmt', ['proc.name=curl'], part));
});

test('Ctrl-C twice on a silent pipe: the command ends, never hangs', async () => {
  const p = spawn(process.execPath, [bin('tdig-fmt')], { stdio: ['pipe', 'ignore', 'pipe'] });
  const closed = new Promise<{ code: number | null; sig: NodeJS.Signals | null }>((resolve) => p.on('close', (code, sig) => resolve({ code, sig })));
  await consumed(p.pid!, 0, 0);
  p.kill('SIGINT');
  p.kill('SIGINT');
  const timer = setTimeout(() => p.kill('SIGKILL'), DEADLINE_MS);
  const end = await closed;
  clearTimeout(timer);
  // the first signal ends the input (exit 0), or the second, back to its default action, ends the process
  assert.ok(end.code === 0 || end.sig === 'SIGINT', `ended with ${end.code} ${end.sig}`);
});

test('Ctrl-C while a file is read: the table of what was read, exit 0 (as sysdig)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdig-int-'));
  try {
    const big = join(dir, 'big.scap');
    execFileSync(process.execPath, [join(ROOT, 'dist', 'bench', 'mkbig.js'), join(ROOT, 'test', 'data', 'curl_google.scap'), big, '400']);
    const whole = tdigText('tdig-agg', ['topprocs_net', big]);
    const p = spawn(process.execPath, [bin('tdig-agg'), 'topprocs_net', big], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout!.on('data', (b: Buffer) => out.push(b));
    p.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const closed = new Promise<number | null>((resolve) => p.on('close', (code) => resolve(code)));
    // signal once the process has read a few MiB of the file (it may be done by then: the table is whole)
    const end = Date.now() + DEADLINE_MS;
    while (Date.now() < end && (procIo(p.pid!)?.rchar ?? Infinity) < 8 << 20) await new Promise((r) => setTimeout(r, 5));
    p.kill('SIGINT');
    const code = await closed;
    assert.equal(code, 0, err);
    const text = Buffer.concat(out).toString('latin1');
    const lines = text.split('\n');
    const wholeLines = whole.split('\n');
    // the same table: header, rule, one row for curl (its bytes up to where the read stopped)
    assert.deepEqual(lines.slice(0, 2), wholeLines.slice(0, 2));
    assert.match(lines[2]!, /^\S+\s+curl\s+17497$/);
    assert.equal(lines.length, wholeLines.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
