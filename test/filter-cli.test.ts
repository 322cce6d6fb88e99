// tdig-filter as a command: same output as sysdig, readable by sysdig, archive round trip, options,
// and hostile expressions (one-line error, expression, caret; exit 2).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { TEXT_EXPRS } from './filter-exprs.js';
import { BIN, CAPTURES, REPO, filterThenFmt, haveSysdig, run } from './filter-helpers.js';

const node = process.execPath;
const tmp = mkdtempSync(join(tmpdir(), 'tdig-filter-test-'));
const CURL = join(REPO, 'test/data/curl_google.scap');

function tdig(cmd: string, args: string[], input?: Buffer): ReturnType<typeof run> {
  return run(node, [BIN(cmd), ...args], input);
}

function textGolden(name: string): Record<string, string> {
  return JSON.parse(gunzipSync(readFileSync(join(REPO, 'test/golden/filter', `text-${name}.json.gz`))).toString('latin1')) as Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// same output: `tdig-filter E cap | tdig-fmt` is byte for byte `sysdig -r cap E`

for (const cap of CAPTURES.filter((c) => c.sysdigReads)) {
  test(`same output as sysdig -r cap E: ${cap.name} (${TEXT_EXPRS.length} expressions)`, () => {
    const g = textGolden(cap.name);
    for (const e of TEXT_EXPRS) {
      const r = filterThenFmt(e, cap.path);
      assert.equal(r.status, 0, r.err);
      assert.ok(r.out === g[e]!, `${cap.name}: ${e}: output differs from sysdig`);
    }
  });
}

test('tdig-fmt takes a trailing filter like sysdig: tdig-fmt cap E = sysdig -r cap E', () => {
  const g = textGolden('curl_google');
  for (const e of TEXT_EXPRS.slice(0, 6)) {
    const r = tdig('tdig-fmt', [CURL, e]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.ok(r.stdout.toString('latin1') === g[e], e);
  }
});

// ---------------------------------------------------------------------------------------------
// readable by sysdig: process and fd names of the kept events are the ones sysdig shows (sysdig
// renumbers events, so the comparison leaves the numbers out), including %fd.name and %fd.num of kept exits
// whose enter the filter dropped (tdig-filter writes that enter ahead of the exit as a state-only event).

const NAMES = '*%proc.name %thread.tid %evt.type %evt.dir %fd.name %fd.num %evt.info';
const NAMED_CAPS = [CURL, join(REPO, 'test/captures/loopback_workload.scap'), join(REPO, 'test/captures/unix_threads.scap')];
const NAMED_EXPRS = ['proc.name=curl and evt.type=connect', 'evt.type=read', 'fd.type=ipv6', 'fd.type=ipv4', 'evt.dir=< and fd.num>=0', 'evt.is_io=true', 'evt.dir=<', 'fd.name contains lib', 'evt.type in (fstat,ioctl,setsockopt,read,write)', 'proc.name=curl and evt.dir=<', 'evt.failed=true'];
for (const cap of NAMED_CAPS) {
  test(`sysdig reads tdig-filter output with the same names (${cap.split('/').pop()})`, { skip: !haveSysdig() && 'sysdig not installed' }, () => {
    const out = join(tmp, 'named.scap');
    let compared = 0;
    for (const e of NAMED_EXPRS) {
      const f = tdig('tdig-filter', [e, cap, '-w', out]);
      assert.equal(f.status, 0, f.stderr.toString());
      const mine = run('sysdig', ['-r', out, '-p', NAMES]);
      const ref = run('sysdig', ['-r', cap, '-p', NAMES, e]);
      assert.equal(mine.status, 0, mine.stderr.toString());
      assert.ok(mine.stdout.equals(ref.stdout), `sysdig shows other names for ${e}`);
      compared += ref.stdout.length;
    }
    assert.ok(compared > 0);
  });
}

test('a capture whose section header has pcapng options (sysdig 0.29.3 cannot read it): the output is one sysdig reads', { skip: !haveSysdig() && 'sysdig not installed' }, () => {
  const comments = join(REPO, 'test/data/curl_google_comments.scap');
  for (const e of ['evt.type=open', 'fd.sip=127.0.0.1 or proc.name=curl']) {
    const out = join(tmp, 'comments.scap');
    const r = tdig('tdig-filter', [e, comments, '-w', out]);
    assert.equal(r.status, 0, r.stderr.toString());
    // the section header keeps its version (1.0 here) and loses its options: 28 bytes
    const head = readFileSync(out).subarray(0, 28);
    assert.equal(head.readUInt32LE(4), 28);
    assert.equal(head.readUInt16LE(14), 0);
    // sysdig prints from it what it prints from the same events without the options (curl_google.scap)
    const s = run('sysdig', ['-r', out]);
    assert.equal(s.status, 0, s.stderr.toString());
    const want = run('sysdig', ['-r', CURL, e]);
    const unnumbered = (t: string): string => t.replace(/^\d+ /gm, '');
    assert.equal(unnumbered(s.stdout.toString('latin1')), unnumbered(want.stdout.toString('latin1')), e);
  }
});

test('without state-only events (--thin) names can be lost, with them they are not', { skip: !haveSysdig() && 'sysdig not installed' }, () => {
  const e = 'evt.type=read';
  const full = tdig('tdig-filter', [e, CURL]);
  const thin = tdig('tdig-filter', ['--thin', e, CURL]);
  assert.ok(thin.stdout.length < full.stdout.length);
  // no event-with-flags blocks in the thin output
  const blocks = (b: Buffer): number[] => {
    const types: number[] = [];
    for (let o = 0; o + 8 <= b.length; o += b.readUInt32LE(o + 4)) types.push(b.readUInt32LE(o));
    return types;
  };
  assert.ok(blocks(full.stdout).includes(0x208));
  assert.ok(!blocks(thin.stdout).includes(0x208) && !blocks(thin.stdout).includes(0x217));
});

// ---------------------------------------------------------------------------------------------
// archive round trip

for (const [flag, ext] of [[[], 'scap'], [['-z'], 'scap.gz'], [['--lz4'], 'scap.lz4']] as [string[], string][]) {
  test(`archive round trip: tdig-filter E cap -w out.${ext} ${flag.join(' ')}; tdig-fmt out = tdig-fmt cap E`, () => {
    const out = join(tmp, `out.${ext}`);
    const e = 'fd.type=ipv6 or evt.type=open';
    const f = tdig('tdig-filter', [e, CURL, '-w', out, ...flag]);
    assert.equal(f.status, 0, f.stderr.toString());
    assert.equal(f.stdout.length, 0);
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const back = tdig('tdig-fmt', [out]);
    const direct = tdig('tdig-fmt', [CURL, e]);
    assert.equal(back.status, 0, back.stderr.toString());
    assert.ok(back.stdout.length > 0);
    assert.ok(back.stdout.equals(direct.stdout));
  });
}

// ---------------------------------------------------------------------------------------------
// options

test('--invert keeps what the expression drops', () => {
  const a = filterThenFmt('proc.name=curl', CURL, ['-p', '%evt.num']).out.split('\n').filter(Boolean);
  const b = filterThenFmt('proc.name=curl', CURL, ['-p', '%evt.num'], ['--invert']).out.split('\n').filter(Boolean);
  const all = tdig('tdig-fmt', [CURL, '-p', '%evt.num']).stdout.toString().split('\n').filter(Boolean);
  assert.deepEqual([...a, ...b].map(Number).sort((x, y) => x - y), all.map(Number));
});

test('-n N stops after N matching events', () => {
  const r = filterThenFmt('evt.type=read', CURL, ['-p', '%evt.num'], ['-n', '5']);
  const nums = r.out.split('\n').filter(Boolean);
  const all = filterThenFmt('evt.type=read', CURL, ['-p', '%evt.num']).out.split('\n').filter(Boolean);
  assert.deepEqual(nums, all.slice(0, 5));
});

test('NDJSON in gives NDJSON out; --ndjson converts; both read back the same events', () => {
  const nd = tdig('tdig-fmt', ['--ndjson', CURL]);
  assert.equal(nd.status, 0);
  const f = tdig('tdig-filter', ['proc.name=curl and evt.type=connect'], nd.stdout);
  assert.equal(f.status, 0, f.stderr.toString());
  const text = f.stdout.toString();
  assert.ok(text.startsWith('{'));
  for (const line of text.trim().split('\n')) JSON.parse(line);
  const f2 = tdig('tdig-filter', ['--ndjson', 'proc.name=curl and evt.type=connect', CURL]);
  assert.equal(f2.stdout.toString(), text);
  const back = tdig('tdig-fmt', ['--from', 'ndjson'], f.stdout);
  assert.equal(back.stdout.toString('latin1'), textGolden('curl_google')['proc.name=curl and evt.type=connect']);
});

test('stdin: tdig-filter E < cap; gzip input; tdig-filter twice = one and-ed filter', () => {
  const cap = readFileSync(CURL);
  const a = tdig('tdig-filter', ['evt.type=read'], cap);
  const twice = tdig('tdig-filter', ['proc.name=curl'], a.stdout);
  const once = tdig('tdig-filter', ['evt.type=read and proc.name=curl', CURL]);
  const t1 = tdig('tdig-fmt', [], twice.stdout).stdout.toString();
  const t2 = tdig('tdig-fmt', [], once.stdout).stdout.toString();
  assert.ok(t1.length > 0);
  assert.equal(t1, t2);
});

test('-l lists the fields as tdig-fmt -l does', () => {
  const a = tdig('tdig-filter', ['-l']);
  const b = tdig('tdig-fmt', ['-l']);
  assert.equal(a.status, 0);
  assert.ok(a.stdout.toString().includes('fd.sip'));
  assert.ok(a.stdout.equals(b.stdout));
});

test('usage errors: no expression, unknown option, bad -n', () => {
  for (const args of [[], ['--frobnicate', 'proc.name=x'], ['-n', 'x', 'proc.name=x']]) {
    const r = tdig('tdig-filter', args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stderr.toString().trim().split('\n').length, 1);
  }
});

// ---------------------------------------------------------------------------------------------
// hostile expressions: one error line, the expression, a caret under the column; exit 2

const HOSTILE: [string, RegExp][] = [
  ['proc.name=curl and', /after 'and'/],
  ['proc.name curl', /expected an operator/],
  ['and proc.name=curl', /unexpected 'and'/],
  ['proc.nam=curl', /unknown field proc\.nam; did you mean proc\.name/],
  ['fd.sipp=1.2.3.4', /unknown field fd\.sipp; did you mean .*fd\.sip/],
  ['proc.pid contains x', /proc\.pid \(INT64\) does not take the operator 'contains'; it takes: =, !=, <, <=, >, >=, in, intersects, exists/],
  ['evt.failed=1', /boolean/],
  ['fd.sip=300.1.1.1', /IP address/],
  ['evt.type=nosuchevent', /unknown event type nosuchevent/],
  ['evt.type startswith acc', /unknown event type acc/],
  ['fd.port=nosuchservice', /unrecognized protocol/],
  ['(proc.name=curl', /unbalanced '\('/],
  ['((proc.name=curl) and (evt.type=read)', /unbalanced '\('/],
  ['proc.name=curl)', /unbalanced '\)'/],
  ['proc.name="curl', /unclosed quote/],
  ["proc.name='curl and evt.type=read", /unclosed quote/],
  ['proc.name in (curl, cat', /not closed/],
  ['fd.num[0]=3', /takes no argument/],
  ['proc.name regex "("', /invalid regex pattern: missing \): \(/],
  ['', /empty/],
  ['(((((((((((', /./],
  ['('.repeat(5000) + 'proc.name=curl' + ')'.repeat(5000), /nesting deeper than/],
  ['not '.repeat(3000) + 'proc.name=curl' + ' and', /after 'and'/],
  ['tolower(tolower(' .repeat(2000) + 'proc.name' + '))'.repeat(2000) + '=x', /nesting deeper than/],
];

for (const [expr, re] of HOSTILE) {
  test(`hostile: ${expr.length > 60 ? expr.slice(0, 40) + `... (${expr.length} chars)` : JSON.stringify(expr)}`, () => {
    const r = tdig('tdig-filter', [expr, join(REPO, 'test/data/synth.scap')]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout.length, 0);
    const err = r.stderr.toString();
    assert.ok(!/\n\s+at /.test(err), 'no stack trace');
    const lines = err.replace(/\n$/, '').split('\n');
    assert.equal(lines.length, 3, err);
    const m = /^tdig-filter: filter error at column (\d+): (.*)$/.exec(lines[0]!);
    assert.ok(m, lines[0]);
    assert.match(m[2]!, re);
    assert.ok(lines[1]!.startsWith('  '));
    assert.match(lines[2]!, /^ +\^$/);
    const col = Number(m[1]);
    if (expr.length <= 72) {
      assert.equal(lines[1], '  ' + expr);
      assert.equal(lines[2]!.length - 3, col - 1, 'caret under the column');
    }
  });
}

test('hostile: 10,000 characters of nesting are a clean error, not a stack overflow', () => {
  const expr = '('.repeat(10000) + 'evt.type=read' + ')'.repeat(10000);
  const r = tdig('tdig-filter', [expr, CURL]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.toString().trim().split('\n').length, 3);
  // within the limit, deep nesting works
  const ok = '('.repeat(150) + 'evt.type=read' + ')'.repeat(150);
  const a = filterThenFmt(ok, CURL, ['-p', '%evt.num']);
  const b = filterThenFmt('evt.type=read', CURL, ['-p', '%evt.num']);
  assert.equal(a.status, 0, a.err);
  assert.equal(a.out, b.out);
});

test('evt.around[T]=MS selects the events sysdig selects; other operators are refused', { skip: !haveSysdig() && 'sysdig not installed' }, () => {
  for (const cap of [CURL, join(REPO, 'test/captures/loopback_workload.scap')]) {
    const mid = run('sysdig', ['-r', cap, '-p', '%evt.rawtime', 'evt.num=500']).stdout.toString().trim();
    assert.match(mid, /^[0-9]+$/);
    for (const e of [`evt.around[${mid}]=0`, `evt.around[${mid}]=1`, `evt.around[${mid}]=20 and evt.dir=<`, `not evt.around[${mid}]=3`]) {
      const mine = tdig('tdig-fmt', [cap, '-p', '%evt.num', e]);
      const ref = run('sysdig', ['-r', cap, '-p', '%evt.num', e]);
      assert.equal(mine.status, 0, mine.stderr.toString());
      assert.ok(ref.stdout.length > 0 && mine.stdout.equals(ref.stdout), e);
    }
  }
  const bad = tdig('tdig-filter', [`evt.around[1]!=2`, CURL]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.toString(), /supports only the '=' operator/);
});

test('a trailing filter with a path in it is a filter; a missing capture path is still an error', { skip: !haveSysdig() && 'sysdig not installed' }, () => {
  for (const e of ['fd.name contains /etc', 'fd.name=/etc/ld.so.cache', 'fd.directory=/etc']) {
    const mine = tdig('tdig-fmt', [CURL, e]);
    const ref = run('sysdig', ['-r', CURL, e]);
    assert.equal(mine.status, 0, mine.stderr.toString());
    assert.ok(mine.stdout.length > 0 && mine.stdout.equals(ref.stdout), e);
  }
  const missing = tdig('tdig-fmt', [CURL, 'no/such/dir.scap']);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr.toString(), /no\/such\/dir\.scap: no such file/);
});

test('tdig-fmt with a bad trailing filter: same error format, exit 2', () => {
  const r = tdig('tdig-fmt', [CURL, 'proc.nam=curl']);
  assert.equal(r.status, 2);
  assert.match(r.stderr.toString(), /^tdig-fmt: filter error at column 1: unknown field proc\.nam/);
});

// -R: port numbers as service names (from /etc/services) in fd.name, the proto fields and the parameters,
// which the filter then compares; golden: sysdig -[R] -r cap -p %evt.num E
test('-R: the filter sees port names as sysdig -R does, and numbers without it', () => {
  const g = JSON.parse(gunzipSync(readFileSync(join(REPO, 'test/golden/filter/resolved.json.gz'))).toString('latin1')) as Record<string, string>;
  let matched = 0;
  for (const [key, want] of Object.entries(g)) {
    const [head, expr] = key.split('\t') as [string, string];
    const resolve = head.startsWith('-R ');
    const cap = CAPTURES.find((c) => c.name === head.replace(/^-R /, ''))!;
    const r = filterThenFmt(expr, cap.path, ['-p', '%evt.num'], resolve ? ['-R'] : []);
    assert.equal(r.status, 0, r.err);
    assert.equal(r.out, want, key);
    // tdig-fmt's trailing filter agrees
    const f = tdig('tdig-fmt', [...(resolve ? ['-R'] : []), '-p', '%evt.num', cap.path, expr]);
    assert.equal(f.stdout.toString('latin1'), want, `tdig-fmt ${key}`);
    if (want !== '') matched++;
  }
  assert.ok(matched >= 10, 'the expressions match events');
});

test('a data buffer as text (evt.arg.data, evt.args, evt.info) is cut at 80 characters as sysdig -r sees it; --full-args as sysdig -v', { skip: !haveSysdig() && 'sysdig not installed' }, () => {
  // the workload's requests and responses name Content-Length past their 80th character
  const cap = join(REPO, 'test/captures/loopback_workload.scap');
  const exprs = ['evt.arg.data contains Content-Length', 'evt.args contains Content-Length', 'evt.info contains Content-Length', 'evt.buffer contains Content-Length'];
  const counts: number[] = [];
  for (const e of exprs) {
    for (const full of [false, true]) {
      const s = run('sysdig', ['-r', cap, ...(full ? ['-v'] : []), '-p', '%evt.num', e]);
      const want = s.stdout.toString('latin1');
      const r = filterThenFmt(e, cap, ['-p', '%evt.num'], full ? ['--full-args'] : []);
      assert.equal(r.status, 0, r.err);
      assert.equal(r.out, want, `${full ? '--full-args ' : ''}${e}`);
      counts.push(want.split('\n').length - 1);
    }
  }
  // cut, the text holds no Content-Length; whole, and as raw bytes (evt.buffer), it does
  assert.deepEqual(counts.map((n) => n > 0), [false, true, false, true, false, true, true, true]);
});
