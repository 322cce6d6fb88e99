// A file read on a terminal shows a progress bar on stderr: with -P from start to end, and by itself (after
// TDIG_PROGRESS_DELAY ms, 1000 by default) until the command's output starts, when the bar leaves its line.
// Run under a pseudo-terminal (util-linux script), stdout and stderr both on it as in an interactive shell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bin, tdig, tdigText } from './helpers.js';

const HAVE_SCRIPT = spawnSync('script', ['--version']).status === 0;
const CAP = 'test/captures/apache_ab.scap';
const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** What the terminal got from `argv` (with `redirect` appended to the shell command, e.g. "> FILE"). */
function onTerminal(argv: string[], env: Record<string, string>, redirect = ''): string {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${shQuote(v)}`).join(' ');
  const cmd = `stty cols 200 rows 40; ${vars} ${argv.map(shQuote).join(' ')} ${redirect}`;
  const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout.toString('latin1');
}

const BAR = /\rtest\/captures\/apache_ab\.scap \[[# ]{40}\] +\d+%/;
const node = process.execPath;

test('tdig-agg on a terminal: the bar shows, then leaves its line before the table', { skip: !HAVE_SCRIPT && 'script(1) not installed' }, () => {
  const table = tdigText('tdig-agg', ['topconns', CAP]);
  const got = onTerminal([node, bin('tdig-agg'), 'topconns', CAP], { TDIG_PROGRESS_DELAY: '0' });
  const at = got.indexOf('\r\x1b[K');
  assert.ok(at > 0, JSON.stringify(got.slice(0, 200)));
  assert.match(got.slice(0, at), BAR);
  // after the bar: the table as printed off a terminal (a terminal's newlines are CR LF; sysdig's colour reset first)
  assert.equal(got.slice(at + 4).replace(/\r\n/g, '\n').replace(/^\x1b\[00m/, ''), table);
});

test('a read shorter than the delay shows no bar; nor does one whose output is not the terminal', { skip: !HAVE_SCRIPT && 'script(1) not installed' }, () => {
  // a delay the read is over long before
  const got = onTerminal([node, bin('tdig-agg'), 'topconns', CAP], { TDIG_PROGRESS_DELAY: '3600000' });
  assert.doesNotMatch(got, BAR);
  assert.ok(!got.includes('\x1b[K'));
  const piped = onTerminal([node, bin('tdig-agg'), 'topconns', CAP], { TDIG_PROGRESS_DELAY: '0' }, '| cat');
  assert.doesNotMatch(piped, BAR);
});

test('-P: the bar from start to end, its line left on the terminal', { skip: !HAVE_SCRIPT && 'script(1) not installed' }, () => {
  const got = onTerminal([node, bin('tdig-fmt'), '-P', '-q', CAP], {});
  assert.match(got, /\rtest\/captures\/apache_ab\.scap \[#{40}\] 100%\r\n$/);
  const agg = onTerminal([node, bin('tdig-agg'), '-P', 'topconns', CAP], {}, '> /dev/null');
  assert.match(agg, /\] 100%\r\n$/);
});

test('tdig-fmt and tdig-echo: the bar leaves when the first line prints', { skip: !HAVE_SCRIPT && 'script(1) not installed' }, () => {
  const lines = tdigText('tdig-fmt', [CAP, 'evt.type=accept']);
  const got = onTerminal([node, bin('tdig-fmt'), CAP, 'evt.type=accept'], { TDIG_PROGRESS_DELAY: '0' });
  const at = got.indexOf('\r\x1b[K');
  assert.ok(at > 0 && BAR.test(got.slice(0, at)), JSON.stringify(got.slice(0, 200)));
  assert.equal(got.slice(at + 4).replace(/\r\n/g, '\n'), lines);
  const echo = onTerminal([node, bin('tdig-echo'), 'echo_fds', 'fd.type=ipv4', CAP], { TDIG_PROGRESS_DELAY: '0' });
  const e = echo.indexOf('\r\x1b[K');
  assert.ok(e > 0 && BAR.test(echo.slice(0, e)));
  assert.equal(echo.slice(e + 4).replace(/\r\n/g, '\n'), tdigText('tdig-echo', ['echo_fds', 'fd.type=ipv4', CAP]));
});

test('tdig-filter: -P, and by itself with -w FILE (nothing else is on the terminal), cleared at the end', { skip: !HAVE_SCRIPT && 'script(1) not installed' }, () => {
  const want = tdig('tdig-filter', ['proc.name=ab', CAP]).stdout;
  const dir = mkdtempSync(join(tmpdir(), 'tdig-progress-'));
  try {
    const out = join(dir, 'f.scap');
    const got = onTerminal([node, bin('tdig-filter'), 'proc.name=ab', CAP, '-w', out], { TDIG_PROGRESS_DELAY: '0' });
    assert.match(got, BAR);
    assert.ok(got.endsWith('\r\x1b[K'), JSON.stringify(got.slice(-20)));
    assert.ok(readFileSync(out).equals(want));
    const p = join(dir, 'p.scap');
    assert.match(onTerminal([node, bin('tdig-filter'), '-P', 'proc.name=ab', CAP], {}, `> ${shQuote(p)}`), /\] 100%\r\n$/);
    assert.ok(readFileSync(p).equals(want));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tdig-fmt -w FILE (scap to a file, nothing else on the terminal): the bar by itself, cleared at the end', { skip: !HAVE_SCRIPT && 'script(1) not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tdig-progress-'));
  try {
    const out = join(dir, 'copy.scap');
    const got = onTerminal([node, bin('tdig-fmt'), CAP, '-w', out], { TDIG_PROGRESS_DELAY: '0' });
    assert.match(got, BAR);
    assert.ok(got.endsWith('\r\x1b[K'), JSON.stringify(got.slice(-20)));
    assert.ok(readFileSync(out).equals(readFileSync(CAP)), 'a plain capture is copied unchanged');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
