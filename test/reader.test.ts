// The block walker against chunk boundaries: every split of the input gives the same blocks and events,
// and a large plain file read with reused chunk buffers prints what the same bytes from a pipe print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';

import { readBlocks } from '../lib/scap/reader.js';
import { eventInfo } from '../lib/events/table.js';
import { v1Nparams } from '../lib/scap/event.js';
import { EVENT_HEADER_V1 } from '../lib/scap/blocks.js';
import { bin, parityCaptures, ROOT } from './helpers.js';

const nparams = (t: number): number => eventInfo(t)?.params.length ?? 0;

/** One line per block: offset, kind or event type and number, and a hash of the bytes handed over. */
async function walk(chunks: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  async function* gen(): AsyncGenerator<Buffer> {
    for (const c of chunks) yield c;
  }
  await readBlocks(
    gen(),
    {
      header(b) {
        out.push(`H ${b.offset} ${b.type} ${createHash('sha1').update(b.buf.subarray(b.start, b.end)).digest('hex')}`);
      },
      event(ev) {
        const h = createHash('sha1').update(ev.buf.subarray(ev.off, ev.off + ev.len)).digest('hex');
        out.push(`E ${ev.streamOffset} ${ev.type} ${ev.num} ${ev.flags} ${ev.cpu} ${ev.tid} ${ev.nparams} ${h}`);
      },
    },
    { tableNparams: nparams },
  );
  return out;
}

function split(data: Buffer, sizes: (i: number) => number): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 0, i = 0; o < data.length; i++) {
    const n = Math.max(1, sizes(i));
    // a fresh copy per chunk, as a stream hands them over
    out.push(Buffer.from(data.subarray(o, o + n)));
    o += n;
  }
  return out;
}

for (const cap of parityCaptures().filter((c) => /curl_google|synth3|unix_threads/.test(c))) {
  test(`readBlocks: chunk boundaries anywhere give the same blocks (${cap.split('/').pop()})`, async () => {
    const raw = readFileSync(cap);
    const data = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
    const whole = await walk([data]);
    assert.ok(whole.length > 10);
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const sizes of [() => 1, () => 7, () => 100, () => 4093, () => 1 + Math.floor(rnd() * 3000)]) {
      assert.deepEqual(await walk(split(data, sizes)), whole);
    }
  });
}

test('readBlocks: a filtered stream (blocks with flags, number trailers) splits the same anywhere', async () => {
  const cap = parityCaptures().find((c) => /curl_google\.scap/.test(c))!;
  const r = spawnSync(bin('tdig-filter'), ['proc.name=curl and evt.type=read', cap], { maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr.toString());
  const whole = await walk([r.stdout]);
  // E offset type num flags ...: state-only events (flag 1) and kept ones (0), numbered as in the capture
  const events = whole.filter((l) => l.startsWith('E ')).map((l) => l.split(' '));
  assert.ok(events.length > 10);
  assert.ok(events.some((f) => f[4] === '1') && events.some((f) => f[4] === '0'));
  assert.ok(events.some((f, i) => Number(f[3]) !== i + 1));
  for (const n of [1, 5, 64, 1000]) assert.deepEqual(await walk(split(r.stdout, () => n)), whole);
});

test('a plain file of many chunks (reused buffers) prints what the same bytes from a pipe print', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdig-reader-'));
  try {
    const big = join(dir, 'big.scap');
    const mk = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'mkbig.js'), join(ROOT, 'test', 'captures', 'loopback_workload.scap'), big, '40']);
    assert.equal(mk.status, 0, mk.stderr.toString());
    const bytes = readFileSync(big);
    assert.ok(bytes.length > 8 * (1 << 20), `only ${bytes.length} bytes`);
    const fromFile = spawnSync(process.execPath, [bin('tdig-fmt'), big], { maxBuffer: 1 << 30 });
    const fromPipe = spawnSync(process.execPath, [bin('tdig-fmt'), '-'], { input: bytes, maxBuffer: 1 << 30 });
    assert.equal(fromFile.status, 0, fromFile.stderr.toString());
    assert.ok(fromFile.stdout.length > 0);
    assert.ok(fromFile.stdout.equals(fromPipe.stdout), 'file and pipe differ');
    const aggFile = spawnSync(process.execPath, [bin('tdig-agg'), 'topfiles_bytes', big]);
    const aggPipe = spawnSync(process.execPath, [bin('tdig-agg'), 'topfiles_bytes', '-'], { input: bytes });
    assert.equal(aggFile.status, 0, aggFile.stderr.toString());
    assert.ok(aggFile.stdout.equals(aggPipe.stdout));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('v1Nparams: the largest count whose lengths add up to the event length, as a sum of each length finds it', () => {
  // reference: count down from the table's count, summing the 2-byte lengths one by one
  const ref = (b: Buffer, off: number, len: number, tableN: number): number => {
    for (let n = tableN; n > 0; n--) {
      const lensEnd = EVENT_HEADER_V1 + 2 * n;
      if (lensEnd > len) continue;
      let sum = lensEnd;
      for (let i = 0; i < n; i++) sum += b.readUInt16LE(off + EVENT_HEADER_V1 + 2 * i);
      if (sum === len) return n;
    }
    return 0;
  };
  let seed = 7;
  const rnd = (m: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % m;
  let matched = 0;
  for (let k = 0; k < 2000; k++) {
    const off = rnd(5);
    const actual = rnd(9);
    const lens = Array.from({ length: 9 }, () => (rnd(4) === 0 ? 0 : rnd(70000) < 60000 ? rnd(40) : 65535 - rnd(3)));
    const b = Buffer.alloc(off + EVENT_HEADER_V1 + 18 + 8);
    for (let i = 0; i < 9; i++) b.writeUInt16LE(lens[i]!, off + EVENT_HEADER_V1 + 2 * i);
    // an event length that the first `actual` lengths make up, or one off
    let len = EVENT_HEADER_V1 + 2 * actual;
    for (let i = 0; i < actual; i++) len += lens[i]!;
    len += rnd(3) === 0 ? rnd(3) - 1 : 0;
    const tableN = rnd(10);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    const want = ref(b, off, len, tableN);
    if (want !== 0) matched++;
    assert.equal(v1Nparams(dv, off, len, tableN), want, `lens ${lens} len ${len} tableN ${tableN}`);
  }
  assert.ok(matched > 500, `only ${matched} cases found a count`);
});
