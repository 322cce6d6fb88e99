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

// (A corrupt capture only: sysdig 0.29.3 reads 4 bytes wherever such a parameter starts, past its end and the
// event's; tdig reads what the parameter holds, as every parameter reader does.)
test('an mmap exit sets the thread vm sizes as the parameters read them: 0 for one shorter than 4 bytes, a length past the event cut at its end', () => {
  const MMAP_X = 161;
  const blocks = sectionBlocks({ procs: [proc(100, 'mycli')] });
  const u = (v: number, n: number): Buffer => u32(v).subarray(0, Math.min(n, 4));
  // [vm_size, vm_rss, vm_swap] params and, where the last runs past the event, bytes cut from its end
  const cases: { params: Buffer[]; cut: number; want: string }[] = [
    { params: [u32(1000), u32(200), u32(30)], cut: 0, want: '1000 200 30' },
    { params: [u(1000, 2), u32(200), u32(30)], cut: 0, want: '0 200 30' },
    { params: [u32(1000), Buffer.alloc(0), Buffer.concat([u32(31), u32(7)])], cut: 0, want: '1000 0 31' },
    { params: [Buffer.alloc(0), u(5, 3), u32(4000000000)], cut: 0, want: '0 0 4000000000' },
    { params: [u32(1000), u32(200), u32(30)], cut: 1, want: '1000 200 0' },
    { params: [u32(1000), u32(200), u32(30)], cut: 6, want: '1000 0 0' },
  ];
  for (const c of cases) {
    const e = event(MMAP_X, 100, [i64(0), ...c.params]);
    // the header's length shortened: the event ends `cut` bytes before its last parameter does
    e.writeUInt32LE(e.length - c.cut, 16);
    blocks.push(eventBlock(0, 0, e.subarray(0, e.length - c.cut), false));
  }
  const out = tdigText('tdig-fmt', ['-p', '%proc.vmsize %proc.vmrss %proc.vmswap', 'evt.type=mmap'], Buffer.concat(blocks));
  assert.deepEqual(out.split('\n').filter((l) => l), cases.map((c) => c.want));
});
