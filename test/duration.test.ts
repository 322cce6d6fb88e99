// -M SECONDS (lib/scap/duration.ts): where reading stops, as sysdig's do_inspect decides it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DurationLimit, parseDuration } from '../lib/scap/duration.js';
import { EventView } from '../lib/scap/event.js';
import { tdig } from './helpers.js';

function at(ns: bigint): EventView {
  const ev = new EventView();
  ev.tsHi = Number(ns >> 32n);
  ev.tsLo = Number(ns & 0xffffffffn);
  return ev;
}

test('the first counted event starts the clock; the first one SECONDS or more later stops', () => {
  const d = new DurationLimit(2);
  const t0 = 1_700_000_000_123_456_789n;
  assert.equal(d.reached(at(t0)), false);
  assert.equal(d.reached(at(t0 + 1_999_999_999n)), false);
  assert.equal(d.reached(at(t0 + 2_000_000_000n)), true);
});

test('an event older than the first stops it too (sysdig subtracts unsigned)', () => {
  const d = new DurationLimit(100);
  const t0 = 1_700_000_000_000_000_000n;
  assert.equal(d.reached(at(t0)), false);
  assert.equal(d.reached(at(t0 - 1n)), true);
});

test('a first timestamp of 0 starts nothing: the next event starts the clock', () => {
  const d = new DurationLimit(1);
  assert.equal(d.reached(at(0n)), false);
  assert.equal(d.reached(at(5_000_000_000n)), false);
  assert.equal(d.reached(at(5_999_999_999n)), false);
  assert.equal(d.reached(at(6_000_000_000n)), true);
});

test('-M takes whole seconds above 0: anything else is a one-line usage error', () => {
  assert.equal(parseDuration('3'), 3);
  for (const bad of ['0', '-1', '1.5', 'x', '']) {
    assert.equal(parseDuration(bad), undefined, bad);
    const r = tdig('tdig-fmt', ['-M', bad, 'test/data/synth.scap']);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr.toString(), /^tdig-fmt: -M needs a number of seconds above 0, not "[^"]*"\n$/);
  }
});
