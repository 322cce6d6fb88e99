// C's %.Nf, %.Ne and %g of a double (lib/events/printf.ts) against a C-rounding reference: Python's %
// formatting, which like glibc rounds the double's exact value and takes an exact tie to the even digit.
// The values are weighted towards exact ties (a count over a power of two, as proc.fdusage makes them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { printfExp, printfFixed, printfG } from '../lib/events/printf.js';
import { HAVE_SYSDIG, tdig } from './helpers.js';

const PYTHON = '/usr/bin/python3';

function values(): number[] {
  const v: number[] = [0, -0, 0.25, 0.35, 2.5, 0.125, 6.25, 18.75, 31.25, 99.95, 100, 1e21, 123456.5, 999999.5, 9.5, 0.5, 1.5,
    1000.125, 0.0000125, 1234565, 0.00001, 1e-300, 5e-324, Number.MAX_VALUE, 2 ** 53 - 0.5, 4503599627370497.5];
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 400; i++) {
    const den = 2 ** Math.floor(rnd() * 14);
    v.push(Math.floor(rnd() * 100000) / den, (Math.floor(rnd() * 2000) * 100) / 1024);
    v.push((rnd() - 0.5) * 10 ** Math.floor(rnd() * 16 - 8));
  }
  return [...v, ...v.map((x) => -x)];
}

test('printf %.0f %.1f %.2f %.3f %.5e %g of doubles: as C rounds them', { skip: !fs.existsSync(PYTHON) && 'python3 not installed' }, () => {
  const xs = values();
  const formats = ['%.0f', '%.1f', '%.2f', '%.3f', '%.5e', '%.0e', '%g'];
  const script = `
import json, sys
xs = json.loads(sys.stdin.read())
for f in ${JSON.stringify(formats)}:
    for x in xs:
        print(f % float.fromhex(x))
`;
  // the values travel as hex floats: exact, and -0 stays -0
  const hex = xs.map((x) => {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(x);
    const sign = b[0]! >> 7 ? '-' : '';
    b[0]! &= 0x7f;
    const bits = b.readBigUInt64BE();
    const exp = Number(bits >> 52n);
    const mant = (bits & ((1n << 52n) - 1n)).toString(16).padStart(13, '0');
    return exp === 0 ? `${sign}0x0.${mant}p-1022` : `${sign}0x1.${mant}p${exp - 1023}`;
  });
  const r = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(hex), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  const want = r.stdout.split('\n');
  const ours = (f: string, x: number): string => {
    if (f === '%g') return printfG(x);
    const d = Number(f.slice(2, -1));
    return f.endsWith('e') ? printfExp(x, d) : printfFixed(x, d);
  };
  let i = 0;
  for (const f of formats) {
    for (const x of xs) {
      assert.equal(ours(f, x), want[i], `${f} of ${x} (${hex[i % xs.length]})`);
      i++;
    }
  }
});

test('exact ties go to the even digit; others as JS rounds them', () => {
  assert.equal(printfFixed(0.25, 1), '0.2');
  assert.equal(printfFixed(0.75, 1), '0.8');
  assert.equal(printfFixed(6.25, 1), '6.2');
  assert.equal(printfFixed(18.75, 1), '18.8');
  assert.equal(printfFixed(-0.25, 1), '-0.2');
  assert.equal(printfFixed(2.5, 0), '2');
  assert.equal(printfFixed(0.35, 1), '0.3'); // 0.35 is 0.34999... as a double: no tie
  assert.equal(printfG(123456.5), '123456');
  assert.equal(printfG(999999.5), '1e+06');
  assert.equal(printfG(1000.125), '1000.12');
  assert.equal(printfG(0.0001), '0.0001');
  assert.equal(printfG(0.00001), '1e-05');
  assert.equal(printfExp(9.5, 0), '1e+01');
  assert.equal(printfExp(8.5, 0), '8e+00');
});

// proc.fdusage on a capture whose processes hold 64 of 1024 fds (test/captures/fd_usage.sh): the text is
// C's, and sysdig's goldens hold it (fmt-parity); in JSON sysdig 0.29.3 stops at the first double
// ("wrong event type 33"), tdig-fmt prints the value as a number (tdig-fmt(1), DIFFERENCES FROM SYSDIG).
test('proc.fdusage: 6.2 as text, 6.25 in JSON', () => {
  const cap = new URL('../../test/captures/fd_usage.scap', import.meta.url).pathname;
  const filter = 'proc.fdlimit=1024 and proc.fdopencount=64 and evt.type=read';
  const text = tdig('tdig-fmt', [cap, '-p', '%proc.fdusage', filter]);
  assert.equal(text.status, 0, text.stderr.toString());
  assert.ok(text.stdout.toString().split('\n').filter((l) => l !== '').every((l) => l === '6.2'), text.stdout.toString());
  const json = tdig('tdig-fmt', [cap, '-j', '-p', '%proc.fdusage', filter]);
  const rows = json.stdout.toString().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(rows.length > 0 && rows.every((r) => r['proc.fdusage'] === 6.25), json.stdout.toString());
  if (HAVE_SYSDIG) {
    const s = spawnSync('sysdig', ['-r', cap, '-j', '-p', '%proc.fdusage', filter], { encoding: 'latin1' });
    assert.equal(s.status, 1);
    assert.match(s.stdout + s.stderr, /wrong event type 33/);
  }
});
