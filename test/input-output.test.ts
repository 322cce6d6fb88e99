import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Readable, PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DataError } from '../lib/cli/errors.js';
import { detectCompression, openInput } from '../lib/scap/input.js';
import { openOutput, isBrokenPipe, BrokenPipe } from '../lib/scap/output.js';
import { lz4EncodeSync } from '../lib/scap/lz4.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-io-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function sample(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    // Compressible: small alphabet with runs.
    b[i] = (x >>> 16) % 7 === 0 ? (x >>> 8) & 255 : 0x61 + ((i >> 5) % 20);
  }
  return b;
}

async function readAll(src: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of src) parts.push(c);
  return Buffer.concat(parts);
}

async function rejectsData(p: Promise<unknown>, re: RegExp): Promise<DataError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    assert.match(e.message, re);
    return e;
  }
  assert.fail('expected a DataError');
}

function file(name: string, data?: Uint8Array): string {
  const f = path.join(tmp, name);
  if (data) fs.writeFileSync(f, data);
  return f;
}

test('detectCompression', () => {
  assert.equal(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0])), 'gzip');
  assert.equal(detectCompression(Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x64])), 'lz4');
  assert.equal(detectCompression(Buffer.from([0x5a, 0x2a, 0x4d, 0x18])), 'lz4');
  assert.equal(detectCompression(Buffer.from([0x0a, 0x0d, 0x0d, 0x0a])), 'plain');
  assert.equal(detectCompression(Buffer.from([0x04, 0x22])), 'plain');
  assert.equal(detectCompression(Buffer.alloc(0)), 'plain');
});

test('plain passthrough from a path and from a stream with tiny chunks', async () => {
  const data = sample(3 * 1024 * 1024 + 5);
  assert.ok((await readAll(openInput(file('plain.bin', data)))).equals(data));
  const chunks = [data.subarray(0, 1), data.subarray(1, 3), data.subarray(3, 100), data.subarray(100)];
  assert.ok((await readAll(openInput(Readable.from(chunks)))).equals(data));
  assert.equal((await readAll(openInput(Readable.from([])))).length, 0);
  assert.ok((await readAll(openInput(Readable.from([Buffer.from('ab')])))).equals(Buffer.from('ab')));
});

test('gzip: single and multi-member, from a path and a stream', async () => {
  const a = sample(2 * 1024 * 1024, 2);
  const b = sample(1000, 3);
  const one = zlib.gzipSync(a);
  assert.ok((await readAll(openInput(file('one.gz', one)))).equals(a));
  const multi = Buffer.concat([zlib.gzipSync(a), zlib.gzipSync(b), zlib.gzipSync(Buffer.alloc(0)), zlib.gzipSync(b)]);
  const want = Buffer.concat([a, b, b]);
  assert.ok((await readAll(openInput(file('multi.gz', multi)))).equals(want));
  const pieces: Buffer[] = [];
  for (let i = 0; i < multi.length; i += 777) pieces.push(multi.subarray(i, i + 777));
  assert.ok((await readAll(openInput(Readable.from(pieces)))).equals(want));
  // gzip's own multi-member output agrees.
  const f = file('cli.raw', a);
  const gz = execFileSync('sh', ['-c', `gzip -c ${f}; gzip -c ${f}`], { maxBuffer: 1 << 26 });
  assert.ok((await readAll(openInput(Readable.from([gz])))).equals(Buffer.concat([a, a])));
});

test('gzip: truncated and corrupt input are DataErrors with an offset, or the range zlib was given', async () => {
  const gz = zlib.gzipSync(sample(500000, 4));
  const cut = gz.subarray(0, gz.length - 10);
  const e = await rejectsData(readAll(openInput(file('cut.gz', cut))), /^gzip: unexpected end of file/);
  assert.equal(e.where, `${file('cut.gz')} byte ${cut.length}`);
  const bad = Buffer.from(gz);
  bad[3] = 0xff; // reserved flag bits
  const e2 = await rejectsData(readAll(openInput(Readable.from([bad]))), /^gzip: /);
  // zlib fails within the input it was handed, and does not say where: the range, not a made-up byte
  assert.equal(e2.where, `compressed bytes 0-${bad.length - 1}`);
  // a fault past the first chunk: the range starts where zlib's consumed input ended
  const big = zlib.gzipSync(sample(3 << 20, 7), { level: 1 });
  const flip = Buffer.from(big);
  flip[flip.length - 6] ^= 0xff; // the stored CRC
  const e3 = await rejectsData(readAll(openInput(file('crc.gz', flip))), /^gzip: incorrect data check/);
  const m = /^.*crc\.gz compressed bytes (\d+)-(\d+)$/.exec(e3.where ?? '');
  assert.ok(m, e3.where);
  assert.ok(Number(m[1]) > 0 && Number(m[1]) <= flip.length - 6 && Number(m[2]) === flip.length - 1, e3.where);
});

test('lz4: CLI files through openInput, linked blocks, concatenated frames', async () => {
  const a = sample(5 * 1024 * 1024 + 3, 5);
  const b = sample(300000, 6);
  const fa = file('a.raw', a);
  const fb = file('b.raw', b);
  execFileSync('lz4', ['-q', '-f', fa, file('a.lz4')]);
  execFileSync('lz4', ['-q', '-f', '-BD', '-B4', fb, file('b.lz4')]);
  const cat = Buffer.concat([fs.readFileSync(file('a.lz4')), fs.readFileSync(file('b.lz4'))]);
  file('ab.lz4', cat);
  assert.ok((await readAll(openInput(file('ab.lz4')))).equals(Buffer.concat([a, b])));
  const pieces: Buffer[] = [];
  for (let i = 0; i < cat.length; i += 65521) pieces.push(cat.subarray(i, i + 65521));
  assert.ok((await readAll(openInput(Readable.from(pieces)))).equals(Buffer.concat([a, b])));
  // Truncated: DataError at the end offset, after yielding what was complete.
  const cut = cat.subarray(0, cat.length - 1000);
  const got: Buffer[] = [];
  const e = await rejectsData(
    (async () => {
      for await (const c of openInput(file('cut.lz4', cut))) got.push(c);
    })(),
    /^lz4: unexpected end/,
  );
  assert.equal(e.where, `byte ${cut.length}`);
  assert.ok(Buffer.concat(got).length >= a.length);
  // Legacy format is refused.
  const legacy = Buffer.from([0x02, 0x21, 0x4c, 0x18, 0, 0, 0, 0]);
  await rejectsData(readAll(openInput(Readable.from([legacy]))), /legacy/);
});

test('lz4 legacy, xz, zstd and bzip2 inputs: one line that names the format, the file and byte 0', async () => {
  const raw = sample(100000, 8);
  const src = file('foreign.raw', raw);
  const made: [string, string, string[]][] = [
    ['lz4', 'lz4 legacy-format (lz4 -l) input', ['-q', '-f', '-l', src, file('foreign.lz4')]],
    ['xz', 'xz-compressed input', ['-k', '-f', src]],
    ['zstd', 'zstd-compressed input', ['-q', '-f', src, '-o', file('foreign.raw.zst')]],
    ['bzip2', 'bzip2-compressed input', ['-k', '-f', src]],
  ];
  const out = { lz4: 'foreign.lz4', xz: 'foreign.raw.xz', zstd: 'foreign.raw.zst', bzip2: 'foreign.raw.bz2' } as const;
  for (const [tool, what, args] of made) {
    execFileSync(tool, args);
    const f = file(out[tool as keyof typeof out]);
    const e = await rejectsData(readAll(openInput(f)), new RegExp(`^${what.replace(/[()]/g, '\\$&')} is not supported`));
    assert.equal(e.where, `${f} byte 0`);
    // through a command: one line, exit 1
    const r = spawnSync(process.execPath, [path.join(here, '..', '..', 'bin', 'tdig-fmt.js'), f], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stderr, `tdig-fmt: ${what} is not supported (plain, gzip and lz4 frames are; decompress it first) at ${f} byte 0\n`);
    assert.equal(r.stdout, '');
  }
});

test('breaking out of openInput stops reading', async () => {
  const gz = zlib.gzipSync(sample(4 * 1024 * 1024, 7));
  const f = file('early.gz', gz);
  let n = 0;
  for await (const c of openInput(f)) {
    n += c.length;
    break;
  }
  assert.ok(n > 0);
  const lz = file('early.lz4', lz4EncodeSync(sample(4 * 1024 * 1024, 7), { blockSize: 65536 }));
  for await (const c of openInput(lz)) {
    assert.ok(c.length > 0);
    break;
  }
});

for (const compression of ['plain', 'gzip', 'lz4'] as const) {
  for (const sized of [false, true]) {
    test(`openOutput ${compression}${sized ? ', sized' : ''}: bytesOut is the file's size; over() tells a limit as the file reaches it`, async () => {
      const data = sample(3 * 1024 * 1024 + 7, 9);
      const f = file(`size-${compression}-${sized}.scap`);
      const sink = openOutput({ path: f, compression, sized });
      let crossed = -1;
      for (let i = 0; i < data.length; i += 50000) {
        if (crossed < 0 && sized && sink.over(300000)) crossed = sink.bytesOut;
        if (!sink.write(data.subarray(i, i + 50000))) await sink.drain();
      }
      await sink.close();
      assert.equal(sink.bytesOut, fs.statSync(f).size);
      assert.ok((await readAll(openInput(f))).equals(data));
      if (sized) {
        // a sized output is over 300 kB once about that much is in the file: exactly so for plain output, to
        // within what one write adds at the ratio reached (gzip members of 256 KiB of input, lz4 blocks of 64 KiB)
        const ratio = sink.bytesOut / data.length;
        assert.ok(crossed > 300000 - 50000 * ratio && crossed <= 300000 + 50000 * ratio * 1.5, `${compression}: over 300000 at ${crossed} bytes out (ratio ${ratio.toFixed(3)})`);
        if (compression === 'gzip') assert.ok(execFileSync('gzip', ['-dc', f], { maxBuffer: 1 << 26 }).equals(data), 'gzip reads the members as one file');
      }
    });
  }

  test(`openOutput ${compression}: round trip, mode 0600, external decoders`, async () => {
    const data = sample(6 * 1024 * 1024 + 99, 8);
    const f = file(`out-${compression}.scap`);
    fs.writeFileSync(f, 'old contents');
    fs.chmodSync(f, 0o644);
    const sink = openOutput({ path: f, compression });
    for (let i = 0; i < data.length; i += 100000) {
      if (!sink.write(data.subarray(i, i + 100000))) await sink.drain();
    }
    await sink.close();
    assert.equal(sink.bytesIn, data.length);
    assert.equal(fs.statSync(f).mode & 0o777, 0o600);
    assert.ok((await readAll(openInput(f))).equals(data));
    const ext =
      compression === 'gzip'
        ? execFileSync('gzip', ['-dc', f], { maxBuffer: 1 << 26 })
        : compression === 'lz4'
          ? execFileSync('lz4', ['-dc', f], { maxBuffer: 1 << 26 })
          : fs.readFileSync(f);
    assert.ok(ext.equals(data));

    const fresh = file(`new-${compression}.scap`);
    const s2 = openOutput({ path: fresh, compression });
    await s2.writeAsync(Buffer.from('x'));
    await s2.close();
    assert.equal(fs.statSync(fresh).mode & 0o777, 0o600);
  });

  test(`openOutput ${compression} to a stream: flush makes data readable, stream stays open`, async () => {
    const pt = new PassThrough();
    const got: Buffer[] = [];
    pt.on('data', (c: Buffer) => got.push(c));
    const sink = openOutput({ compression, stdout: pt });
    const data = sample(200000, 9);
    sink.write(data.subarray(0, 100000));
    sink.flush();
    // zlib flushes on its thread pool: wait for the bytes (bounded), not a fixed time
    for (let waited = 0; waited < 5000 && Buffer.concat(got).length === 0; waited += 10) {
      await new Promise((r) => setTimeout(r, 10));
    }
    if (compression === 'plain') assert.ok(Buffer.concat(got).equals(data.subarray(0, 100000)));
    else assert.ok(Buffer.concat(got).length > 0, 'flushed bytes reach the stream');
    sink.write(data.subarray(100000));
    await sink.close();
    assert.ok(!pt.writableEnded);
    assert.ok((await readAll(openInput(Readable.from([Buffer.concat(got)])))).equals(data));
  });
}

test('isBrokenPipe', () => {
  assert.ok(isBrokenPipe(new BrokenPipe()));
  assert.ok(isBrokenPipe(Object.assign(new Error('x'), { code: 'EPIPE' })));
  assert.ok(!isBrokenPipe(new Error('x')));
  assert.ok(!isBrokenPipe(null));
});

const here = path.dirname(fileURLToPath(import.meta.url));
const outputModule = path.join(here, '..', 'lib', 'scap', 'output.js');

for (const compression of ['plain', 'gzip', 'lz4'] as const) {
  test(`EPIPE on stdout surfaces as BrokenPipe (${compression})`, async () => {
    const script = file(`epipe-${compression}.mjs`);
    fs.writeFileSync(
      script,
      `import { openOutput, isBrokenPipe } from ${JSON.stringify(outputModule)};
const sink = openOutput({ compression: ${JSON.stringify(compression)} });
const buf = Buffer.alloc(65536);
for (let i = 0; i < buf.length; i++) buf[i] = (i * 7919) & 255;
try {
  for (let i = 0; i < 100000; i++) { sink.write(Buffer.from(buf)); sink.flush(); await sink.drain(); }
  await sink.close();
  process.stderr.write('NO ERROR');
  process.exit(4);
} catch (e) {
  process.stderr.write(isBrokenPipe(e) ? 'BROKEN' : 'OTHER ' + String(e));
  process.exit(isBrokenPipe(e) ? 0 : 3);
}
`,
    );
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(err, 'BROKEN');
    assert.equal(code, 0);
  });
}
