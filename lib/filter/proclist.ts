// --filter-proclist (sysdig's): the process table written at the start of a capture, cut to what the filter
// matches, so that an archive of a few processes does not carry every process's command line, environment
// and open files. libsinsp does it as it loads the table (sinsp_threadinfo::init in threadinfo.cpp, when the
// inspector filters the table it saves): each fd of each thread is tested as the fd of a read exit of the
// thread (no parameters, time 0, its last fd that fd); an fd that fails is left out, and a thread none of
// whose fds passes is left out, a thread without fds too. The test runs on the table as loaded, before the
// first event: parents are linked and sockets turned round (fix_sockets_coming_from_proc) only later.

import { eventInfo, type EventInfo, type ParamIndex } from '../events/table.js';
import { EventView } from '../scap/event.js';
import { BlockKind, FDL_V2, frameBlock, PL_IDS } from '../scap/blocks.js';
import type { HeaderBlock } from '../scap/reader.js';
import { decodeFdList, decodeProcList, encodeFdList, encodeProcList, procTailOf } from '../scap/records.js';
import type { FdList, ProcRecord } from '../scap/types.js';
import { BufferFormat, type Ctx, type ParamText } from '../fields/types.js';
import type { Fd, StateTables, Thread } from '../state/model.js';
import type { StateEngine } from '../state/engine.js';

/** PPME_SYSCALL_READ_X */
const READ_X = 7;
const PL_V9 = PL_IDS[8];
const EVENT_HEADER_V2 = 26;

/** The read exit a thread's fds are tested as. */
class TableCtx implements Ctx {
  readonly ev = new EventView();
  readonly info: EventInfo = eventInfo(READ_X)!;
  thread: Thread | undefined = undefined;
  fd: Fd | undefined = undefined;
  fdNum = -1;
  firstTs = 0n;
  bufferFormat = BufferFormat.Normal;
  maxBufLen = 0;
  private readonly bytes = Buffer.alloc(EVENT_HEADER_V2);

  constructor(readonly tables: StateTables) {
    this.bytes.writeUInt32LE(EVENT_HEADER_V2, 16);
    this.bytes.writeUInt16LE(READ_X, 20);
  }

  /** The fake event of thread `tid`. */
  of(tid: number): void {
    this.bytes.writeBigInt64LE(BigInt(tid), 8);
    this.ev.set(this.bytes, 0, false, false, 0);
  }

  paramText(): ParamText {
    return { text: '', resolved: '' };
  }

  paramIndex(_p: ParamIndex): number {
    return -1;
  }
}

/**
 * The threads and fds of `procs` and `fds` that `test` passes, tested against `engine`'s tables, which hold
 * them (the engine has read the section's header blocks and no event yet).
 */
export function filterProcTable(
  engine: StateEngine,
  test: (ctx: Ctx) => boolean,
  procs: readonly ProcRecord[],
  fds: readonly FdList[],
): { procs: ProcRecord[]; fds: FdList[] } {
  const ctx = new TableCtx(engine.tables);
  const kept = new Set<number>();
  const keptFds: FdList[] = [];
  for (const list of fds) {
    const t = engine.tables.threads.get(list.tid);
    if (t === undefined) continue;
    ctx.of(list.tid);
    ctx.thread = t;
    const pass = list.fds.filter((r) => {
      ctx.fdNum = r.fd;
      ctx.fd = engine.tables.getFd(t, ctx.fdNum);
      return test(ctx) === true;
    });
    if (pass.length === 0) continue;
    kept.add(list.tid);
    keptFds.push({ ...list, fds: pass });
  }
  const listed = new Set(procs.map((p) => p.tid));
  return { procs: procs.filter((p) => kept.has(p.tid)), fds: keptFds.filter((l) => listed.has(l.tid)) };
}

/**
 * A filtering writer's hold on the process table of the section being read (tdig-filter --filter-proclist):
 * the process list block and the fd list blocks are kept back until the first block that is neither, then
 * written cut (re-encoded: PL v9, FDL v2).
 */
export class HeldProcTable {
  private procs: ProcRecord[] = [];
  private fds: FdList[] = [];
  private held = false;
  private offset = 0;

  constructor(private readonly test: (ctx: Ctx) => boolean) {}

  /** Whether blocks of this kind are held back. */
  static holds(kind: BlockKind): boolean {
    return kind === BlockKind.ProcList || kind === BlockKind.FdList;
  }

  /** Whether `b` (already read by the engine) is held back. */
  hold(b: HeaderBlock): boolean {
    const body = b.buf.subarray(b.start + 8, b.end - 4);
    if (b.kind === BlockKind.ProcList) {
      if (!this.held) this.offset = b.offset;
      this.procs.push(...decodeProcList(body, b.version, b.offset + 8));
    } else if (b.kind === BlockKind.FdList) {
      if (!this.held) this.offset = b.offset;
      this.fds.push(decodeFdList(body, b.version, b.offset + 8));
    } else {
      return false;
    }
    this.held = true;
    return true;
  }

  /**
   * The blocks to write for what is held, cut by the filter (none when nothing is held), and the threads
   * of the process list written.
   */
  release(engine: StateEngine): { blocks: HeaderBlock[]; tids: number[] } {
    if (!this.held) return { blocks: [], tids: [] };
    const cut = filterProcTable(engine, this.test, this.procs, this.fds);
    this.procs = [];
    this.fds = [];
    this.held = false;
    const out: HeaderBlock[] = [];
    let offset = this.offset;
    const add = (kind: BlockKind, type: number, version: number, buf: Buffer): void => {
      out.push({ kind, type, version, buf, start: 0, end: buf.length, offset });
      offset += buf.length;
    };
    if (cut.procs.length > 0) add(BlockKind.ProcList, PL_V9, 9, frameBlock(PL_V9, encodeProcList(cut.procs, { tail: procTailOf(cut.procs) })));
    for (const f of cut.fds) add(BlockKind.FdList, FDL_V2, 2, frameBlock(FDL_V2, encodeFdList(f)));
    return { blocks: out, tids: cut.procs.map((p) => p.tid) };
  }
}
