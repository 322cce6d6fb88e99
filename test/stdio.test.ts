// Standard output written with write(2) (lib/cli/stdio.ts): every byte, in order, whether the pipe blocks
// or not. A non-blocking pipe is made with perl (Debian's perl-base is always installed), which sets
// O_NONBLOCK on its stdout and then runs the command in its place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..');
const stdioModule = path.join(here, '..', 'lib', 'cli', 'stdio.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-stdio-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
// the curl capture's events 100 times over: outputs of megabytes, more than any pipe or socket holds
const cap = path.join(tmp, 'curl100.scap');
execFileSync(process.execPath, [path.join(root, 'dist', 'bench', 'mkbig.js'), path.join(root, 'test', 'data', 'curl_google.scap'), cap, '100']);

const NONBLOCK = ['-MFcntl', '-e', 'my $f = fcntl(STDOUT, F_GETFL, 0); fcntl(STDOUT, F_SETFL, $f | O_NONBLOCK) or die "fcntl: $!"; exec @ARGV or die "exec: $!"'];

/** Runs argv with its stdout a pipe read only after `pauseMs`; returns stdout, stderr and the exit code. */
function slowRead(argv: string[], nonBlocking: boolean, pauseMs = 300): Promise<{ out: Buffer; err: string; code: number | null }> {
  const [cmd, args] = nonBlocking ? ['perl', [...NONBLOCK, ...argv]] : [argv[0]!, argv.slice(1)];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const parts: Buffer[] = [];
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.pause();
  setTimeout(() => {
    child.stdout.on('data', (c: Buffer) => parts.push(c));
    child.stdout.resume();
  }, pauseMs);
  return new Promise((resolve) => child.on('close', (code) => resolve({ out: Buffer.concat(parts), err, code })));
}

const writer = path.join(tmp, 'writer.mjs');
fs.writeFileSync(
  writer,
  `import { stdout, whenWritten } from ${JSON.stringify(stdioModule)};
import * as fs from 'node:fs';
const o = stdout();
for (let i = 0; i < 128; i++) {
  const b = Buffer.alloc(1 << 16, i);
  if (!o.write(b)) await new Promise((r) => o.once('drain', r));
}
fs.writeSync(2, o.delegate === undefined ? 'direct' : 'stream');
whenWritten(() => process.exit(0));
`,
);

function expectedDigest(): string {
  const h = createHash('sha256');
  for (let i = 0; i < 128; i++) h.update(Buffer.alloc(1 << 16, i));
  return h.digest('hex');
}

test('stdout: 8 MiB through a blocking pipe that is read late arrive whole, written directly', async () => {
  const r = await slowRead([process.execPath, writer], false);
  assert.equal(r.code, 0);
  assert.equal(r.err, 'direct');
  assert.equal(createHash('sha256').update(r.out).digest('hex'), expectedDigest());
});

test('stdout: through a non-blocking pipe, the write that would block goes over to Node\'s stream, bytes in order', async () => {
  const r = await slowRead([process.execPath, writer], true);
  assert.equal(r.code, 0);
  assert.equal(r.err, 'stream');
  assert.equal(r.out.length, 128 << 16);
  assert.equal(createHash('sha256').update(r.out).digest('hex'), expectedDigest());
});

for (const [name, argv] of [
  ['tdig-fmt text', ['bin/tdig-fmt.js', cap]],
  ['tdig-filter scap', ['bin/tdig-filter.js', 'evt.type!=switch', cap]],
  ['tdig-echo echo_fds', ['bin/tdig-echo.js', 'echo_fds', cap]],
] as const) {
  test(`${name} through a non-blocking pipe read late prints what it prints to a file`, async () => {
    const want = execFileSync(path.join(root, argv[0]), argv.slice(1), { maxBuffer: 1 << 28 });
    assert.ok(want.length > 1 << 19, 'more than a pipe or socket holds');
    const r = await slowRead([path.join(root, argv[0]), ...argv.slice(1)], true);
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
    assert.ok(r.out.equals(want));
  });
}

test('gzip output (its zlib stream piped into stdout) through a non-blocking pipe read late: the capture, whole', async () => {
  const r = await slowRead([path.join(root, 'bin', 'tdig-fmt.js'), '--to', 'scap', '-z', cap], true);
  assert.equal(r.err, '');
  assert.equal(r.code, 0);
  assert.ok(r.out.length > 1 << 19, 'more than a pipe or socket holds');
  assert.ok(gunzipSync(r.out).equals(fs.readFileSync(cap)));
});

test('a user chisel that prints with console.log: every line arrives through a pipe read late', async () => {
  const chisel = path.join(tmp, 'shout.mjs');
  fs.writeFileSync(
    chisel,
    `export const info = { name: 'shout', category: 'Misc', shortDesc: 'prints many lines', desc: '', args: [], kind: 'agg' };
export function init() {}
export function event() {}
export function end() { for (let i = 0; i < 20000; i++) console.log('line ' + i + ' ' + 'x'.repeat(60)); }
`,
  );
  const r = await slowRead([path.join(root, 'bin', 'tdig-agg.js'), chisel, path.join(root, 'test', 'data', 'curl_google.scap')], false);
  assert.equal(r.err, '');
  assert.equal(r.code, 0);
  const lines = r.out.toString().split('\n');
  assert.equal(lines.length, 20001);
  assert.equal(lines[19999], 'line 19999 ' + 'x'.repeat(60));
});

/** A TextOut over a sink that keeps what it is handed, and the bytes handed so far. */
async function collectingTextOut(): Promise<{ out: import('../lib/output/writer.js').TextOut; written: () => Buffer }> {
  const { TextOut } = await import('../lib/output/writer.js');
  const parts: Buffer[] = [];
  const sink = { write: (b: Uint8Array | string): boolean => (parts.push(Buffer.from(b as Uint8Array)), true), on: () => sink, once: () => sink };
  return { out: new TextOut(sink), written: () => Buffer.concat(parts) };
}

/** A repeatable pseudo-random sequence of 32-bit numbers. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
}

test('TextOut.lineNl: lines that cross its 64 KiB chunks, or are longer than one, come out whole and in order', async () => {
  const { out, written } = await collectingTextOut();
  const want: string[] = [];
  const next = lcg(7);
  for (let i = 0; i < 3000; i++) {
    const x = next();
    // mostly short lines; now and then one of up to 200 KiB
    const n = i % 500 === 499 ? 70000 + (x % 130000) : x % 120;
    const s = String.fromCharCode(97 + (i % 26)).repeat(n) + (i % 3 === 0 ? '\xe9' : '');
    want.push(s + '\n');
    out.lineNl(s);
  }
  await out.end();
  assert.ok(written().equals(Buffer.from(want.join(''), 'latin1')));
});

test('TextOut.mappedNl: buffers mapped byte by byte across its 64 KiB chunks, between lines, come out whole and in order', async () => {
  const { DOT_BYTES } = await import('../lib/events/render.js');
  const { out, written } = await collectingTextOut();
  const want: Buffer[] = [];
  const next = lcg(11);
  const src = Buffer.alloc(300000);
  for (let i = 0; i < src.length; i++) src[i] = next() >>> 24;
  // the test's own reading of the normal format: printable bytes as they are, the rest as '.'
  const dots = (b: Buffer): Buffer => Buffer.from(b.map((c) => (c < 0x20 || c >= 0x7f ? 0x2e : c)));
  // first, buffers that end exactly at the end of a chunk, and ones that leave room for their newline only
  // (TextOut's chunks are 256, 512, 1024... bytes up to 64 KiB: 255 bytes and the newline fill the first, 512
  // bytes the second, whose newline goes into the third)
  for (const n of [255, 512, 1023, 65536, 65536, 65535]) {
    want.push(dots(src.subarray(0, n)), Buffer.from('\n'));
    out.mappedNl(src, 0, n, DOT_BYTES);
  }
  for (let i = 0; i < 3000; i++) {
    const x = next();
    // mostly short buffers (some empty); now and then one longer than a chunk
    const n = i % 700 === 699 ? 70000 + (x % 130000) : x % 100;
    const off = x % (src.length - n);
    want.push(dots(src.subarray(off, off + n)), Buffer.from('\n'));
    out.mappedNl(src, off, n, DOT_BYTES);
    if (i % 5 === 0) {
      want.push(Buffer.from(`line ${i}\n`));
      out.lineNl(`line ${i}`);
    }
  }
  await out.end();
  assert.ok(written().equals(Buffer.concat(want)));
});
