// Input whose cost must grow with its size, not with its square: each case once took minutes (found by
// fuzzing). The limits below are there to stop a hang; these runs take a second or two.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameBlock } from '../lib/scap/blocks.js';
import { eventBlock, sectionBlocks } from '../lib/scap/writer.js';
import { bin } from './helpers.js';
import { readBlocks } from '../lib/scap/reader.js';
import { eventInfo } from '../lib/events/table.js';
import { event, i64, proc } from './synth.js';

const dir = mkdtempSync(join(tmpdir(), 'tdig-scale-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Runs a command with a time limit well past what it needs; fails on a hang. */
function run(name: string, args: string[], input?: Buffer): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin(name), ...args], { input, maxBuffer: 1 << 30, timeout: 30_000 });
  assert.notEqual(r.signal, 'SIGTERM', `${name} ${args.join(' ')} still running after 30 s`);
  return { status: r.status, out: r.stdout.toString('latin1'), err: r.stderr.toString() };
}

const CLOSE_E = 4;
/** sha256 of `sysdig -r full.scap -p '%evt.num %thread.tid %proc.name %proc.pid'` on the capture of the full-table test */
const SYSDIG_FULL_TABLE_SHA256 = 'd6f9b46c947631b54e7a87d71e3c60af08541a8cced3981e73cd7a91b9a2f76c';

/** A capture file: init in the process list, then a close enter from each of n tids it never introduced (1000 on). */
function unknownTids(n: number, name: string): string {
  const blocks = sectionBlocks({ procs: [proc(100, 'init')] });
  for (let i = 0; i < n; i++) blocks.push(eventBlock(0, 0, event(CLOSE_E, 1000 + i, [i64(3)]), false));
  const f = join(dir, name);
  writeFileSync(f, Buffer.concat(blocks));
  return f;
}

test('80,000 threads the capture never introduced: each gets its placeholder without a walk over the others', () => {
  const n = 80_000;
  const f = unknownTids(n, 'tids.scap');
  const r = run('tdig-fmt', ['-p', '%evt.num %thread.tid %proc.name', f]);
  assert.equal(r.status, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines.length, n);
  assert.equal(lines[n - 1], `${n} ${1000 + n - 1} <NA>`);
  const g = run('tdig-filter', ['proc.name=init', f]);
  assert.equal(g.status, 0, g.err);
});

test('a block of 32 MiB in 1 KiB reads of reused buffers is gathered once, not merged with every read', { timeout: 60_000 }, async () => {
  const events = [eventBlock(0, 0, event(CLOSE_E, 100, [i64(3)]), false), eventBlock(0, 0, event(CLOSE_E, 100, [i64(4)]), false)];
  const head = sectionBlocks({ procs: [proc(100, 'init')] });
  // a block of a type tdig does not know, which readers pass on as a header block
  const big = frameBlock(0x0bad0001, Buffer.alloc(32 << 20, 0x5a));
  const input = Buffer.concat([...head, big, ...events]);
  // the way tdig reads a pipe: small reads into a ring of buffers, each overwritten two reads later
  const ring = [Buffer.alloc(1024), Buffer.alloc(1024)];
  async function* reads(): AsyncGenerator<Buffer> {
    for (let off = 0, i = 0; off < input.length; off += 1024, i ^= 1) {
      const n = input.copy(ring[i]!, 0, off, off + 1024);
      // (a turn of the event loop now and then, as a pipe gives, so that the test's time limit can fire)
      if ((off & 0xfffff) === 0) await new Promise((r) => setImmediate(r));
      yield ring[i]!.subarray(0, n);
    }
  }
  const seen: string[] = [];
  let bigOk = false;
  await readBlocks(reads(), {
    header(b) {
      if (b.type === 0x0bad0001) bigOk = b.end - b.start === big.length && b.buf.subarray(b.start, b.end).equals(big);
    },
    event(ev) {
      seen.push(`${ev.num} ${ev.tid} ${ev.paramInt(0)}`);
      return true;
    },
  }, { tableNparams: (t) => eventInfo(t)?.params.length ?? 0 });
  assert.ok(bigOk, 'the big block arrives whole and unchanged');
  assert.deepEqual(seen, ['1 100 3', '2 100 4']);
});

test('a long NDJSON line is read in time linear in its length; one past 256 MiB is refused', () => {
  const long = Buffer.concat([Buffer.from('{"raw":"'), Buffer.alloc(150 << 20, 0x41), Buffer.from('"}\n')]);
  const r = run('tdig-fmt', [], long);
  assert.equal(r.status, 1);
  assert.match(r.err, /^tdig-fmt: NDJSON "raw" is not one whole block at line 1\n$/);
  const over = Buffer.concat([Buffer.from('{"raw":"'), Buffer.alloc((256 << 20) + 16, 0x41)]);
  const o = run('tdig-fmt', [], over);
  assert.equal(o.status, 1);
  assert.match(o.err, /^tdig-fmt: NDJSON line longer than 256 MiB \(no tdig record is\) at line 1\n$/);
});

test('a full thread table (131,072 threads, as libsinsp holds) takes no more: later unknown tids have no thread, as in sysdig', () => {
  const n = 140_000;
  const f = unknownTids(n, 'full.scap');
  // -p prints only events that have every field: those of the 131,071 threads that fit besides init's
  const r = run('tdig-fmt', ['-p', '%evt.num %thread.tid %proc.name %proc.pid', f]);
  assert.equal(r.status, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines.length, 131_071);
  assert.equal(lines.at(-1), '131071 132070 <NA> 132070');
  // sysdig 0.29.3 prints this capture so, byte for byte (checked once: it needs ~5 minutes for it)
  assert.equal(createHash('sha256').update(r.out).digest('hex'), SYSDIG_FULL_TABLE_SHA256);
  // the events past the cap are still there, without a thread (the tid is the event's own; sysdig's too)
  const all = run('tdig-fmt', ['-p', '*%evt.num %thread.tid %proc.pid', f]);
  assert.equal(all.out.trimEnd().split('\n').at(-1), `${n} ${1000 + n - 1} <NA>`);
});
