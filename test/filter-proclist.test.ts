// tdig-filter --filter-proclist: the process table written holds only the threads and fds the filter passes,
// each fd tested as the fd of a read exit of its thread (sysdig's --filter-proclist, threadinfo.cpp).
// The expected tables are worked out here from the input's own table, read through tdig-fmt --ndjson.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAVE_SYSDIG, firstDiff, sysdig, tdig, tdigText } from './helpers.js';

const CAP = 'test/captures/apache_ab.scap';

interface Proc {
  tid: number;
  comm: string;
}
interface FdRec {
  fd: number;
  type: number;
  name: string;
}

/** The process list and fd lists of a capture's first section. */
function table(scap: Buffer): { procs: Proc[]; fds: Map<number, FdRec[]> } {
  const procs: Proc[] = [];
  const fds = new Map<number, FdRec[]>();
  const nd = tdig('tdig-fmt', ['--ndjson', '-'], scap);
  assert.equal(nd.status, 0, nd.stderr.toString());
  for (const line of nd.stdout.toString().split('\n')) {
    if (line === '') continue;
    const b = JSON.parse(line) as { block: string; record: unknown };
    if (b.block === 'procs') procs.push(...(b.record as Proc[]));
    else if (b.block === 'fds') {
      const r = b.record as { tid: number; fds: FdRec[] };
      fds.set(r.tid, [...(fds.get(r.tid) ?? []), ...r.fds]);
    } else if (b.block === 'event') break;
  }
  return { procs, fds };
}

const input = table(readFileSync(CAP));

/** What the option keeps of the input's table, for a test of (thread, fd) written here. */
function expected(pass: (p: Proc, f: FdRec) => boolean): { tids: number[]; fds: Map<number, number[]> } {
  const fds = new Map<number, number[]>();
  for (const p of input.procs) {
    const kept = (input.fds.get(p.tid) ?? []).filter((f) => pass(p, f)).map((f) => f.fd);
    if (kept.length > 0) fds.set(p.tid, kept.sort((a, b) => a - b));
  }
  return { tids: [...fds.keys()].sort((a, b) => a - b), fds };
}

function got(scap: Buffer): { tids: number[]; fds: Map<number, number[]> } {
  const t = table(scap);
  const fds = new Map<number, number[]>();
  for (const [tid, list] of t.fds) fds.set(tid, list.map((f) => f.fd).sort((a, b) => a - b));
  return { tids: t.procs.map((p) => p.tid).sort((a, b) => a - b), fds };
}

const IPV4 = new Set([3, 5]);

test('the input has a table to cut: threads with and without fds, several kinds of fds', () => {
  assert.ok(input.procs.length > 20);
  assert.ok(input.procs.some((p) => !input.fds.has(p.tid)), 'a thread without fds');
  assert.ok(input.procs.some((p) => p.comm === 'apache2' && input.fds.has(p.tid)));
  assert.ok([...input.fds.values()].flat().some((f) => IPV4.has(f.type)));
});

for (const [filter, pass] of [
  ['proc.name=apache2', (p: Proc) => p.comm === 'apache2'],
  ['fd.type=ipv4', (_p: Proc, f: FdRec) => IPV4.has(f.type)],
  ['proc.name=bash or fd.num<3', (p: Proc, f: FdRec) => p.comm === 'bash' || f.fd < 3],
  ['evt.type=read and fd.num=0', (_p: Proc, f: FdRec) => f.fd === 0],
  ['evt.type=open', () => false],
] as const) {
  test(`--filter-proclist '${filter}': the threads and fds the filter passes, the events as without it`, () => {
    const r = tdig('tdig-filter', ['--filter-proclist', filter, CAP]);
    assert.equal(r.status, 0, r.stderr.toString());
    const want = expected(pass as (p: Proc, f: FdRec) => boolean);
    const have = got(r.stdout);
    assert.deepEqual(have.tids, want.tids);
    assert.deepEqual([...have.fds].sort((a, b) => a[0] - b[0]), [...want.fds].sort((a, b) => a[0] - b[0]));
    if (filter === 'evt.type=open') assert.equal(have.tids.length, 0, 'a read exit never passes');
    // the events kept are the same events (by number and time)
    const plain = tdig('tdig-filter', [filter, CAP]).stdout;
    const nums = (s: Buffer): string => tdigText('tdig-fmt', ['-p', '%evt.num %evt.time %evt.type', '-'], s);
    assert.equal(nums(r.stdout), nums(plain));
  });
}

test('the cut capture opens in sysdig as in tdig', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdig-proclist-'));
  try {
    const out = join(dir, 'cut.scap');
    const r = tdig('tdig-filter', ['--filter-proclist', 'proc.name=apache2 or proc.name=ab', CAP, '-w', out]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const fields = '*%evt.time %proc.name %proc.pid %proc.ppid %fd.name %fd.type %fd.sip %fd.cport %fd.is_server %user.name';
    const s = sysdig(['-r', out, '-p', fields]);
    const t = tdigText('tdig-fmt', ['-p', fields, out]);
    assert.ok(s === t, firstDiff(s, t));
    assert.equal(sysdig(['-r', out, '-c', 'ps']), tdigText('tdig-agg', ['ps', out]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a capture without events: its table is written cut at the end', () => {
  // the header blocks: up to the end of the last block before the first event
  let end = 0;
  for (const line of tdigText('tdig-fmt', ['--ndjson', CAP]).split('\n')) {
    const b = JSON.parse(line) as { block: string; offset: number; raw: string };
    if (b.block === 'event') break;
    end = b.offset + Buffer.from(b.raw, 'base64').length;
  }
  const header = readFileSync(CAP).subarray(0, end);
  assert.equal(tdigText('tdig-fmt', ['-p', '%evt.num', '-'], header), '', 'no events');
  const r = tdig('tdig-filter', ['--filter-proclist', 'proc.name=apache2', '-'], header);
  assert.equal(r.status, 0, r.stderr.toString());
  const want = expected((p) => p.comm === 'apache2');
  assert.ok(want.tids.length > 0);
  assert.deepEqual(got(r.stdout).tids, want.tids);
  // two such sections: each table is cut against its own section (the second resets the tables)
  const two = tdig('tdig-filter', ['--filter-proclist', 'proc.name=apache2', '-'], Buffer.concat([header, header]));
  assert.equal(two.status, 0, two.stderr.toString());
  const lists = tdigText('tdig-fmt', ['--ndjson', '-'], two.stdout).split('\n').filter((l) => l.includes('"block":"procs"'));
  assert.equal(lists.length, 2);
  for (const l of lists) assert.deepEqual((JSON.parse(l) as { record: Proc[] }).record.map((p) => p.tid).sort((a, b) => a - b), want.tids);
});
