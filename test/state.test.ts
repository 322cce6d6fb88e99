// The state engine's contracts beyond sysdig's goldens: state-only events, evt.num across sections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventBlock, sectionBlocks } from '../lib/scap/writer.js';
import { event, i64, proc, str, u32 } from './synth.js';
import { tdigText } from './helpers.js';

function capture(stateOnly: boolean): Buffer {
  const blocks = sectionBlocks({ procs: [proc(100, 'mycli')] });
  const flags = stateOnly ? 1 : 0;
  blocks.push(eventBlock(0, flags, event(2, 100, [str('/etc/passwd'), u32(1), u32(0)]), false));
  blocks.push(eventBlock(0, flags, event(3, 100, [i64(3), str('/etc/passwd'), u32(1), u32(0), u32(0)]), false));
  blocks.push(eventBlock(0, 0, event(6, 100, [i64(3), u32(100)]), false));
  return Buffer.concat(blocks);
}

test('state-only events update the fd table but are not printed, and still take an event number', () => {
  const out = tdigText('tdig-fmt', [], capture(true)).split('\n').filter((l) => l);
  assert.equal(out.length, 1);
  assert.match(out[0]!, /^3 \S+ 0 mycli \(100\) > read fd=3\(<f>\/etc\/passwd\) size=100 $/);
});

test('the same events without the state-only flag are all printed', () => {
  const out = tdigText('tdig-fmt', [], capture(false)).split('\n').filter((l) => l);
  assert.equal(out.length, 3);
  assert.match(out[1]!, /^2 .* < open fd=3\(<f>\/etc\/passwd\) name=\/etc\/passwd flags=1\(O_RDONLY\) mode=0 dev=0 $/);
});

test('evt.num runs on across concatenated sections, and each section starts with fresh tables', () => {
  const two = Buffer.concat([capture(false), capture(false)]);
  const out = tdigText('tdig-fmt', ['-p', '*%evt.num %fd.name'], two).split('\n').filter((l) => l);
  assert.deepEqual(out.map((l) => l.split(' ')[0]), ['1', '2', '3', '4', '5', '6']);
});

test('the thread table answers as a Map, and counts its threads by pid: random adds, removals and pid changes, tids small, huge and negative', async () => {
  const { ThreadMap, Thread } = await import('../lib/state/model.js');
  const tm = new ThreadMap();
  const ref = new Map<number, InstanceType<typeof Thread>>();
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed >>> 8) % n;
  };
  // within one chunk, across chunks, at the index's edges, beyond it (tids are 64-bit), negative
  const pool = [0, 1, 4095, 4096, 4097, 32767, 65536, (1 << 22) - 1, 1 << 22, 2 ** 33 + 5, 2 ** 32 + 1, -1, -7, -(2 ** 32) - 1];
  for (let i = 0; i < 200; i++) pool.push(rnd(1 << 23));
  for (let i = 0; i < 20000; i++) {
    const tid = pool[rnd(pool.length)]!;
    const op = rnd(10);
    if (op < 4) {
      const t = new Thread(tid, pool[rnd(pool.length)]!);
      assert.equal(tm.set(tid, t), tm);
      ref.set(tid, t);
    } else if (op < 6) assert.equal(tm.delete(tid), ref.delete(tid));
    else if (op === 7 && ref.has(tid)) tm.setPid(ref.get(tid)!, pool[rnd(pool.length)]!);
    else if (op === 8) tm.setPid(new Thread(tid, tid), 5); // not in the table: counts nothing
    else if (op === 6 && i < 15000 && rnd(50) === 0) {
      tm.clear();
      ref.clear();
    }
    assert.equal(tm.get(tid), ref.get(tid), `get(${tid}) after op ${i}`);
    assert.equal(tm.has(tid), ref.has(tid));
    // the count by pid that a placeholder's children come from
    const pid = pool[rnd(pool.length)]!;
    let n = 0;
    for (const t of ref.values()) if (t.pid === pid) n++;
    assert.equal(tm.withPid(pid), n, `withPid(${pid}) after op ${i}`);
  }
  for (const tid of pool) assert.equal(tm.get(tid), ref.get(tid), `get(${tid})`);
  // iteration: the order threads were added
  assert.deepEqual([...tm.keys()], [...ref.keys()]);
  assert.equal(tm.size, ref.size);
  assert.ok(ref.size > 50, 'the walk leaves a table to compare');
});
