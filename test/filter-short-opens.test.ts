// tdig-filter leaves out a state-only open that the stream closes right after (ShortOpens, lib/filter/stream.ts),
// and only then: the reader of the filtered stream must end with the same fd tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventBlock, sectionBlocks } from '../lib/scap/writer.js';
import { event, i64, proc, str, u32 } from './synth.js';
import { readBlocks } from '../lib/scap/reader.js';
import type { EventView } from '../lib/scap/event.js';
import { eventInfo } from '../lib/events/table.js';
import { tdig, tdigText } from './helpers.js';
import { DroppedEnters, ShortOpens, type CuttableOutput } from '../lib/filter/stream.js';
import { MAX_THREADS } from '../lib/state/engine.js';
import { DF_STATE_ONLY } from '../lib/scap/blocks.js';

const CLI = 100;
const OTHER = 200;
/** not in the process list */
const GHOST = 300;
const GHOST2 = 301;
const open = (tid: number, path: string, fd: number): Buffer[] => [
  event(2, tid, [str(path), u32(1), u32(0)]),
  event(3, tid, [i64(fd), str(path), u32(1), u32(0), u32(0)]),
];
const close = (tid: number, fd: number, res = 0): Buffer[] => [event(4, tid, [i64(fd)]), event(5, tid, [i64(res)])];
const read = (tid: number, fd: number): Buffer[] => [event(6, tid, [i64(fd), u32(10)]), event(7, tid, [i64(10), Buffer.from('0123456789')])];

/** The capture: each case names the path it opens. */
function capture(): Buffer {
  const evs = [
    ...open(CLI, '/tmp/first', 3), // the stream's first events: kept
    ...open(CLI, '/tmp/short', 4), // opened and closed right away: left out
    ...close(CLI, 4),
    ...open(CLI, '/tmp/replaces', 3), // fd 3 was open: replacing it is not undone by the close
    ...close(CLI, 3),
    ...open(CLI, '/tmp/failedclose', 5), // the close fails: fd 5 stays open
    ...close(CLI, 5, -9),
    ...open(CLI, '/tmp/interleaved', 6), // a kept event between the open and the close
    ...read(OTHER, 0),
    ...close(CLI, 6),
    ...open(CLI, '/tmp/failedopen', -2), // no fd; the thread's next event is an enter: left out
    ...open(CLI, '/tmp/again', 7),
    ...close(CLI, 7),
    ...open(CLI, '/tmp/failedthenexit', -2), // the thread's next event is an exit without its enter: kept
    event(7, CLI, [i64(10), Buffer.from('0123456789')]),
    ...open(GHOST2, '/tmp/ghostquad', 9), // left out, but the reader meets the thread at the close: the close stays
    ...close(GHOST2, 9),
    ...close(GHOST2, 10, -9),
    ...open(GHOST, '/tmp/ghost', -2), // a thread the reader has not met yet: kept
    ...open(GHOST, '/tmp/ghostagain', -2),
    ...open(CLI, '/tmp/closedthenexit', 8), // left out, but its close is followed by an exit without its enter: the close stays
    ...close(CLI, 8),
    event(7, CLI, [i64(10), Buffer.from('0123456789')]),
    ...read(CLI, 5),
  ];
  return Buffer.concat([...sectionBlocks({ procs: [proc(CLI, 'mycli'), proc(OTHER, 'other')] }), ...evs.map((e) => eventBlock(0, 0, e, false))]);
}

/** Calls `fn` for every event of a stream, in order. */
async function eachEvent(stream: Buffer, fn: (ev: EventView) => void): Promise<void> {
  async function* one(): AsyncGenerator<Buffer> {
    yield stream;
  }
  await readBlocks(one(), { header() {}, event: fn }, { tableNparams: (t) => eventInfo(t)?.params.length ?? 0 });
}

/** The opened paths of the open exits in a stream, and the fds of its close enters, in order. */
async function opensAndCloses(stream: Buffer): Promise<{ opened: string[]; closed: number[] }> {
  const opened: string[] = [];
  const closed: number[] = [];
  await eachEvent(stream, (ev) => {
    if (ev.type === 3) opened.push(ev.paramBytes(1).toString('latin1').replace(/\0$/, ''));
    if (ev.type === 4) closed.push(ev.paramInt(0));
  });
  return { opened, closed };
}

const FILTER = 'proc.name=other or (proc.name=mycli and evt.type=read)';
// (the lone read exit after /tmp/failedthenexit is kept by the filter; /tmp/ghostagain, a failed open of
// a thread the reader now knows, is the stream's last open and no enter of its thread follows: kept too)

test('a state-only open closed right after is left out of the filtered stream; other opens stay', async () => {
  const r = tdig('tdig-filter', [FILTER], capture());
  assert.equal(r.status, 0, r.stderr.toString());
  const { opened, closed } = await opensAndCloses(r.stdout);
  assert.deepEqual(opened, [
    '/tmp/first',
    '/tmp/replaces',
    '/tmp/failedclose',
    '/tmp/interleaved',
    '/tmp/failedthenexit',
    '/tmp/ghost',
    '/tmp/ghostagain',
  ]);
  // the closes of /tmp/short and /tmp/again go too: their thread's next event is an enter
  assert.deepEqual(closed, [3, 5, 6, 9, 10, 8]);
  // --thin writes no state-only events at all
  const thin = await opensAndCloses(tdig('tdig-filter', ['--thin', FILTER], capture()).stdout);
  assert.deepEqual(thin, { opened: [], closed: [] });
});

test('the reader of the filtered stream resolves what the whole capture resolves', () => {
  const fields = ['-p', '%evt.num %proc.name %evt.type %fd.num %fd.name'];
  const direct = tdigText('tdig-fmt', [...fields, FILTER], capture());
  const filtered = tdig('tdig-filter', [FILTER], capture()).stdout;
  assert.equal(tdigText('tdig-fmt', fields, filtered), direct);
  // the last read is on fd 5, which the failed close left open
  assert.match(direct, /mycli read 5 \/tmp\/failedclose\n$/);
});

// Pairs that change no table (a failed open, an fcntl that duplicates no fd, a shutdown) go once their
// thread's next written event is an enter, whatever other threads wrote between their enter and exit.
const DUPER = 400;
const u8 = (v: number): Buffer => Buffer.from([v]);
const F_GETFL = 4;
const F_DUPFD = 1;
const fcntl = (tid: number, fd: number, cmd: number, res: number): Buffer[] => [event(150, tid, [i64(fd), u8(cmd)]), event(151, tid, [i64(res)])];
const shutdown = (tid: number, fd: number): Buffer[] => [event(36, tid, [i64(fd), u8(1)]), event(37, tid, [i64(0)])];

function pairsCapture(): Buffer {
  const [getflE, getflX] = fcntl(CLI, 3, F_GETFL, 2);
  const [failE, failX] = open(CLI, '/tmp/nothere', -2);
  const evs = [
    ...open(CLI, '/tmp/first', 3), // the stream's first events: kept
    getflE!, // F_GETFL, with another thread's kept read between its enter and exit: left out
    ...read(OTHER, 0),
    getflX!,
    ...shutdown(CLI, 3), // left out
    failE!, // a failed open, interleaved too: left out
    ...read(OTHER, 0),
    failX!,
    ...open(DUPER, '/tmp/dupsrc', 3), // (followed by an fcntl, not a close: stays)
    ...fcntl(DUPER, 3, F_DUPFD, 5), // adds fd 5: stays
    ...fcntl(DUPER, 5, F_GETFL, 2), // after an F_DUPFD enter of its thread: stays
    ...open(DUPER, '/tmp/dupfail', -2), // likewise
    ...read(DUPER, 5),
    // the F_GETFL exit took the F_DUPFD enter that its state-only exit left behind, and added fd 2
    ...read(DUPER, 2),
    ...read(CLI, 3),
  ];
  const procs = [proc(CLI, 'mycli'), proc(OTHER, 'other'), proc(DUPER, 'duper')];
  return Buffer.concat([...sectionBlocks({ procs }), ...evs.map((e) => eventBlock(0, 0, e, false))]);
}

const PAIRS_FILTER = 'proc.name=other or ((proc.name=mycli or proc.name=duper) and evt.type=read)';

/** "tid type" of every event of a stream (type as enter ">" or exit "<"), in order */
async function eventList(stream: Buffer): Promise<string[]> {
  const out: string[] = [];
  await eachEvent(stream, (ev) => out.push(`${ev.tid} ${eventInfo(ev.type)?.name}${ev.type & 1 ? '<' : '>'}`));
  return out;
}

test('pairs that change no table leave the filtered stream, also when other threads write between enter and exit', async () => {
  const r = tdig('tdig-filter', [PAIRS_FILTER], pairsCapture());
  assert.equal(r.status, 0, r.stderr.toString());
  const evs = await eventList(r.stdout);
  assert.deepEqual(evs.filter((e) => e.startsWith(`${CLI} `)), [`${CLI} open>`, `${CLI} open<`, `${CLI} read>`, `${CLI} read<`]);
  assert.deepEqual(evs.filter((e) => e.startsWith(`${DUPER} `)), [
    `${DUPER} open>`, `${DUPER} open<`, `${DUPER} fcntl>`, `${DUPER} fcntl<`, `${DUPER} fcntl>`, `${DUPER} fcntl<`,
    `${DUPER} open>`, `${DUPER} open<`, `${DUPER} read>`, `${DUPER} read<`, `${DUPER} read>`, `${DUPER} read<`,
  ]);
  assert.equal(evs.filter((e) => e.startsWith(`${OTHER} `)).length, 4);
});

test('the reader of a stream without those pairs resolves what the whole capture resolves', () => {
  const fields = ['-p', '%evt.num %proc.name %evt.type %fd.num %fd.name %evt.latency'];
  const direct = tdigText('tdig-fmt', [...fields, PAIRS_FILTER], pairsCapture());
  assert.equal(tdigText('tdig-fmt', fields, tdig('tdig-filter', [PAIRS_FILTER], pairsCapture()).stdout), direct);
  assert.match(direct, /duper read 5 \/tmp\/dupsrc/);
  assert.match(direct, /duper read 2 \/tmp\/dupsrc/);
  assert.match(direct, /mycli read 3 \/tmp\/first/);
});


test('the record of a thread goes with its exit: a long live capture meets new tids without end', async () => {
  const THREADS = 2000;
  const evs: Buffer[] = [];
  for (let tid = 1000; tid < 1000 + THREADS; tid++) {
    evs.push(...open(tid, '/tmp/x', 3));
    if (tid % 2 === 0) evs.push(...fcntl(tid, 3, F_DUPFD, 4));
    evs.push(event(16, tid, [])); // procexit
  }
  const stream = Buffer.concat([...sectionBlocks({ procs: [] }), ...evs.map((e) => eventBlock(0, 0, e, false))]);
  let pos = 0;
  const out: CuttableOutput = { position: () => pos, generation: () => 0, cut() {} };
  const shorts = new ShortOpens();
  await eachEvent(stream, (ev) => {
    shorts.writing(ev, DF_STATE_ONLY, out);
    pos += 64;
  });
  // every other thread duplicated an fd: a reader may keep its stale stored enter, so its record stays
  assert.equal(shorts.tracked, THREADS / 2);
});

test('thread ids without end and no exit: the records stop at as many threads as a thread table holds', async () => {
  const n = MAX_THREADS + 5000;
  const evs: Buffer[] = [];
  for (let tid = 1000; tid < 1000 + n; tid++) evs.push(event(4, tid, [i64(3)])); // close enter, dropped
  const stream = Buffer.concat([...sectionBlocks({ procs: [] }), ...evs.map((e) => eventBlock(0, 0, e, false))]);
  let pos = 0;
  const out: CuttableOutput = { position: () => pos, generation: () => 0, cut() {} };
  const shorts = new ShortOpens();
  const enters = new DroppedEnters();
  await eachEvent(stream, (ev) => {
    enters.dropped(ev);
    shorts.writing(ev, DF_STATE_ONLY, out);
    pos += 64;
  });
  assert.equal(enters.held, MAX_THREADS);
  assert.equal(shorts.tracked, MAX_THREADS);
});
