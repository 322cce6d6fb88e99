// tdig-agg / tdig-echo: --list and -i against sysdig -cl / -i, the pipeline invariant
// (tdig-filter F cap | tdig-agg C == sysdig -r cap -c C F), `by`, --json, --interval, and hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { execFileSync, spawnSync } from 'node:child_process';
import { HAVE_SYSDIG, ROOT, sysdig, tdig, tdigText } from './helpers.js';
import { CAPTURES, TOP_OF, compareChisel, goldenOf, chiselCases } from './chisel-helpers.js';
import { CHISELS } from '../lib/chisels/registry.js';
import { infoText, listText } from '../lib/chisels/registry.js';
import { extend, formatBytes, formatTimeInterval, luaNum } from '../lib/chisels/lua.js';

const CURL = join(ROOT, 'test', 'data', 'curl_google.scap');
const LOOP = join(ROOT, 'test', 'captures', 'loopback_workload.scap');

test('format_bytes, format_time_interval, extend_string, tostring', () => {
  assert.equal(formatBytes(1024), '1024B');
  assert.equal(formatBytes(1025), '1.00KB');
  assert.equal(formatBytes(11580), '11.31KB');
  assert.equal(formatBytes(1664), '1.63KB'); // LuaJIT rounds the tie 1.625 up
  assert.equal(formatBytes(6040), '5.90KB');
  assert.equal(formatBytes(3 * 1024 * 1024), '3.00M');
  assert.equal(formatTimeInterval(1_234_567_890), '1.23s');
  assert.equal(formatTimeInterval(12_345_678), '12ms');
  assert.equal(formatTimeInterval(1_234_567), '1.23ms');
  assert.equal(formatTimeInterval(12_345), '12us');
  assert.equal(formatTimeInterval(1_234), '1.23us');
  assert.equal(formatTimeInterval(999), '999ns');
  assert.equal(extend('abc', 5), 'abc  ');
  assert.equal(extend('abcde', 5), 'abcd ');
  assert.equal(luaNum(315), '315');
  assert.equal(luaNum(0.5), '0.5');
  assert.equal(luaNum(1e15), '1e+15');
  assert.equal(luaNum(123456789012346), '1.2345678901235e+14');
});

test('-i NAME prints what sysdig -i prints, for every chisel', { skip: !HAVE_SYSDIG }, () => {
  for (const c of CHISELS) {
    if (c.hidden) continue;
    assert.equal(infoText(c), sysdig(['-i', c.name]), c.name);
    const cmd = c.kind === 'agg' ? 'tdig-agg' : 'tdig-echo';
    assert.equal(tdigText(cmd, ['-i', c.name]), sysdig(['-i', c.name]), `${cmd} -i ${c.name}`);
  }
});

test('--list has sysdig -cl layout', { skip: !HAVE_SYSDIG }, () => {
  // sysdig lists every chisel; the texts for ours are the same lines
  const all = sysdig(['-cl']);
  const agg = tdigText('tdig-agg', ['--list']);
  for (const c of CHISELS.filter((x) => !x.hidden && x.kind === 'agg')) assert.ok(agg.includes(listText([c], false).split('\n').slice(3).join('\n')), c.name);
  for (const line of agg.split('\n')) assert.ok(all.includes(line), `sysdig -cl lacks: ${line}`);
  assert.ok(agg.endsWith('\nUse the -i flag to get detailed information about a specific chisel\n'));
  const echo = tdigText('tdig-echo', ['--list']);
  assert.match(echo, /\nCategory: I\/O\n-------------\necho_fds {8}Print the data read and written by processes\.\n/);
});

test('every chisel sysdig -cl lists is in tdig-agg --list or tdig-echo --list', { skip: !HAVE_SYSDIG }, () => {
  const names = (t: string) => new Set(t.split('\n').filter((l) => /^[a-z_0-9]+( |$)/.test(l)).map((l) => l.split(' ')[0]!));
  const theirs = names(sysdig(['-cl']));
  const ours = new Set([...names(tdigText('tdig-agg', ['--list'])), ...names(tdigText('tdig-echo', ['--list']))]);
  assert.ok(theirs.has('lscontainers') && theirs.has('tracers_2_statsd'));
  assert.deepEqual([...theirs].filter((n) => !ours.has(n)), []);
  assert.deepEqual([...ours].filter((n) => !theirs.has(n)), []);
});

test('pipeline: tdig-filter F cap | tdig-agg C == sysdig -r cap -c C F', () => {
  const pairs: [string, string][] = [['topconns', 'evt.is_io_read=true'], ['topprocs_net', 'proc.name=curl'], ['topscalls', 'evt.dir=<'],
    ['topports_server', 'fd.l4proto=tcp'], ['topprocs_file', 'evt.is_io_write=true'], ['topfiles_bytes', 'evt.is_io_read=true']];
  const cases = chiselCases();
  for (const cap of [CURL, LOOP]) {
    for (const [chisel, filter] of pairs) {
      const filtered = tdig('tdig-filter', [filter, cap]);
      assert.equal(filtered.status, 0, filtered.stderr.toString());
      const got = tdigText('tdig-agg', [chisel], filtered.stdout);
      const c = cases.find((x) => x.chisel === chisel && x.filter === filter);
      const exp = c ? goldenOf(c, cap) : undefined;
      const want = exp ?? (HAVE_SYSDIG ? sysdig(['-r', cap, '-c', chisel, filter]) : undefined);
      if (want === undefined) continue;
      assert.equal(compareChisel(want, got, { top: TOP_OF[chisel] }), undefined, `${chisel} ${filter} on ${cap}`);
    }
  }
});

test('by KEY --sum FIELD --top N is the table engine (same as table_generator)', () => {
  const got = tdigText('tdig-agg', ['by', 'fd.l4proto,fd.name', '--sum', 'evt.rawarg.res', '--units', 'bytes', '--top', '1', '(fd.type=ipv4 or fd.type=ipv6) and evt.is_io=true', CURL]);
  assert.equal(got, 'evt.rawarg.res      fd.l4proto          fd.name             \n' + '-'.repeat(80) + '\n11.31KB             tcp                 2600:1f18:262c:6542:9aa6:df7a:9a47:d29e:37140->2607:f8b0:4004:802::2004:80\n');
  const json = tdigText('tdig-agg', ['--json', 'topconns', CURL]).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(json.length, 2);
  assert.equal(json[0]['evt.rawarg.res'], 11580);
  assert.equal(json[0]['fd.l4proto'], 'tcp');
});

test('by --sum FIELD that is not a number (text, address, boolean): a usage error before any event, no table', () => {
  for (const [field, type] of [['proc.name', 'CHARBUF'], ['fd.sip', 'IPADDR'], ['evt.is_io', 'BOOL'], ['evt.arg.res', 'CHARBUF']]) {
    const r = tdig('tdig-agg', ['by', 'proc.name', '--sum', field!, CURL]);
    assert.equal(r.status, 2, field);
    assert.equal(r.stdout.toString(), '', field);
    assert.equal(r.stderr.toString(), `tdig-agg: by: --sum takes a number field; ${field} is ${type}\n`);
  }
  // a number field sums
  assert.match(tdigText('tdig-agg', ['by', 'proc.name', '--sum', 'fd.num', CURL]), /^fd\.num +proc\.name/);
});

test('--json: the list and thread-table chisels print one object per row of their text (ps, lsof, netstat, the *slower, proc_exec_time)', () => {
  const cap = join(ROOT, 'test/captures/apache_ab.scap');
  // [chisel and arguments, heading lines of the text, trailing lines of the text, fields the row holds]
  const cases: [string[], number, number, string[]][] = [
    [['ps'], 1, 0, ['tid', 'pid', 'user', 'virt', 'res', 'fdlimit', 'cmd']],
    [['lsof'], 1, 0, ['command', 'pid', 'tid', 'user', 'fd', 'type', 'name']],
    [['netstat'], 1, 0, ['proto', 'server', 'client', 'state', 'tid', 'pid', 'program']],
    [['fileslower', '0'], 2, 0, ['evt.datetime', 'proc.name', 'evt.type', 'evt.latency', 'fd.name']],
    [['netlower', '0'], 2, 0, ['evt.datetime', 'proc.name', 'evt.type', 'evt.latency', 'fd.name']],
    [['scallslower', '1'], 2, 0, ['evt.datetime', 'proc.name', 'evt.latency', 'evt.type']],
    [['proc_exec_time'], 2, 1, ['proc.duration', 'proc.name', 'proc.args']],
  ];
  for (const [args, head, tail, keys] of cases) {
    const text = tdigText('tdig-agg', [...args, cap]).split('\n').slice(0, -1);
    const rows = tdigText('tdig-agg', ['--json', ...args, cap]).split('\n').slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(rows.length > 0, args.join(' '));
    assert.equal(rows.length, text.length - head - tail, args.join(' '));
    for (const r of rows) assert.deepEqual(Object.keys(r), keys, args.join(' '));
  }
  // a row holds what its text line shows
  const ps = tdigText('tdig-agg', ['ps', cap]).split('\n')[5]!.trim().split(/ +/);
  const psj = JSON.parse(tdigText('tdig-agg', ['--json', 'ps', cap]).split('\n')[4]!) as Record<string, unknown>;
  assert.deepEqual([String(psj['tid']), String(psj['pid']), psj['user'], String(psj['fdlimit']), psj['cmd']], [ps[0], ps[1], ps[2], ps[5], ps[6]]);
  const slow = JSON.parse(tdigText('tdig-agg', ['--json', 'scallslower', '100', cap]).split('\n')[0]!) as Record<string, unknown>;
  assert.deepEqual(slow, { 'evt.datetime': '2026-11-27 03:18:55.580639579', 'proc.name': 'apache2', 'evt.latency': 1001069027, 'evt.type': 'pselect6' });
  // no event through the filter: no rows (the text says "empty capture or no event matching the filter")
  assert.equal(tdigText('tdig-agg', ['lsof', 'proc.name=apache2', 'evt.num=0', cap]), 'empty capture or no event matching the filter\n');
  assert.equal(tdigText('tdig-agg', ['--json', 'lsof', 'proc.name=apache2', 'evt.num=0', cap]), '');
});

test('--interval prints a table per second of capture time and at the end', () => {
  const out = tdigText('tdig-agg', ['--interval', 'topprocs_net', CURL]);
  const headers = out.split('\n').filter((l) => l.startsWith('Bytes'));
  assert.ok(headers.length >= 8, `${headers.length} tables`);
  assert.match(out, /11\.40KB {13}curl {16}17497/);
});

test('stdin input, and all captures run without error', () => {
  const r = tdig('tdig-agg', ['topscalls'], readFileSync(CURL));
  assert.equal(r.status, 0);
  assert.match(r.stdout.toString(), /^# Calls/);
  for (const cap of CAPTURES) assert.equal(tdig('tdig-echo', ['echo_fds', cap]).status, 0, cap);
});


const HOSTILE: [string, string[], RegExp, number][] = [
  ['tdig-agg', ['nosuchchisel', CURL], /unknown chisel nosuchchisel/, 2],
  ['tdig-echo', ['spy_ip'], /spy_ip: missing arguments for chisel spy_ip/, 2],
  ['tdig-echo', ['spy_port', 'notaport', CURL], /spy_port: invalid filter in chisel spy_port/, 2],
  ['tdig-echo', ['spy_ip', '1.2.3.4 disable_colors extra', CURL], /spy_ip: too many parameters for chisel spy_ip, 1 required, 1 optional, 3 given\n$/, 2],
  // sysdig's words, counts included
  ['tdig-agg', ['fileslower', '1 2 3', CURL], /^tdig-agg: fileslower: too many parameters for chisel fileslower, 1 required, 1 optional, 3 given\n$/, 2],
  ['tdig-echo', ['echo_fds', 'proc.name=curl and', CURL], /^tdig-echo: echo_fds: too many parameters for chisel echo_fds, 0 required, 1 optional, 2 given\n$/, 2],
  // an operator the field's type does not take: sysdig 0.29.3 compiles it (it fails at the first event), so
  // the words are the filter, not echo_fds's optional argument; tdig refuses it before reading
  ['tdig-echo', ['echo_fds', 'proc.pid contains 1', CURL], /^tdig-echo: filter error at column 10: proc\.pid \(INT64\) does not take the operator 'contains'/, 2],
  ['tdig-echo', ['echo_fds', '-A', 'proc.name=redis-server and evt.buffer icontains auth', CURL], /^tdig-echo: filter error at column 39: evt\.buffer \(BYTEBUF\) does not take the operator 'icontains'/, 2],
  ['tdig-agg', ['fdbytes_by', 'no.such.field', CURL], /fdbytes_by: chisel requesting nonexistent field no\.such\.field/, 2],
  ['tdig-agg', ['fdbytes_by'], /fdbytes_by: missing arguments/, 2],
  ['tdig-agg', ['-i', 'nosuch'], /chisel nosuch not found/, 2],
  ['tdig-echo', ['stderr', 'bogus', CURL], /set_arg\(\) for chisel stderr failed/, 2],
  ['tdig-agg', ['iobytes_net', 'evt.type!=procinfo', CURL], /iobytes_net: .*invalid call to evt\.field\(\)/, 1],
  ['tdig-agg', ['topconns', 'proc.name=curl and (', CURL], /^tdig-agg: filter error at column/, 2],
  ['tdig-agg', ['fileslower', CURL], /fileslower: missing arguments for chisel fileslower \(min_ms\)/, 2],
  ['tdig-agg', ['scallslower', 'slow', CURL], /scallslower: Input min_ms must be a number\./, 2],
  ['tdig-agg', ['httptop', 'calls', CURL], /httptop: Invalid argument! Valid options: ncalls, bytes, time/, 2],
  ['tdig-agg', ['ps', 'evt.type=close', CURL], /ps: invalid filter argument for get_thread_table in chisel ps: the given filter is not supported for thread table filtering/, 2],
];

for (const [cmd, args, re, code] of HOSTILE) {
  test(`hostile: ${cmd} ${args.filter((a) => a !== CURL).join(' ')}`, () => {
    const r = tdig(cmd, args);
    const err = r.stderr.toString();
    assert.equal(r.status, code, err);
    assert.match(err, re);
    // a syntax error in the user's filter shows the expression and a caret under the column (tdig-filter's format)
    if (!/filter error at column/.test(err)) assert.equal(err.trim().split('\n').length, 1, `one line: ${err}`);
  });
}

test('udp_extract writes each UDP connection payload to ./udp_dump_files, as sysdig does', () => {
  const caps = [CURL, LOOP, join(ROOT, 'test', 'data', 'test_ipv6_client.scap')].filter((c) => existsSync(c));
  for (const cap of caps) {
    const mine = mkdtempSync(join(tmpdir(), 'tdig-udp-'));
    const theirs = mkdtempSync(join(tmpdir(), 'tdig-udp-'));
    try {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'tdig-echo.js'), 'udp_extract', cap], { cwd: mine });
      assert.equal(r.status, 0, r.stderr.toString());
      assert.equal(r.stdout.length, 0);
      const files = readdirSync(join(mine, 'udp_dump_files')).sort();
      // payloads may hold secrets: only the user reads them (sysdig makes them world-readable)
      assert.equal(statSync(join(mine, 'udp_dump_files')).mode & 0o777, 0o700);
      for (const f of files) assert.equal(statSync(join(mine, 'udp_dump_files', f)).mode & 0o777, 0o600, f);
      if (cap === CURL) {
        assert.deepEqual(files, ['2600_1f18_262c_6542_9aa6_df7a_9a47_d29e_40251--2001_4860_4860__8888_53']);
        // the DNS query (32 bytes) and its answer (60 bytes)
        assert.equal(statSync(join(mine, 'udp_dump_files', files[0]!)).size, 92);
      }
      if (!HAVE_SYSDIG) continue;
      execFileSync('sysdig', ['-r', cap, '-c', 'udp_extract'], { cwd: theirs, stdio: 'ignore' });
      assert.deepEqual(files, readdirSync(join(theirs, 'udp_dump_files')).sort(), cap);
      for (const f of files) assert.ok(readFileSync(join(mine, 'udp_dump_files', f)).equals(readFileSync(join(theirs, 'udp_dump_files', f))), `${cap} ${f}`);
    } finally {
      rmSync(mine, { recursive: true, force: true });
      rmSync(theirs, { recursive: true, force: true });
    }
  }
});

// A capture that ends in a fault: the chisel's end still runs with what was read before it, then the error
// (exit 1). sysdig 0.29.3 calls on_capture_end twice there (in do_inspect and again in its error handler),
// so its table comes out twice: the golden holds sysdig's output, tdig prints it once.
test('a truncated capture: the table of what was read before the fault, once, then the error', () => {
  const cut = join(mkdtempSync(join(tmpdir(), 'tdig-trunc-')), 'cut.scap');
  try {
    writeFileSync(cut, gunzipSync(readFileSync(CURL)).subarray(0, 140001));
    for (const chisel of ['topprocs_net', 'topconns']) {
      const r = tdig('tdig-agg', [chisel, cut]);
      assert.equal(r.status, 1, chisel);
      assert.match(r.stderr.toString(), /^tdig-agg: truncated block: \d+ of \d+ bytes at .*cut\.scap byte \d+\n$/);
      const once = r.stdout.toString('latin1');
      assert.match(once, /\n11\.\d+KB /, 'the rows read before the fault');
      const sysdigTwice = readFileSync(join(ROOT, 'test', 'golden', 'chisels', 'truncated', `${chisel}.out`), 'latin1');
      assert.equal(once + once, sysdigTwice, chisel);
    }
  } finally {
    rmSync(dirname(cut), { recursive: true, force: true });
  }
});

test('several -c: user chisels among them; an unknown one, by, or a missing required argument is a usage error', () => {
  // each chisel sees every event: the run prints what the separate runs print, in the order given
  const example = join(ROOT, 'examples', 'bytes_by_port.js');
  const both = tdig('tdig-agg', ['-c', 'topprocs_net', '-c', example, CURL]);
  assert.equal(both.status, 0, both.stderr.toString());
  assert.equal(both.stdout.toString(), tdigText('tdig-agg', ['topprocs_net', CURL]) + tdigText('tdig-agg', [example, CURL]));
  // its optional argument, bound by sysdig's rule (the word after it, not a valid filter), and the filter
  const args = tdig('tdig-agg', ['-c', example, '1', '-c', 'topconns', 'fd.rport=53', CURL]);
  assert.equal(args.status, 0, args.stderr.toString());
  assert.equal(args.stdout.toString(), tdigText('tdig-agg', [example, '1', 'fd.rport=53', CURL]) + tdigText('tdig-agg', ['topconns', 'fd.rport=53', CURL]));
  // the same user chisel twice: each has its own module state (else the second would count twice)
  const twice = tdigText('tdig-agg', ['-c', example, '-c', example, CURL]);
  const one = tdigText('tdig-agg', [example, CURL]);
  assert.equal(twice, one + one);
  const r = tdig('tdig-agg', ['-c', 'topprocs_net', '-c', './no-such-chisel.js', CURL]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.toString(), 'tdig-agg: ./no-such-chisel.js: no such chisel file\n');
  const u = tdig('tdig-agg', ['-c', 'topprocs_net', '-c', 'no_such_chisel', CURL]);
  assert.equal(u.stderr.toString(), 'tdig-agg: unknown chisel no_such_chisel (tdig-agg --list lists them)\n');
  const b = tdig('tdig-agg', ['-c', 'topprocs_net', '-c', 'by', 'proc.name', CURL]);
  assert.equal(b.status, 2);
  assert.match(b.stderr.toString(), /^tdig-agg: -c by: /);
  const m = tdig('tdig-agg', ['-c', 'fdbytes_by', '-c', 'topconns', CURL]);
  assert.equal(m.status, 2);
  assert.equal(m.stderr.toString(), 'tdig-agg: fdbytes_by: missing arguments for chisel fdbytes_by (key)\n');
});
