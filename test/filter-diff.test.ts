// Differential tests of event selection: tdig's filter against sysdig 0.29.3 over the fixtures and
// our own captures. Golden files (test/golden/filter/, made by make-golden.ts from sysdig) let the
// tests run without sysdig; when sysdig is installed, a sample is also checked live.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { NEW_EXPRS, OLD_EXPRS } from './filter-exprs.js';
import { CAPTURES, filterThenFmt, golden, haveSysdig, runs, selectInProcess } from './filter-helpers.js';

async function tdigSelect(expr: string, path: string): Promise<string> {
  try {
    return runs(await selectInProcess(expr, path));
  } catch (e) {
    if (e instanceof Error && e.name === 'FilterError') return 'error';
    throw e;
  }
}

const NEW = new Set(NEW_EXPRS.map((n) => n.expr));

test('at least 150 expressions that sysdig 0.29.3 accepts, on at least 6 captures', () => {
  const g = golden(CAPTURES[0]!);
  const accepted = OLD_EXPRS.filter((e) => g[e] !== 'error');
  assert.ok(accepted.length >= 150, `only ${accepted.length} accepted expressions`);
  assert.ok(CAPTURES.length >= 6);
});

for (const cap of CAPTURES) {
  test(`selection = sysdig 0.29.3: ${cap.name} (${OLD_EXPRS.length} expressions)`, async () => {
    const g = golden(cap);
    const bad: string[] = [];
    for (const e of OLD_EXPRS) {
      const want = g[e];
      assert.ok(want !== undefined, `no golden for ${e}; run make-golden`);
      const got = await tdigSelect(e, cap.path);
      if (want === 'error') {
        // what sysdig rejects, tdig rejects too, unless current libs accept it (NEW_EXPRS)
        if (!NEW.has(e) && got !== 'error') bad.push(`${e}: sysdig rejects it, tdig accepts it`);
        continue;
      }
      if (got !== want) bad.push(`${e}:\n    sysdig ${want.slice(0, 300)}\n    tdig   ${got.slice(0, 300)}`);
    }
    assert.deepEqual(bad, []);
  });

  test(`newer grammar, expected results: ${cap.name} (${NEW_EXPRS.length} expressions)`, async () => {
    const g = golden(cap, 'new-');
    const bad: string[] = [];
    for (const n of NEW_EXPRS) {
      const want = g[n.expr]!;
      const got = await tdigSelect(n.expr, cap.path);
      if (got !== want) bad.push(`${n.expr}:\n    expected ${want.slice(0, 300)}\n    tdig     ${got.slice(0, 300)}`);
    }
    assert.deepEqual(bad, []);
  });
}

// The binaries: `tdig-filter E cap | tdig-fmt -p %evt.num` on a sample of expressions and captures.
const PIPE_SAMPLE = OLD_EXPRS.filter((_, i) => i % 9 === 0).concat(NEW_EXPRS.filter((_, i) => i % 4 === 0).map((n) => n.expr));

for (const cap of CAPTURES) {
  test(`tdig-filter | tdig-fmt -p %evt.num = golden: ${cap.name} (${PIPE_SAMPLE.length} expressions)`, () => {
    const g = { ...golden(cap), ...golden(cap, 'new-') };
    const bad: string[] = [];
    for (const e of PIPE_SAMPLE) {
      const want = NEW.has(e) ? golden(cap, 'new-')[e]! : g[e]!;
      const r = filterThenFmt(e, cap.path, ['-p', '%evt.num']);
      if (want === 'error') {
        if (r.status !== 2) bad.push(`${e}: expected exit 2, got ${r.status}`);
        continue;
      }
      assert.equal(r.status, 0, `${e}: ${r.err}`);
      const got = runs(r.out.split('\n').filter((l) => l !== '').join(' '));
      if (got !== want) bad.push(`${e}: want ${want.slice(0, 200)} got ${got.slice(0, 200)}`);
    }
    assert.deepEqual(bad, []);
  });
}

// Live: sysdig itself, on every seventh expression, when it is installed.
const LIVE_SAMPLE = OLD_EXPRS.filter((_, i) => i % 7 === 3);
for (const cap of CAPTURES.filter((c) => c.sysdigReads)) {
  test(`live sysdig 0.29.3 agrees: ${cap.name} (${LIVE_SAMPLE.length} expressions)`, { skip: !haveSysdig() && 'sysdig not installed' }, async () => {
    const bad: string[] = [];
    for (const e of LIVE_SAMPLE) {
      const r = spawnSync('sysdig', ['-r', cap.path, '-p', '%evt.num', e], { encoding: 'latin1', maxBuffer: 1 << 28 });
      const want = r.status === 0 ? runs(r.stdout.split('\n').filter((l) => l !== '').join(' ')) : 'error';
      const got = await tdigSelect(e, cap.path);
      if (want === 'error') {
        if (!NEW.has(e) && got !== 'error') bad.push(`${e}: sysdig rejects it, tdig accepts it`);
        continue;
      }
      if (got !== want) bad.push(`${e}: sysdig ${want.slice(0, 200)} tdig ${got.slice(0, 200)}`);
    }
    assert.deepEqual(bad, []);
  });
}

// The type scan (tdig-filter's fast path for filters that read only the event type, the fields it decides
// alone and evt.buffer): every such expression through the binaries, on two captures.
test('tdig-filter | tdig-fmt -p %evt.num = golden, every expression the type scan takes', async () => {
  const { compileFilter } = await import('../lib/filter/index.js');
  const { isTypeOnly } = await import('../lib/filter/fastscan.js');
  const scanned = OLD_EXPRS.filter((e) => {
    try {
      const f = compileFilter(e);
      return f.stateless && isTypeOnly(f);
    } catch {
      return false;
    }
  });
  assert.ok(scanned.length >= 20, `only ${scanned.length} expressions take the type scan`);
  assert.ok(scanned.some((e) => /evt\.is_io/.test(e)) && scanned.some((e) => /evt\.buffer/.test(e)));
  const bad: string[] = [];
  for (const cap of CAPTURES.filter((c) => ['curl_google', 'apache_ab'].includes(c.name))) {
    for (const e of scanned) {
      // (the newer grammar's expressions, which 0.29.3 refuses, have expected results of their own)
      const want = NEW.has(e) ? golden(cap, 'new-')[e]! : golden(cap)[e]!;
      const r = filterThenFmt(e, cap.path, ['-p', '%evt.num']);
      assert.equal(r.status, 0, `${e}: ${r.err}`);
      const got = runs(r.out.split('\n').filter((l) => l !== '').join(' '));
      if (got !== want) bad.push(`${cap.name} ${e}: want ${want.slice(0, 200)} got ${got.slice(0, 200)}`);
    }
  }
  assert.deepEqual(bad, []);
});

// Tracers: which writes to /dev/null are tracers depends on their fd. A filter that could keep a tracer
// event runs with the state engine; with --stateful every filter does, and then selects on a capture with
// tracers what sysdig selects, fast-path expressions included.
test('tracers: tdig-filter [--stateful] | tdig-fmt -p %evt.num = golden on the tracers capture', async () => {
  const { compileFilter } = await import('../lib/filter/index.js');
  const cap = CAPTURES.find((c) => c.name === 'tracers')!;
  const g = golden(cap);
  const exprs = OLD_EXPRS.filter((e) => g[e] !== 'error' && !NEW.has(e) && /evt\.(type|dir|buffer|is_io|cpu)|span|tracer/.test(e));
  assert.ok(exprs.length >= 40, `${exprs.length} expressions`);
  assert.ok(compileFilter('evt.type=write').stateless && !compileFilter('evt.type=tracer').stateless && !compileFilter('evt.dir=>').stateless);
  const bad: string[] = [];
  for (const e of exprs) {
    const stateless = compileFilter(e).stateless;
    for (const args of stateless ? [['--stateful']] : [[], ['--stateful']]) {
      const r = filterThenFmt(e, cap.path, ['-p', '%evt.num'], args);
      assert.equal(r.status, 0, `${e}: ${r.err}`);
      const got = runs(r.out.split('\n').filter((l) => l !== '').join(' '));
      if (got !== g[e]) bad.push(`${args.join(' ')} ${e}: want ${g[e]!.slice(0, 200)} got ${got.slice(0, 200)}`);
    }
  }
  assert.deepEqual(bad, []);
});
