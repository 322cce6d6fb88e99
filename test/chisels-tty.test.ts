// The terminal chisels (spectrogram, subsecoffset) against sysdig 0.29.3 on a terminal: every case of
// test/golden/tty/CASES on every capture, tdig-agg run under a pseudo-terminal (util-linux script) of the case's
// width, the bytes the terminal got compared with the golden (tools/mkgolden-tty.sh); when sysdig is installed,
// a sample also against sysdig run live the same way. Off a terminal the chisels abort (test/golden/chisels).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GOLDEN, HAVE_SYSDIG, bin, tdig } from './helpers.js';
import { CAPTURES, appliesTo, captureName } from './chisel-helpers.js';
import type { ChiselCase } from './chisel-helpers.js';
import { cUint64, luaMod, luaToNumber } from '../lib/chisels/lua.js';

interface TtyCase extends ChiselCase {
  cols: number;
}

function ttyCases(): TtyCase[] {
  const out: TtyCase[] = [];
  for (const line of readFileSync(join(GOLDEN, 'tty', 'CASES'), 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [id, captures, cols, chisel, args, filter] = line.split('|').map((s) => s.trim());
    out.push({ id: id!, captures: captures!, cols: Number(cols), flags: [], chisel: chisel!, args: args ?? '', filter: filter ?? '' });
  }
  return out;
}

const HAVE_SCRIPT = spawnSync('script', ['--version']).status === 0;
const cases = ttyCases();

function words(c: TtyCase): string[] {
  return [...(c.args !== '' ? [c.args] : []), ...(c.filter !== '' ? [c.filter] : [])];
}

const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Run argv on a pseudo-terminal `cols` wide (stdin /dev/null, stderr discarded): the bytes the terminal got. */
function onTerminal(cols: number, argv: string[]): Buffer {
  const env = { ...process.env };
  delete env['NO_COLOR'];
  const cmd = `stty cols ${cols} rows 40; ${argv.map(shQuote).join(' ')} 2>/dev/null`;
  const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], env, maxBuffer: 1 << 28 });
  return r.stdout;
}

function tdigOnTerminal(c: TtyCase, capture: string): Buffer {
  return onTerminal(c.cols, [process.execPath, bin('tdig-agg'), c.chisel, ...words(c), capture]);
}

function goldenBytes(c: TtyCase, capture: string): Buffer | undefined {
  const p = join(GOLDEN, 'tty', captureName(capture), `${c.id}.out.gz`);
  return existsSync(p) ? gunzipSync(readFileSync(p)) : undefined;
}

/** Where two byte strings first differ, with the escapes made visible. */
function byteDiff(exp: Buffer, got: Buffer): string | undefined {
  if (exp.equals(got)) return undefined;
  let i = 0;
  while (i < exp.length && i < got.length && exp[i] === got[i]) i++;
  const show = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, i - 40), i + 40).toString('latin1'));
  return `byte ${i} of ${exp.length} (tdig wrote ${got.length}):\n  sysdig: ${show(exp)}\n  tdig:   ${show(got)}`;
}

for (const cap of CAPTURES) {
  test(`spectrogram and subsecoffset on a terminal draw what sysdig draws, on ${captureName(cap)}`, { skip: !HAVE_SCRIPT && 'needs script (util-linux)' }, () => {
    let n = 0;
    const failures: string[] = [];
    for (const c of cases) {
      if (!appliesTo(c, cap)) continue;
      const exp = goldenBytes(c, cap);
      if (exp === undefined) continue;
      const d = byteDiff(exp, tdigOnTerminal(c, cap));
      if (d !== undefined) failures.push(`${c.id} [${c.cols} cols: ${[c.chisel, ...words(c)].join(' ')}]: ${d}`);
      n++;
    }
    assert.ok(n > 0);
    assert.deepEqual(failures, [], failures.join('\n\n'));
  });
}

test('live sysdig on a terminal agrees on a sample of cases', { skip: (!HAVE_SYSDIG || !HAVE_SCRIPT) && 'needs sysdig and script' }, () => {
  const cap = CAPTURES.find((c) => c.endsWith('curl_google.scap')) ?? CAPTURES[0]!;
  const sample: TtyCase[] = [
    { id: 'live-spectrogram', captures: '*', cols: 93, flags: [], chisel: 'spectrogram', args: '250', filter: 'proc.name=curl' },
    { id: 'live-subsecoffset', captures: '*', cols: 131, flags: [], chisel: 'subsecoffset', args: '300', filter: 'evt.type!=switch' },
    { id: 'live-subsecoffset-w', captures: '*', cols: 33, flags: [], chisel: 'subsecoffset', args: '', filter: '' },
  ];
  for (const c of sample) {
    const exp = onTerminal(c.cols, ['sysdig', '-r', cap, '-c', c.chisel, ...words(c)]);
    assert.equal(byteDiff(exp, tdigOnTerminal(c, cap)), undefined, c.id);
  }
});

test('off a terminal both stop as sysdig does: the abort line on stdout, exit 1', () => {
  const cap = CAPTURES[0]!;
  for (const name of ['spectrogram', 'subsecoffset']) {
    const r = tdig('tdig-agg', [name, cap]);
    assert.equal(r.stdout.toString(), 'This chisel only works on ANSI terminals. Aborting.\n');
    assert.equal(r.status, 1);
    assert.equal(r.stderr.toString(), `tdig-agg: ${name}: init() for chisel ${name} failed.\n`);
  }
});

test('a refresh time that is not a number is a usage error naming the argument', () => {
  const r = tdig('tdig-agg', ['spectrogram', '100ms', CAPTURES[0]!]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.toString(), 'tdig-agg: spectrogram: Input refresh_time must be a number.\n');
});

test('Lua numbers: tonumber as LuaJIT reads it, % as Lua computes it, the uint64 cast of set_interval_ns', () => {
  const n = (s: string) => luaToNumber(s);
  assert.deepEqual(['100', ' 5 ', '1.', '.5', '1e3', '0x10', '0x1.8p1', '0X.C', '0b11', '-inf', 'Infinity', '1e400'].map(n),
    [100, 5, 1, 0.5, 1000, 16, 3, 0.75, 3, -Infinity, Infinity, Infinity]);
  assert.ok(Number.isNaN(n('nan')));
  for (const bad of ['', 'abc', '100ms', '0x', '0x1p', '1e+', '0b12', '0b1.1', 'infinit', '- 1', '1 2']) assert.equal(n(bad), undefined, bad);
  assert.equal(luaMod(-1, 1000), 999);
  assert.equal(luaMod(5.5, 2), 1.5);
  assert.equal(cUint64(500000000), 500000000n);
  assert.equal(cUint64(0.5), 0n);
  assert.equal(cUint64(-100000000), (1n << 64n) - 100000000n);
  assert.equal(cUint64(Infinity), 0n);
  assert.equal(cUint64(NaN), 1n << 63n);
});
