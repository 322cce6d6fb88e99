// The capture-time filter: `tdig-capture FILTER`. A StateEngine follows the capture exactly as a reader
// of the file will (the section header from the /proc scan, then every event from the driver, in
// order), so the filter sees the process and fd names a reader sees. Each driver block is then kept as
// it is, written as a state-only event (EVF v2, dump flag 1) when it was dropped but changes state,
// or left out (see lib/filter/stream.ts, shared with tdig-filter).

import { blockTypeInfo, DF_STATE_ONLY, EV_V2, MAX_EVENT_BLOCK_BODY } from '../scap/blocks.js';
import { EventView } from '../scap/event.js';
import { writeEventBlockInto, eventBlockSize } from '../scap/writer.js';
import { StateEngine } from '../state/engine.js';
import { compileFilter } from '../filter/index.js';
import { DroppedEnters, filterAction, FilterAction, ShortOpens } from '../filter/stream.js';
import { filterProcTable } from '../filter/proclist.js';
import type { FdList, ProcRecord } from '../scap/types.js';
import type { BlockKind } from '../scap/blocks.js';
import type { Ctx } from '../fields/types.js';

/** A section's process table, and how to make its header blocks again with a part of it. */
export interface ProcTableCut {
  procs: readonly ProcRecord[];
  fds: readonly FdList[];
  rebuild(procs: ProcRecord[], fds: FdList[]): Buffer[];
}

export { FilterAction } from '../filter/stream.js';

/** Driver blocks: u32 type (EV v2), u32 total, u16 cpu, then the event. */
const EVENT_AT = 10;

export class CaptureFilter {
  readonly engine = new StateEngine();
  private readonly ev = new EventView();
  private readonly test: (ctx: Ctx) => boolean;
  private seen = 0;
  private offset = 0;
  private readonly enters: DroppedEnters | undefined;
  /** state-only opens that the capture closes right after are left out (ShortOpens); none with --thin */
  readonly shorts: ShortOpens | undefined;

  /** Throws FilterError (a UsageError) for a bad expression. */
  constructor(
    readonly expr: string,
    private readonly thin: boolean,
  ) {
    this.test = compileFilter(expr).test;
    this.enters = thin ? undefined : new DroppedEnters();
    this.shorts = thin ? undefined : new ShortOpens();
    // (the engine's own cut of a data buffer as text, 80 characters, is what sysdig -w's filter sees in
    // evt.arg.data, evt.args and evt.info; evt.buffer compares the whole buffer)
  }

  /**
   * The header blocks of a new section (a new section resets the tables); returns the blocks to write.
   * With `cut` (--filter-proclist), the engine reads them all, as sysdig's inspector follows every process,
   * and the blocks written are rebuilt with the threads and fds of the table that the filter passes.
   */
  header(blocks: readonly Buffer[], cut?: ProcTableCut): readonly Buffer[] {
    const kinds = readHeaders(this.engine, blocks, this.offset);
    let out = blocks;
    let listed: number[] | undefined;
    if (cut !== undefined) {
      const kept = filterProcTable(this.engine, this.test, cut.procs, cut.fds);
      out = cut.rebuild(kept.procs, kept.fds);
      listed = kept.procs.map((p) => p.tid);
    }
    // (what a reader knows: the threads of the process list written)
    for (const kind of kinds) this.shorts?.header(kind, this.engine, listed);
    for (const b of out) this.offset += b.length;
    return out;
  }

  /**
   * The header blocks of a file after the first (rotation), made from the engine's own tables: the engine goes on
   * as it is; what a reader of the new file knows is its process list.
   */
  continued(blocks: readonly Buffer[], listed: readonly number[]): void {
    for (const b of blocks) this.shorts?.header(blockTypeInfo(b.readUInt32LE(0)).kind, this.engine, listed);
  }

  /** --filter-proclist for a file after the first: the threads and fds of `records` that the filter passes. */
  cutTable(records: { procs: ProcRecord[]; fds: FdList[] }): { procs: ProcRecord[]; fds: FdList[] } {
    return filterProcTable(this.engine, this.test, records.procs, records.fds);
  }

  /** Run the driver block at `buf[off..]` through the engine and the filter. */
  action(buf: Buffer, off: number): FilterAction {
    const ev = this.ev;
    ev.set(buf, off + EVENT_AT, false, false, 0);
    ev.cpu = buf.readUInt16LE(off + 8);
    ev.flags = 0;
    ev.blockType = EV_V2;
    ev.num = ++this.seen;
    ev.streamOffset = this.offset;
    this.offset += buf.readUInt32LE(off + 4);
    const shorts = this.shorts;
    if (shorts !== undefined && shorts.step === 1) shorts.before(ev, this.engine);
    return filterAction(this.engine, ev, this.test, this.thin);
  }

  /**
   * A state-only event of tdig's own, in a block of its own (a received socket: lib/capture/native.ts,
   * receivedFd): the engine takes it as a reader will; it is written whatever the filter says.
   */
  observe(block: Buffer): EventView {
    const ev = this.ev;
    ev.set(block, EVENT_AT, false, false, 0);
    ev.cpu = block.readUInt16LE(8);
    ev.flags = DF_STATE_ONLY;
    ev.blockType = EV_V2;
    ev.num = ++this.seen;
    ev.streamOffset = this.offset;
    this.offset += block.readUInt32LE(4);
    this.engine.process(ev);
    return ev;
  }

  /** The event of the last action(), with the flags it is written with (for ShortOpens.writing). */
  get event(): EventView {
    return this.ev;
  }

  /**
   * After action(): the dropped enter event to write as a state-only event before this one, if any
   * (DroppedEnters: a reader then takes the fds of kept exits from the enters sysdig takes them from).
   */
  enterBefore(action: FilterAction): EventView | undefined {
    const d = this.enters;
    if (d === undefined) return undefined;
    if (action === FilterAction.Skip) {
      d.dropped(this.ev);
      return undefined;
    }
    return d.written(this.ev, action === FilterAction.Keep ? 0 : DF_STATE_ONLY, this.engine.tracerCandidate);
  }
}

/** `engine` reads header blocks made in the process (each a whole block, the first at stream offset `offset`); returns their kinds. */
export function readHeaders(engine: StateEngine, blocks: readonly Buffer[], offset = 0): BlockKind[] {
  const kinds: BlockKind[] = [];
  for (const b of blocks) {
    const type = b.readUInt32LE(0);
    const info = blockTypeInfo(type);
    engine.header({ kind: info.kind, type, version: info.version, buf: b, start: 0, end: b.length, offset });
    offset += b.length;
    kinds.push(info.kind);
  }
  return kinds;
}

/** Bytes a state-only copy of a driver block takes: at most 4 more than the block. */
export function stateOnlySize(buf: Buffer, off: number): number {
  const evLen = buf.readUInt32LE(off + EVENT_AT + 16);
  if (2 + 4 + evLen > MAX_EVENT_BLOCK_BODY) return 0;
  return eventBlockSize(DF_STATE_ONLY, evLen, false);
}

/**
 * Write the driver block at `buf[off..]` as a state-only EVF v2 block into `out` at `at`; returns the
 * offset after it (unchanged when the event is too big for a flagged non-large block).
 */
export function writeStateOnly(out: Buffer, at: number, buf: Buffer, off: number): number {
  const evLen = buf.readUInt32LE(off + EVENT_AT + 16);
  if (2 + 4 + evLen > MAX_EVENT_BLOCK_BODY) return at;
  const cpu = buf.readUInt16LE(off + 8);
  return writeEventBlockInto(out, at, cpu, DF_STATE_ONLY, buf.subarray(off + EVENT_AT, off + EVENT_AT + evLen), false);
}
