// tdig-fmt -v's counters on stderr at the end, as sysdig -v prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { HAVE_SYSDIG, tdig } from './helpers.js';

const CAP = 'test/captures/apache_ab.scap';
const LINES = /^Driver Events:0\nDriver Drops:0\nSuppressed by Comm:(\d+)\nElapsed time: \d+\.\d{3}, Captured Events: (\d+), (?:\d+\.\d\d|inf|-nan) eps\n$/;

function stats(args: string[]): { suppressed: number; events: number; stdout: string } {
  const r = tdig('tdig-fmt', ['-v', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  const m = LINES.exec(r.stderr.toString());
  assert.ok(m, `stderr: ${JSON.stringify(r.stderr.toString())}`);
  return { suppressed: Number(m[1]), events: Number(m[2]), stdout: r.stdout.toString() };
}

test('-v counts the events that pass the filter, and those -U left out', () => {
  // every event printed by -p with a filter is one counted (accept events are never hidden)
  const f = stats(['-p', '%evt.num', CAP, 'evt.type=accept']);
  assert.equal(f.events, f.stdout.split('\n').length - 1);
  assert.ok(f.events > 0);
  assert.equal(f.suppressed, 0);
  // -d: every event passes; -n stops the count where it stops reading
  const all = stats(['-q', '-d', CAP, 'evt.type=accept']);
  assert.ok(all.events > f.events);
  assert.equal(stats(['-q', '-n', '123', CAP]).events, 123);
  const u = stats(['-q', '-U', 'ab', CAP]);
  assert.ok(u.suppressed > 0);
  assert.equal(u.events + u.suppressed, all.events, 'the events of ab are left out before they are counted');
  // without -v, nothing on stderr
  assert.equal(tdig('tdig-fmt', ['-q', CAP]).stderr.length, 0);
});

test('-v prints what sysdig -v prints but the CPU time', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const strip = (s: string) => s.replace(/Elapsed time: [\d.]+/, 'T').replace(/, [\d.]+ eps/, '');
  for (const args of [['-q'], ['-q', '-U', 'ab'], ['-q', 'evt.type=accept'], ['-q', '-d', 'evt.type=read'], ['-n', '30'], ['-q', '-n', '100', '-U', 'ab']]) {
    const s = spawnSync('sysdig', ['-r', CAP, '-v', ...args]);
    const t = tdig('tdig-fmt', ['-r', CAP, '-v', ...args]);
    assert.equal(strip(t.stderr.toString()), strip(s.stderr.toString()), args.join(' '));
    assert.ok(t.stdout.equals(s.stdout), args.join(' '));
  }
});
