// User chisels (lib/chisels/user.ts, API in lib/chisels/api.ts, man/tdig-chisels.7): the worked example of
// examples/ on a fixture, loading by path and from TDIG_CHISEL_PATH (and from nowhere else), --list and -i,
// the API's typed fields, and the failures: unknown chisel, missing/wrong argument, a bad module, a throw
// in init, a throw mid-stream. Each failure is one line on stderr naming the chisel, with a non-zero exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, bin, tdig, tdigText } from './helpers.js';

const CURL = join(ROOT, 'test', 'data', 'curl_google.scap');
const EXAMPLE = join(ROOT, 'examples', 'bytes_by_port.js');

function withEnv(env: Record<string, string>, cmd: string, args: string[], cwd?: string) {
  return spawnSync(process.execPath, [bin(cmd), ...args], { env: { ...process.env, ...env }, cwd, maxBuffer: 1 << 28 });
}

test('the worked example: bytes per process and remote port on curl_google', () => {
  assert.equal(
    tdigText('tdig-agg', [EXAMPLE, CURL]),
    'Process             Port    Read        Written     Total\n' +
      '-'.repeat(64) + '\n' +
      'curl                80      11.23KB     78B         11.31KB\n' +
      'curl                53      60B         32B         92B\n',
  );
  // its totals are those of the table engine grouped the same way
  const by = tdigText('tdig-agg', ['--json', 'by', 'proc.name,fd.rport', '--sum', 'evt.rawarg.res', '(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true and evt.dir=<', CURL])
    .trim().split('\n').map((l) => JSON.parse(l) as Record<string, string | number>);
  const mine = tdigText('tdig-agg', ['--json', EXAMPLE, '0', CURL]).trim().split('\n').map((l) => JSON.parse(l) as { proc: string; port: number; read: number; written: number });
  assert.deepEqual(
    mine.map((r) => [r.proc, String(r.port), r.read + r.written]),
    by.map((r) => [r['proc.name'], r['fd.rport'], r['evt.rawarg.res']]),
  );
  assert.deepEqual(mine[0], { proc: 'curl', port: 80, read: 11502, written: 78 });
  // its argument and a user filter
  assert.equal(tdigText('tdig-agg', [EXAMPLE, '1', 'fd.rport=53', CURL]).split('\n')[2], 'curl                53      60B         32B         92B');
});

test('the example type-checks against tdig/chisel', () => {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--allowJs', '--checkJs', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', EXAMPLE], { cwd: ROOT });
  assert.equal(r.status, 0, r.stdout.toString() + r.stderr.toString());
});

test('-i and --list describe user chisels', () => {
  const info = tdigText('tdig-agg', ['-i', EXAMPLE]);
  assert.match(info, /^\nCategory: Net\n-+\nbytes_by_port   Network bytes per process and remote port\n\nSums the bytes/);
  assert.match(info, /Args:\n\[int\] top - how many rows to print/);
  const dir = mkdtempSync(join(tmpdir(), 'tdig-chisels-'));
  try {
    writeFileSync(join(dir, 'count_events.mjs'), `
export const info = { category: 'Misc', shortDesc: 'Count events', desc: 'Counts the events that pass the filter.' };
let n = 0;
let api;
export function init(a) { api = a; }
export function event() { n++; }
export function end() { api.print('events: ' + n); }
`);
    const env = { TDIG_CHISEL_PATH: `/nonexistent:${dir}` };
    const list = withEnv(env, 'tdig-agg', ['--list']).stdout.toString();
    assert.match(list, /\ncount_events    Count events\n/);
    assert.match(list, /\ntopconns        Top network connections by total bytes\n/);
    assert.match(withEnv(env, 'tdig-echo', ['--list']).stdout.toString(), /\ncount_events    Count events\n/);
    // by name from TDIG_CHISEL_PATH
    const r = withEnv(env, 'tdig-agg', ['count_events', 'evt.dir=>', CURL]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.match(r.stdout.toString(), /^events: \d+\n$/);
    // only from the paths the user names: not from the current directory, not without TDIG_CHISEL_PATH
    const cwd = withEnv({ TDIG_CHISEL_PATH: '' }, 'tdig-agg', ['count_events', CURL], dir);
    assert.equal(cwd.status, 2);
    assert.match(cwd.stderr.toString(), /unknown chisel count_events/);
    // an explicit relative path works from there
    assert.equal(withEnv({ TDIG_CHISEL_PATH: '' }, 'tdig-agg', ['./count_events.mjs', CURL], dir).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('intervals and typed fields', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdig-chisels-'));
  try {
    const f = join(dir, 'per_second.mjs');
    writeFileSync(f, `
export const info = { name: 'per_second', args: [{ name: 'secs', optional: true }] };
let api, res, isio, name, n = 0, kinds;
export function init(a) {
  api = a;
  a.setInterval(Number(a.args.secs ?? 1));
  a.setFilter('evt.is_io=true');
  res = a.number('evt.rawarg.res'); isio = a.boolean('evt.is_io'); name = a.field('proc.name');
  kinds = [res.kind, isio.kind, name.kind, name.type].join(',');
}
export function event(evt) {
  if (evt.get(isio) !== true || typeof evt.get(name) !== 'string') throw new Error('bad types');
  const r = evt.get(res); if (r !== undefined && typeof r !== 'number') throw new Error('bad number');
  n++;
}
export function interval(ts, delta, evt) { api.print('tick ' + ts + ' ' + (evt ? 'evt' : 'none') + ' ' + n); n = 0; }
export function end(ts, delta) { api.print('end ' + kinds + ' ' + n + ' ' + (delta > 0)); }
`);
    const out = tdigText('tdig-agg', [f, CURL]);
    const lines = out.trim().split('\n');
    assert.ok(lines.length >= 3, out);
    assert.match(lines[0]!, /^tick \d+ evt \d+$/);
    assert.match(lines.at(-1)!, /^end number,boolean,string,CHARBUF \d+ true$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const BAD: [string, string, string[], RegExp, number][] = [
  ['unknown chisel', '', ['nosuch_user_chisel'], /unknown chisel nosuch_user_chisel/, 2],
  ['missing chisel file', '', ['./no/such/chisel.js'], /\.\/no\/such\/chisel\.js: no such chisel file/, 2],
  ['missing argument', `export const info = { name: 'needs_arg', args: [{ name: 'port', type: 'port' }] };\nexport function event() {}\n`, [], /needs_arg: missing arguments for chisel needs_arg \(port\)/, 2],
  ['too many arguments', `export const info = { name: 'one_arg', args: [{ name: 'port' }] };\nexport function event() {}\n`, ['1 2'], /one_arg: too many parameters for chisel one_arg/, 2],
  ['wrong argument', `export const info = { name: 'port_arg', args: [{ name: 'port' }] };\nexport function init(api) { if (!/^\\d+$/.test(api.args.port)) throw new Error('port must be a number, not ' + api.args.port); }\nexport function event() {}\n`, ['http'], /^tdig-agg: port_arg: chisel error in init: port must be a number, not http$/, 1],
  ['throw in init', `export const info = { name: 'bad_init' };\nexport function init() { throw new TypeError('boom\\nsecond line'); }\nexport function event() {}\n`, [], /^tdig-agg: bad_init: chisel error in init: boom$/, 1],
  ['nonexistent field', `export const info = { name: 'bad_field' };\nexport function init(api) { api.field('no.such.field'); }\nexport function event() {}\n`, [], /^tdig-agg: bad_field: chisel requesting nonexistent field no\.such\.field$/, 1],
  ['throw mid-stream', `export const info = { name: 'bad_event' };\nlet n = 0;\nexport function init(api) { globalThis.api = api; }\nexport function event() { if (++n === 100) { globalThis.api.print('before'); throw new RangeError('event ' + n); } }\nexport function end() { globalThis.api.print('not reached'); }\n`, [], /^tdig-agg: bad_event: chisel error in event: event 100$/, 1],
  ['throw in end', `export const info = { name: 'bad_end' };\nexport function end() { null.x; }\n`, [], /^tdig-agg: bad_end: chisel error in end: Cannot read properties of null/, 1],
  ['syntax error', `export const info = { name: 'broken' ;\n`, [], /^tdig-agg: bad: cannot load chisel .*bad\.mjs: /, 2],
  ['no info', `export function event() {}\n`, [], /^tdig-agg: bad: .*bad\.mjs is not a chisel \(it exports no "info" object\)$/, 2],
  ['no lifecycle', `export const info = { name: 'idle' };\n`, [], /^tdig-agg: idle: .*is not a chisel \(it exports neither event nor end\)$/, 2],
];

for (const [what, src, args, re, code] of BAD) {
  test(`user chisel failure: ${what}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'tdig-chisels-'));
    try {
      // without a source, the first word is the chisel as the user names it
      const chisel = src ? join(dir, 'bad.mjs') : args[0]!;
      const rest = src ? args : args.slice(1);
      if (src) writeFileSync(chisel, src);
      const r = tdig('tdig-agg', [chisel, ...rest, CURL]);
      const err = r.stderr.toString();
      assert.equal(r.status, code, err);
      assert.match(err.trim(), re);
      assert.equal(err.trim().split('\n').length, 1, `one line: ${err}`);
      if (what === 'throw mid-stream') assert.equal(r.stdout.toString(), 'before\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
