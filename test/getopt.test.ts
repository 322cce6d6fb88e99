// getopt's other spellings of options, as sysdig's users type them: -p"%proc.name", -n5, -qS, --numevents=5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getoptSplit, type GetoptSpec } from '../lib/cli/args.js';
import { parseArgs as parseCapture } from '../lib/commands/capture.js';
import { HAVE_SYSDIG, firstDiff, sysdig, tdig, tdigText } from './helpers.js';

const CAP = 'test/captures/apache_ab.scap';

test('getoptSplit: a value attached, flags together, a long option with =', () => {
  const spec: GetoptSpec = { valued: 'pn', flags: 'qSA', long: ['--numevents'] };
  assert.deepEqual(getoptSplit('-p%proc.name %fd.name', spec), ['-p', '%proc.name %fd.name']);
  assert.deepEqual(getoptSplit('-n5', spec), ['-n', '5']);
  assert.deepEqual(getoptSplit('-qS', spec), ['-q', '-S']);
  assert.deepEqual(getoptSplit('-qn5', spec), ['-q', '-n', '5']);
  assert.deepEqual(getoptSplit('-qn', spec), ['-q', '-n'], 'the value is then the next word');
  assert.deepEqual(getoptSplit('--numevents=5', spec), ['--numevents', '5']);
  assert.deepEqual(getoptSplit('--numevents=', spec), ['--numevents', '']);
  for (const w of ['-qZ', '-Z5', '--json=1', '--other=2', '-q', '--', '-', 'proc.name=x']) assert.equal(getoptSplit(w, spec), undefined, w);
});

test('tdig-fmt: each spelling prints what the separate words print', () => {
  for (const [joined, apart] of [
    [['-p%evt.num %proc.name %fd.name', 'evt.type=accept'], ['-p', '%evt.num %proc.name %fd.name', 'evt.type=accept']],
    [['-n40', '-tr'], ['-n', '40', '-t', 'r']],
    [['-qS'], ['-q', '-S']],
    [['-qn400', '-S'], ['-q', '-n', '400', '-S']],
    [['--numevents=30', '--timetype=a', '--print=%evt.num %evt.type'], ['-n', '30', '-t', 'a', '-p', '%evt.num %evt.type']],
    [['-Ubash', '-xn30'], ['-U', 'bash', '-x', '-n', '30']],
  ] as const) {
    const want = tdigText('tdig-fmt', [CAP, ...apart]);
    assert.ok(want.length > 0, apart.join(' '));
    assert.equal(tdigText('tdig-fmt', [CAP, ...joined]), want, joined.join(' '));
  }
});

test('tdig-fmt: -p"FORMAT" and -n5 print what sysdig prints for them', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  for (const args of [['-p%proc.name_%fd.name', 'evt.type=accept'], ['-n50', '-tr'], ['-qn300', '-S'], ['--numevents=30', '--print=%evt.num %evt.type']]) {
    const want = sysdig(['-r', CAP, ...args]);
    const got = tdigText('tdig-fmt', ['-r', CAP, ...args]);
    assert.ok(got === want, `${args.join(' ')}: ${firstDiff(want, got)}`);
  }
});

test('tdig-filter, tdig-agg, tdig-echo: attached values and flags together', () => {
  const apart = tdig('tdig-filter', ['-n', '5', 'evt.type=accept', CAP]).stdout;
  assert.ok(apart.length > 0);
  assert.ok(tdig('tdig-filter', ['-n5', 'evt.type=accept', CAP]).stdout.equals(apart));
  assert.ok(tdig('tdig-filter', ['--numevents=5', 'evt.type=accept', CAP]).stdout.equals(apart));
  assert.ok(tdig('tdig-filter', ['--thin', '-Fn5', 'evt.type=accept', CAP]).stdout.equals(apart), '-F undoes --thin');
  const agg = tdigText('tdig-agg', ['-c', 'topprocs_net', '-n', '500', CAP]);
  assert.equal(tdigText('tdig-agg', ['-ctopprocs_net', '-n500', CAP]), agg);
  assert.equal(tdigText('tdig-agg', ['-cl']), tdigText('tdig-agg', ['--list']), "sysdig's -cl is -c l");
  const echo = tdigText('tdig-echo', ['-A', '-c', 'echo_fds', '-n', '300', CAP]);
  assert.equal(tdigText('tdig-echo', ['-Acecho_fds', '-n300', CAP]), echo);
  // the part options of tdig-fmt and tdig-capture name the pipeline that writes parts
  for (const args of [['-C', '10'], ['-e5'], ['-G', '60']]) {
    const r = tdig('tdig-filter', ['evt.type=accept', CAP, '-w', '/dev/null', ...args]);
    assert.equal(r.status, 2);
    assert.match(r.stderr.toString(), /^tdig-filter: -[CeG]: tdig-filter writes one stream; for a capture in parts, tdig-fmt writes them: tdig-filter EXPR IN \| tdig-fmt -w OUT -[CeG] N\n$/);
  }
  // a word that is no option in any spelling is still refused, by its name
  const bad = tdig('tdig-agg', ['-Qx', 'topconns', CAP]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.toString(), /^tdig-agg: unknown option -Qx/);
});

test('tdig-capture: attached values and flags together parse as the separate words', () => {
  const joined = parseCapture(['-s256', '-n5', '-zv', '-wout.scap', '-Ubash']);
  const apart = parseCapture(['-s', '256', '-n', '5', '-z', '-v', '-w', 'out.scap', '-U', 'bash']);
  assert.deepEqual(joined, apart);
  assert.equal(joined.snaplen, 256);
  assert.throws(() => parseCapture(['-Q']), /unknown option -Q/);
  assert.equal(parseCapture(['--thin', '-zF', 'proc.name=x']).thin, false, '-F undoes --thin');
});

test('an option value that looks like an option is taken as the value', () => {
  // -p's value starts with "-": a value, never split
  const got = tdigText('tdig-fmt', [CAP, '-p', '-n5 %evt.num', '-n', '3']);
  assert.match(got, /^-n5 \d+\n/);
});
