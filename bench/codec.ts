// Throughput of the compression layer on ~200 MB of scap-like data (a fixture capture, repeated).
// Usage: node dist/bench/codec.js [MB]
// Prints MB/s of uncompressed data for: LZ4 encode, LZ4 decode (in 1 MiB input chunks), the same
// through openInput from a file, gunzip through openInput, and the lz4 CLI for comparison.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Lz4FrameDecoder, Lz4FrameEncoder } from '../lib/scap/lz4.js';
import { openInput } from '../lib/scap/input.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtureDir = [path.join(here, '..', '..', '..', 'shared', 'fixtures'), '/work/shared/fixtures'].find((d) => fs.existsSync(d));
if (!fixtureDir) throw new Error('no fixtures directory');
const mb = Number(process.argv[2] ?? 200);

const pieces = fs
  .readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.scap'))
  .map((f) => {
    const b = fs.readFileSync(path.join(fixtureDir, f));
    return b[0] === 0x1f && b[1] === 0x8b ? zlib.gunzipSync(b) : b;
  });
const one = Buffer.concat(pieces);
const reps = Math.ceil((mb * 1e6) / one.length);
const data = Buffer.allocUnsafe(one.length * reps);
for (let i = 0; i < reps; i++) one.copy(data, i * one.length);
const n = data.length;

function rate(ms: number): string {
  return `${((n / 1e6) / (ms / 1000)).toFixed(0)} MB/s`;
}

function best(runs: number, f: () => void): number {
  let t = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

async function bestAsync(runs: number, f: () => Promise<void>): Promise<number> {
  let t = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

console.log(`data: ${(n / 1e6).toFixed(0)} MB (${pieces.length} fixture captures, ${one.length} bytes, x${reps})`);

for (const blockSize of [65536, 4194304] as const) {
  let enc: Buffer[] = [];
  const te = best(3, () => {
    const e = new Lz4FrameEncoder({ blockSize });
    enc = [];
    for (let p = 0; p < n; p += 1 << 20) e.push(data.subarray(p, p + (1 << 20)), enc);
    e.end(enc);
  });
  const compressed = Buffer.concat(enc);
  console.log(`lz4 encode (${blockSize >> 10} KiB blocks): ${rate(te)}, ratio ${(compressed.length / n).toFixed(3)}`);
  let total = 0;
  const td = best(3, () => {
    const d = new Lz4FrameDecoder();
    const out: Buffer[] = [];
    total = 0;
    for (let p = 0; p < compressed.length; p += 1 << 20) {
      d.push(compressed.subarray(p, p + (1 << 20)), out);
      for (const b of out) total += b.length;
      out.length = 0;
    }
    d.end(out);
  });
  if (total !== n) throw new Error('lz4 round trip size mismatch');
  console.log(`lz4 decode (${blockSize >> 10} KiB blocks): ${rate(td)}`);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-bench-'));
try {
  const raw = path.join(tmp, 'data.scap');
  fs.writeFileSync(raw, data);
  execFileSync('lz4', ['-q', '-f', raw, raw + '.lz4']);
  const tc = best(1, () => execFileSync('lz4', ['-q', '-d', '-f', raw + '.lz4', raw + '.out']));
  console.log(`lz4 CLI decode (for comparison, includes writing a file): ${rate(tc)}`);
  const ti = await bestAsync(3, async () => {
    let t = 0;
    for await (const c of openInput(raw + '.lz4')) t += c.length;
    if (t !== n) throw new Error('size mismatch');
  });
  console.log(`openInput lz4 file (lz4 CLI default frame): ${rate(ti)}`);
  fs.writeFileSync(raw + '.gz', zlib.gzipSync(data, { level: 6 }));
  const tg = await bestAsync(3, async () => {
    let t = 0;
    for await (const c of openInput(raw + '.gz')) t += c.length;
    if (t !== n) throw new Error('size mismatch');
  });
  console.log(`openInput gzip file: ${rate(tg)}`);
  const tp = await bestAsync(3, async () => {
    let t = 0;
    for await (const c of openInput(raw)) t += c.length;
    if (t !== n) throw new Error('size mismatch');
  });
  console.log(`openInput plain file: ${rate(tp)}`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
