import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataError } from '../lib/cli/errors.js';
import { Lz4FrameDecoder, Lz4FrameEncoder, lz4DecodeSync, lz4EncodeSync, xxh32, Xxh32, decodeBlock, compressBlock, compressBound } from '../lib/scap/lz4.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-lz4-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

/** Deterministic pseudo-random generator (xorshift32). */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function randomBytes(n: number, seed = 1): Buffer {
  const r = rng(seed);
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = r() & 255;
  return b;
}

const WORDS = 'open close read write socket connect accept execve clone /usr/lib/libc.so.6 fd=3 res=0 size=4096 GET / HTTP/1.1 Host: www.google.com curl bash 127.0.0.1:80'.split(' ');

/** Text-like data with plenty of matches at all distances. */
function textBytes(n: number, seed = 7): Buffer {
  const r = rng(seed);
  const parts: string[] = [];
  let len = 0;
  while (len < n) {
    const w = WORDS[r() % WORDS.length]! + (r() % 5 === 0 ? String(r() % 100000) : '') + (r() % 9 === 0 ? '\n' : ' ');
    parts.push(w);
    len += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, n);
}

/** Mixed: text, zero runs and random stretches. */
function mixedBytes(n: number, seed = 3): Buffer {
  const r = rng(seed);
  const b = Buffer.alloc(n);
  let p = 0;
  while (p < n) {
    const k = Math.min(n - p, 1 + (r() % 20000));
    const kind = r() % 3;
    if (kind === 0) textBytes(k, r()).copy(b, p);
    else if (kind === 1) randomBytes(k, r()).copy(b, p);
    p += k;
  }
  return b;
}

function tmpFile(name: string, data?: Uint8Array): string {
  const f = path.join(tmp, name);
  if (data) fs.writeFileSync(f, data);
  return f;
}

function cliCompress(data: Buffer, args: string[], name: string): Buffer {
  const src = tmpFile(`${name}.raw`, data);
  const dst = tmpFile(`${name}.lz4`);
  execFileSync('lz4', ['-q', '-f', ...args, src, dst]);
  return fs.readFileSync(dst);
}

function cliDecompress(data: Buffer, name: string): Buffer {
  const src = tmpFile(`${name}.lz4`, data);
  const dst = tmpFile(`${name}.out`);
  execFileSync('lz4', ['-q', '-d', '-f', src, dst]);
  return fs.readFileSync(dst);
}

/** Decodes in chunks of the given size (exercises items that straddle chunks). */
function decodeChunked(data: Buffer, chunk: number): Buffer {
  const dec = new Lz4FrameDecoder();
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) dec.push(data.subarray(i, i + chunk), out);
  dec.end(out);
  return Buffer.concat(out);
}

function catchData(f: () => unknown): DataError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a DataError');
}

test('xxh32 known values', () => {
  assert.equal(xxh32(Buffer.alloc(0)), 0x02cc5d05);
  assert.equal(xxh32(Buffer.from('abc')), 0x32d153ff);
  assert.equal(xxh32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
  assert.equal(xxh32(Buffer.alloc(0), 0, 0, 1), 0x0b2cb792);
  // Streaming equals one-shot for any split.
  const data = randomBytes(1000, 5);
  for (const step of [1, 3, 15, 16, 17, 100, 999]) {
    const h = new Xxh32();
    for (let i = 0; i < data.length; i += step) h.update(data, i, Math.min(data.length, i + step));
    assert.equal(h.digest(), xxh32(data), `step ${step}`);
  }
  // Unaligned views.
  assert.equal(xxh32(data.subarray(3, 500)), xxh32(Buffer.from(data.subarray(3, 500))));
});

test('block codec round trips', () => {
  const table = new Int32Array(1 << 16);
  for (const data of [Buffer.alloc(0), Buffer.from('a'), Buffer.alloc(12), Buffer.alloc(13), Buffer.alloc(100000), textBytes(70000), randomBytes(5000), mixedBytes(300000)]) {
    const c = Buffer.alloc(compressBound(data.length));
    const n = compressBlock(data, 0, data.length, c, 0, table);
    const d = Buffer.alloc(data.length);
    assert.equal(decodeBlock(c, 0, n, d, 0, d.length, 0), data.length);
    assert.ok(d.equals(data));
  }
  // A match reaching before the window is rejected, not read.
  const bad = Buffer.from([0x00, 0x05, 0x00]); // token: 0 literals, offset 5 with nothing before
  assert.equal(decodeBlock(bad, 0, bad.length, Buffer.alloc(100), 0, 100, 0), -1);
});

test('round trips: random, zeros, text, mixed, sizes around block boundaries', () => {
  const K = 65536;
  const sizes = [0, 1, 5, 12, 13, 14, 100, K - 1, K, K + 1, 2 * K - 13, 2 * K, 3 * K + 5];
  for (const size of sizes) {
    for (const [kind, make] of [
      ['random', randomBytes],
      ['zeros', (n: number) => Buffer.alloc(n)],
      ['text', textBytes],
      ['mixed', mixedBytes],
    ] as const) {
      const data = make(size);
      const enc = lz4EncodeSync(data, { blockSize: 65536 });
      assert.ok(lz4DecodeSync(enc).equals(data), `${kind} ${size}`);
      assert.ok(decodeChunked(enc, 7).equals(data), `${kind} ${size} chunked`);
    }
  }
  // Default 4 MiB blocks on several MiB.
  const big = mixedBytes(9 * 1024 * 1024 + 17);
  const enc = lz4EncodeSync(big);
  assert.ok(lz4DecodeSync(enc).equals(big));
  assert.ok(decodeChunked(enc, 1 << 20).equals(big));
  assert.ok(decodeChunked(enc, 100003).equals(big));
});

test('our frames decode with lz4 -d', () => {
  const cases: Array<[string, Buffer, 65536 | 4194304]> = [
    ['empty', Buffer.alloc(0), 65536],
    ['random', randomBytes(200000), 65536],
    ['zeros', Buffer.alloc(300000), 65536],
    ['text', textBytes(5 * 1024 * 1024 + 3), 4194304],
    ['mixed', mixedBytes(1000000), 65536],
  ];
  for (const [name, data, blockSize] of cases) {
    const enc = lz4EncodeSync(data, { blockSize });
    assert.ok(cliDecompress(enc, `ours-${name}`).equals(data), name);
  }
  // Pieces pushed in odd sizes, with a flush in the middle: still one valid frame.
  const data = mixedBytes(500000, 11);
  const e = new Lz4FrameEncoder({ blockSize: 65536 });
  const out: Buffer[] = [];
  let i = 0;
  for (const n of [1, 70000, 3, 200000, 12345]) {
    e.push(data.subarray(i, i + n), out);
    i += n;
    if (n === 3) e.flush(out);
  }
  e.push(data.subarray(i), out);
  e.end(out);
  assert.ok(cliDecompress(Buffer.concat(out), 'ours-pieces').equals(data));
});

test('lz4 CLI frames decode exactly', () => {
  const data = mixedBytes(3 * 1024 * 1024 + 1234, 21);
  const text = textBytes(700000, 22);
  const variants: Array<[string, Buffer, string[]]> = [
    ['default', data, []],
    ['linked', data, ['-BD']],
    ['linked64k', text, ['-B4', '-BD']],
    ['b64k', data, ['-B4']],
    ['b256k', data, ['-B5']],
    ['b1m', data, ['-B6']],
    ['size', data, ['--content-size']],
    ['nocrc', data, ['--no-frame-crc']],
    ['blockcrc', data, ['-BX']],
    ['all', text, ['-B4', '-BD', '-BX', '--content-size']],
    ['hc', text, ['-9', '-BD', '-B4']],
    ['stored', randomBytes(300000, 9), ['-B4']],
  ];
  for (const [name, raw, args] of variants) {
    const enc = cliCompress(raw, args, `cli-${name}`);
    assert.ok(lz4DecodeSync(enc).equals(raw), name);
    assert.ok(decodeChunked(enc, 4093).equals(raw), `${name} chunked`);
  }
  // Two frames concatenated, plus skippable frames before, between and after.
  const a = cliCompress(data, [], 'cat-a');
  const b = cliCompress(text, ['-BD', '-B4'], 'cat-b');
  const both = Buffer.concat([data, text]);
  assert.ok(lz4DecodeSync(Buffer.concat([a, b])).equals(both));
  const skip = (n: number, magicLow: number): Buffer => {
    const s = Buffer.alloc(8 + n, 0xab);
    s.writeUInt32LE(0x184d2a50 + magicLow, 0);
    s.writeUInt32LE(n, 4);
    return s;
  };
  const withSkips = Buffer.concat([skip(10, 0), a, skip(0, 15), b, skip(100000, 7)]);
  assert.ok(lz4DecodeSync(withSkips).equals(both));
  assert.ok(decodeChunked(withSkips, 3).equals(both));
  // What the CLI itself makes of the concatenation agrees.
  assert.ok(cliDecompress(Buffer.concat([a, b]), 'cat-cli').equals(both));
});

test('corrupt content checksum is a DataError at its offset', () => {
  const data = textBytes(100000, 4);
  const enc = Buffer.from(cliCompress(data, [], 'crc'));
  enc[enc.length - 1] ^= 0xff;
  const e = catchData(() => lz4DecodeSync(enc));
  assert.match(e.message, /content checksum/);
  assert.equal(e.where, `byte ${enc.length - 4}`);
});

test('corrupt block checksum, header checksum and block data are DataErrors', () => {
  const data = textBytes(100000, 4);
  const enc = Buffer.from(cliCompress(data, ['-BX', '-B4'], 'bcrc'));
  // First block: header is 7 bytes, then the block size.
  const size = enc.readUInt32LE(7) & 0x7fffffff;
  enc[11 + size] ^= 1;
  const e = catchData(() => lz4DecodeSync(enc));
  assert.match(e.message, /block checksum/);
  assert.equal(e.where, `byte ${11 + size}`);

  const h = Buffer.from(cliCompress(data, [], 'hcrc'));
  h[6] ^= 1;
  assert.match(catchData(() => lz4DecodeSync(h)).message, /header checksum/);

  const d = Buffer.from(cliCompress(data, ['--no-frame-crc'], 'bdata'));
  d.fill(0xff, 11, 40); // garbage lengths in the first block
  const de = catchData(() => lz4DecodeSync(d));
  assert.match(de.message, /corrupt block|checksum/);
  assert.equal(de.where, 'byte 11'); // the block's data, after its size field
});

test('truncated frame is a DataError with the offset', () => {
  const data = mixedBytes(400000, 8);
  const enc = cliCompress(data, ['-B4'], 'trunc');
  for (const cut of [3, 5, 8, 1000, enc.length - 4, enc.length - 1]) {
    const e = catchData(() => decodeChunked(enc.subarray(0, cut), 65536));
    assert.match(e.message, /unexpected end|truncated/);
    assert.equal(e.where, `byte ${cut}`);
  }
  // Output before the cut is still produced.
  const dec = new Lz4FrameDecoder();
  const out: Buffer[] = [];
  dec.push(enc.subarray(0, enc.length - 100), out);
  assert.ok(Buffer.concat(out).equals(data.subarray(0, Buffer.concat(out).length)));
  assert.ok(Buffer.concat(out).length >= 65536);
});

test('dictionary id, bad magic and wrong content size are DataErrors', () => {
  // FLG 0x61: version 1, independent blocks, dict id. BD 0x40.
  const hdr = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x61, 0x40, 1, 2, 3, 4, 0]);
  hdr[10] = (xxh32(hdr, 4, 10) >>> 8) & 0xff;
  assert.match(catchData(() => lz4DecodeSync(hdr)).message, /dictionary/);

  const good = lz4EncodeSync(Buffer.from('hello hello hello'));
  const e = catchData(() => lz4DecodeSync(Buffer.concat([good, Buffer.from('junkjunk')])));
  assert.match(e.message, /magic/);
  assert.equal(e.where, `byte ${good.length}`);

  const sized = Buffer.from(cliCompress(textBytes(5000), ['--content-size'], 'csize'));
  // Change the content size (bytes 6..13) and fix the header checksum.
  sized.writeUInt32LE(4999, 6);
  sized[14] = (xxh32(sized, 4, 14) >>> 8) & 0xff;
  assert.match(catchData(() => lz4DecodeSync(sized)).message, /header says|more than/);
});
