// Regenerates the golden files of the filter differential test from sysdig 0.29.3:
//   npx tsc -p tsconfig.json && node dist/test/golden/filter/make-golden.js
// For each capture, <name>.json maps each expression to the event numbers (as runs: 211-215 300) sysdig printed with
// `sysdig -r CAP -p '%evt.num' EXPR`, or to "error" when sysdig rejected the expression.
// new-<name>.json holds the expected results of the newer-grammar expressions, computed by sysdig
// from their 0.29.3 equivalents (`equiv`) or from printed fields (`derive`). text-<name>.json.gz holds
// sysdig's full text output for the same-output test.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { NEW_EXPRS, OLD_EXPRS, TEXT_EXPRS } from '../../filter-exprs.js';
import { CAPTURES, REPO, runs } from '../../filter-helpers.js';

function sysdig(cap: string, fmt: string, expr?: string): { ok: boolean; out: string } {
  const args = ['-r', cap, '-p', fmt];
  if (expr !== undefined) args.push(expr);
  const r = spawnSync('sysdig', args, { encoding: 'latin1', maxBuffer: 1 << 28 });
  return { ok: r.status === 0, out: r.stdout };
}

function nums(out: string): string {
  return runs(out.split('\n').filter((l) => l !== '').join(' '));
}

for (const c of CAPTURES) {
  if (!c.sysdigReads) continue;
  const old: Record<string, string> = {};
  for (const e of OLD_EXPRS) {
    const r = sysdig(c.path, '%evt.num', e);
    old[e] = r.ok ? nums(r.out) : 'error';
  }
  writeFileSync(join(REPO, 'test/golden/filter', `${c.name}.json`), JSON.stringify(old, null, 1) + '\n');
  const neu: Record<string, string> = {};
  for (const n of NEW_EXPRS) {
    if (n.equiv !== undefined) {
      const r = sysdig(c.path, '%evt.num', n.equiv);
      if (!r.ok) throw new Error(`sysdig rejected the equivalent of ${n.expr}: ${n.equiv}`);
      neu[n.expr] = nums(r.out);
    } else if (n.derive) {
      const r = sysdig(c.path, '%evt.num\t' + n.derive.fields);
      const keep: string[] = [];
      for (const line of r.out.split('\n')) {
        if (line === '') continue;
        const cols = line.split('\t');
        if (n.derive.pred(cols.slice(1))) keep.push(cols[0]!);
      }
      neu[n.expr] = runs(keep.join(' '));
    }
  }
  writeFileSync(join(REPO, 'test/golden/filter', `new-${c.name}.json`), JSON.stringify(neu, null, 1) + '\n');
  // text-<name>.json.gz: the whole `sysdig -r CAP EXPR` output, for the same-output test
  const text: Record<string, string> = {};
  for (const e of TEXT_EXPRS) {
    const r = spawnSync('sysdig', ['-r', c.path, e], { encoding: 'latin1', maxBuffer: 1 << 28 });
    text[e] = r.stdout;
  }
  writeFileSync(join(REPO, 'test/golden/filter', `text-${c.name}.json.gz`), gzipSync(Buffer.from(JSON.stringify(text), 'latin1')));
  process.stdout.write(`${c.name}: ${OLD_EXPRS.length} + ${NEW_EXPRS.length} + ${TEXT_EXPRS.length} expressions\n`);
}
