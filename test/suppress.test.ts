// -U COMM (lib/state/suppress.ts): which events libscap's rules leave out, how the rest are numbered, and
// the command lines of every reader; against sysdig -U on real captures (goldens: fmt-parity's ush and
// ucurljson, the chisel cases *-U) and, when it is installed, on a synthetic capture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventBlock, sectionBlocks } from '../lib/scap/writer.js';
import { eventInfo } from '../lib/events/table.js';
import { event, i64, proc, u32 } from './synth.js';
import { GOLDEN, HAVE_SYSDIG, ROOT, firstDiff, golden, sysdig, tdig, tdigText } from './helpers.js';
import { existsSync } from 'node:fs';

const CLONE_20_X = 223;
const EXECVE_19_X = 293;
const PROCEXIT_1_E = 186;
const READ_E = 6;

/** An event of `type` with a well-formed value for each of its parameters; `set` replaces some by index. */
function full(type: number, tid: number, set: Record<number, Buffer>): Buffer {
  const params = eventInfo(type)!.params.map((p, i) => {
    if (set[i] !== undefined) return set[i]!;
    switch (p.type) {
      case 9: case 17: return Buffer.from('x\0');
      case 10: return Buffer.alloc(0);
      case 1: case 5: case 19: return Buffer.alloc(1);
      case 2: case 6: return Buffer.alloc(2);
      case 3: case 7: case 30: return Buffer.alloc(4);
      default: return Buffer.alloc(8);
    }
  });
  return event(type, tid, params);
}
const cstr = (s: string): Buffer => Buffer.from(s + '\0', 'latin1');
/** a clone or execve exit of `tid`: parent `ptid`, comm `comm` */
const spawnExit = (type: number, tid: number, ptid: number, comm: string): Buffer => full(type, tid, { 0: i64(0), 3: i64(tid), 4: i64(tid), 5: i64(ptid), 13: cstr(comm) });
const read = (tid: number): Buffer => event(READ_E, tid, [i64(0), u32(10)]);

function capture(events: Buffer[]): Buffer {
  const blocks = sectionBlocks({ procs: [proc(100, 'sh'), proc(200, 'other')] });
  for (const e of events) blocks.push(eventBlock(0, 0, e, false));
  return Buffer.concat(blocks);
}

// 1 read of sh (the process list does not suppress: a file's list is not checked), then sh clones: it and
// its child are suppressed, the child's exec keeps it so (its parent is), an exec of a suppressed thread
// into another program ends it, procexit of a suppressed thread forgets it
const EVENTS = [
  read(100),
  spawnExit(CLONE_20_X, 100, 1, 'sh'),
  read(100),
  spawnExit(CLONE_20_X, 101, 100, 'sh'),
  spawnExit(EXECVE_19_X, 101, 100, 'ls'),
  read(101),
  read(200),
  full(PROCEXIT_1_E, 100, {}),
  read(100),
  spawnExit(EXECVE_19_X, 300, 1, 'sh'),
  read(300),
  spawnExit(EXECVE_19_X, 300, 1, 'cat'),
  read(300),
];
const FORMAT = '%evt.num %thread.tid %evt.type';

test('-U: clone and execve exits suppress by comm or by parent, exec into another program and procexit end it; the rest is renumbered', () => {
  const cap = capture(EVENTS);
  const got = tdigText('tdig-fmt', ['-U', 'sh', '-p', FORMAT], cap);
  assert.equal(got, ['1 100 read', '2 200 read', '3 100 read', '4 300 execve', '5 300 read', ''].join('\n'));
  // without -U every event prints
  assert.equal(tdigText('tdig-fmt', ['-p', FORMAT], cap).split('\n').length - 1, EVENTS.length);
  // two names: the comm of either suppresses
  assert.equal(tdigText('tdig-fmt', ['-U', 'cat', '-U', 'sh', '-p', FORMAT], cap), ['1 100 read', '2 200 read', '3 100 read', ''].join('\n'));
});

test('-U on the synthetic capture prints what sysdig -U prints', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdig-u-'));
  try {
    const f = join(dir, 'u.scap');
    writeFileSync(f, capture(EVENTS));
    for (const args of [['-U', 'sh'], ['-U', 'cat', '-U', 'sh'], ['-U', 'ls']]) {
      const want = sysdig(['-r', f, ...args, '-p', FORMAT]);
      assert.equal(tdigText('tdig-fmt', [...args, '-p', FORMAT, f]), want, args.join(' '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-U: a clone exit with fewer than 14 parameters ends the read with a one-line error (libscap fails there)', () => {
  const short = event(CLONE_20_X, 100, [i64(0), cstr('x'), Buffer.alloc(0)]);
  const r = tdig('tdig-fmt', ['-U', 'sh', '-p', FORMAT], capture([read(200), short, read(200)]));
  assert.equal(r.status, 1);
  assert.equal(r.stdout.toString(), '1 200 read\n');
  const err = r.stderr.toString();
  assert.equal(err.trim().split('\n').length, 1, err);
  assert.match(err, /^tdig-fmt: could not find the process comm .* \(-U\) at byte \d+\n$/);
});

test('-U takes up to 32 distinct names in every command; a 33rd is a one-line usage error', () => {
  const many = Array.from({ length: 33 }, (_, i) => ['-U', `p${i}`]).flat();
  const cap = capture(EVENTS);
  for (const [cmd, args] of [['tdig-fmt', []], ['tdig-filter', ['evt.type=read']], ['tdig-agg', ['topscalls']], ['tdig-echo', ['echo_fds']]] as const) {
    const r = tdig(cmd, [...many, ...args], cap);
    assert.equal(r.status, 2, cmd);
    assert.match(r.stderr.toString(), /^tdig-\w+: -U: at most 32 distinct process names \(33 given\)\n$/, cmd);
    // 32 names, one repeated: fine
    const ok = tdig(cmd, [...many.slice(0, 64), '-U', 'p0', ...args], cap);
    assert.equal(ok.status, 0, `${cmd}: ${ok.stderr.toString()}`);
  }
});

const CAPS = ['test/captures/mixed_calls.scap', 'test/captures/loopback_workload.scap', 'test/captures/creds.scap'];

test('tdig-filter -U F | tdig-fmt prints what sysdig -U F prints (golden: sysdig -U with a filter that keeps every event)', () => {
  for (const rel of CAPS) {
    const cap = join(ROOT, rel);
    const name = rel.split('/').pop()!.replace('.scap', '');
    const want = golden(`fmt/${name}.ush.gz`);
    const filtered = tdig('tdig-filter', ['-U', 'sh', 'evt.num>0', cap]);
    assert.equal(filtered.status, 0, filtered.stderr.toString());
    const got = tdigText('tdig-fmt', [], filtered.stdout);
    assert.ok(got === want, `${name}: ${firstDiff(want, got)}`);
  }
});

test('tdig-filter -U and -M with filters match sysdig run live', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const runs: [string, string[], string][] = [];
  for (const rel of CAPS) {
    for (const f of ['evt.type=read', 'fd.type=file', 'proc.name!=python3']) {
      runs.push([rel, ['-U', 'sh'], f], [rel, ['-U', 'curl', '-U', 'python3'], f]);
    }
  }
  // the only capture here that spans more than a second of events
  for (const f of ['evt.type=write', 'fd.type=file', 'evt.dir=<', 'proc.name!=bash']) runs.push(['test/captures/logs/log_writes.scap', ['-M', '1'], f]);
  for (const [rel, opts, f] of runs) {
    const cap = join(ROOT, rel);
    const want = sysdig(['-r', cap, ...opts, f]);
    // (not --thin: it leaves out what keeps fd names right)
    for (const extra of [[], ['--stateful']]) {
      const filtered = tdig('tdig-filter', [...extra, ...opts, f, cap]);
      assert.equal(filtered.status, 0, filtered.stderr.toString());
      const got = tdigText('tdig-fmt', [], filtered.stdout);
      assert.ok(got === want, `${rel} ${opts.join(' ')} ${extra.join(' ')} ${f}: ${firstDiff(want, got)}`);
    }
  }
});

test('tdig-filter -M: a filtered stream stops where sysdig -M stops (golden: sysdig -M 1 with a filter that keeps every event)', () => {
  const cap = join(ROOT, 'test/captures/logs/log_writes.scap');
  const want = golden('fmt/log_writes.m1.gz');
  assert.ok(existsSync(join(GOLDEN, 'fmt/log_writes.m1.gz')));
  const all = tdigText('tdig-fmt', [cap]);
  assert.ok(want.split('\n').length < all.split('\n').length - 1000, 'the golden stops early');
  const filtered = tdig('tdig-filter', ['-M', '1', 'evt.num>0', cap]);
  const got = tdigText('tdig-fmt', [], filtered.stdout);
  assert.ok(got === want, firstDiff(want, got));
});
