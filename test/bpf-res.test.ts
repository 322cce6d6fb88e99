// evt.res of a bpf exit. libsinsp's evt.res reads the parameter named res or, for an exit that creates an fd,
// the one named fd; bpf's exit has only res_or_fd, and sysdig 0.29.3 dereferences the parameter it did not
// find: `sysdig -p %evt.res` dies of a segmentation fault at the first bpf exit (a capture taken while any BPF
// tool loads its programs has them). tdig gives no value, as for any event without a result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAVE_SYSDIG, tdig } from './helpers.js';
import { eventBlock, sectionBlocks } from '../lib/scap/writer.js';
import { eventInfo } from '../lib/events/table.js';
import { event, i64, proc } from './synth.js';

const dir = mkdtempSync(join(tmpdir(), 'tdig-bpf-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function type(name: string, d: 0 | 1): number {
  for (let t = d; t < 336; t += 2) if (eventInfo(t)?.name === name) return t;
  throw new Error(name);
}

const T = 100;
// res_or_fd is a dynamic parameter: an index byte (0: an fd, 1: an errno), then the value
const dyn = (idx: number, v: number): Buffer => Buffer.concat([Buffer.from([idx]), i64(v)]);
// bpf(BPF_PROG_LOAD) that returns fd 7, one that fails with EPERM, and a close for comparison
const evs = [
  event(type('bpf', 0), T, [i64(5)]),
  event(type('bpf', 1), T, [dyn(0, 7)]),
  event(type('bpf', 0), T, [i64(5)]),
  event(type('bpf', 1), T, [dyn(1, -1)]),
  event(type('close', 0), T, [i64(7)]),
  event(type('close', 1), T, [i64(0)]),
];
const cap = join(dir, 'bpf.scap');
writeFileSync(cap, Buffer.concat([...sectionBlocks({ procs: [proc(T, 'loader')] }), ...evs.map((e) => eventBlock(0, 0, e, false))]));

test('evt.res of a bpf exit has no value; the other result fields read res_or_fd as sysdig does', () => {
  const r = tdig('tdig-fmt', [cap, '-p', '*%evt.num %evt.type %evt.dir %evt.res %evt.rawres %evt.failed %evt.args']);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(
    r.stdout.toString(),
    [
      '1 bpf > <NA> <NA> false cmd=5 ',
      '2 bpf < <NA> <NA> false res_or_fd=7 ',
      '3 bpf > <NA> <NA> false cmd=5 ',
      '4 bpf < <NA> <NA> false res_or_fd=-1(EPERM) ',
      '5 close > <NA> <NA> false fd=7 ',
      '6 close < SUCCESS 0 false res=0 ',
      '',
    ].join('\n'),
  );
  // a filter on it passes no bpf exit, and does not stop
  const f = tdig('tdig-fmt', [cap, '-p', '%evt.num', 'evt.res != SUCCESS']);
  assert.equal(f.status, 0, f.stderr.toString());
  assert.equal(f.stdout.toString(), '');
});

test('sysdig 0.29.3: the same for every field but evt.res, which kills it at the first bpf exit', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const fields = '*%evt.num %evt.type %evt.dir %evt.rawres %evt.failed %evt.args';
  const s = spawnSync('sysdig', ['-r', cap, '-p', fields], { encoding: 'latin1' });
  assert.equal(tdig('tdig-fmt', [cap, '-p', fields]).stdout.toString('latin1'), s.stdout);
  const crash = spawnSync('sysdig', ['-r', cap, '-p', '%evt.num %evt.res'], { encoding: 'latin1' });
  assert.equal(crash.signal, 'SIGSEGV');
  assert.equal(crash.stdout, '');
});
