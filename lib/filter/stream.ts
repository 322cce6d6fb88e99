// What a filtering writer (tdig-filter, tdig-capture FILTER) does with each event of a stream, in order:
// write it, write it as a state-only event (hidden, but it keeps the thread and fd tables of a reader
// right), or leave it out.

import { EF, EVENT_MAX, eventInfo } from '../events/table.js';
import { BlockKind, EVENT_HEADER_V1 } from '../scap/blocks.js';
import { EventView } from '../scap/event.js';
import { pairingMatters, type StateEngine } from '../state/engine.js';
import { filterEvent, FilterVerdict } from './run.js';

export const enum FilterAction {
  /** leave the event out */
  Skip = 0,
  /** the filter matched: write the event */
  Keep = 1,
  /** the filter did not match but the event changes state: write it with the state-only dump flag */
  StateOnly = 2,
}

/** The scap dump flag of a state-only event (SCAP_DF_STATE_ONLY). */
export const DF_STATE_ONLY = 1;

/**
 * Run one event through the engine and the filter (see filterEvent for where the filter runs) and say
 * what to write. `thin`: never StateOnly. Events of types the engine does not know are skipped.
 */
export function filterAction(
  engine: StateEngine,
  ev: EventView,
  test: ((ctx: StateEngine) => boolean) | undefined,
  thin: boolean,
): FilterAction {
  const verdict = filterEvent(engine, ev, test);
  if (verdict === FilterVerdict.Keep) return FilterAction.Keep;
  if (verdict === FilterVerdict.Drop && !thin && (engine.info.flags & EF.MODIFIES_STATE) !== 0) return FilterAction.StateOnly;
  return FilterAction.Skip;
}

/** sched_switch (v6): the per-event reset leaves its thread alone */
const SCHEDSWITCH_6_E = 152;

/**
 * Per event type: bit 1 when it is an enter event whose per-event reset sets its thread's last fd, bit 2
 * when it ends its thread (procexit).
 */
let resetsFd: Uint8Array | undefined;
function resetsFdTable(): Uint8Array {
  const t = new Uint8Array(EVENT_MAX + 1);
  for (let type = 0; type <= EVENT_MAX; type += 2) {
    const info = eventInfo(type);
    if (info !== undefined && type !== SCHEDSWITCH_6_E && (info.flags & EF.SKIPPARSERESET) === 0) t[type] = 1;
    if (info?.name === 'procexit') t[type]! |= 2;
  }
  return t;
}

interface Slot {
  /** a copy of the enter event's bytes (header and params) */
  bytes: Buffer;
  /** while the copy is deferred: the reader's buffer holding the enter, at srcOff */
  src: Buffer | null;
  srcOff: number;
  len: number;
  v1: boolean;
  large: boolean;
  nparams: number;
  cpu: number;
  num: number;
  type: number;
  /** the reader has not seen this enter, and no later enter of the thread was written */
  live: boolean;
}

/**
 * The enter events a filter dropped, kept one per thread until a kept exit needs them.
 *
 * The per-event reset of a reader sets a thread's last fd (fd.num, and the fd behind fd.name of an exit)
 * from every enter event, kept or not. sysdig reading a capture with a filter therefore takes a kept
 * exit's fd from the enter the filter dropped; a reader of the filtered stream would take it from an
 * older enter. So, right before a kept exit whose thread's last enter was left out, that enter is written
 * as a state-only event, except when the reader would pair the two and its parse of the exit could then
 * change its tables (engine.pairingMatters): sysdig with the filter does not pair them.
 */
export class DroppedEnters {
  private readonly slots = new Map<number, Slot>();
  private readonly resets = (resetsFd ??= resetsFdTable());
  private readonly view = new EventView();
  /** slots that still point into the reader's buffer */
  private readonly deferred: Slot[] = [];

  /**
   * `defer`: keep a dropped enter as a reference into the reader's buffer and copy it only in release(),
   * which the caller invokes before that buffer changes (BlockHandler.release). Most dropped enters are
   * replaced by the thread's next enter before then, so most are never copied.
   */
  constructor(private readonly defer = false) {}

  /** An event the writer leaves out. */
  dropped(ev: EventView): void {
    const type = ev.type;
    if (type >= this.resets.length || this.resets[type] === 0) return;
    if ((this.resets[type]! & 2) !== 0) {
      this.forget(ev.tid);
      return;
    }
    let slot = this.slots.get(ev.tid);
    if (slot === undefined) {
      slot = { bytes: EMPTY, src: null, srcOff: 0, len: 0, v1: false, large: false, nparams: 0, cpu: 0, num: 0, type: 0, live: false };
      this.slots.set(ev.tid, slot);
    }
    if (slot.src === null && this.defer) this.deferred.push(slot);
    slot.src = ev.buf;
    slot.srcOff = ev.off;
    slot.len = ev.len;
    slot.v1 = ev.lensOff - ev.off === EVENT_HEADER_V1;
    slot.large = ev.lenSize === 4;
    slot.nparams = ev.nparams;
    slot.cpu = ev.cpu;
    slot.num = ev.num;
    slot.type = type;
    slot.live = true;
    if (!this.defer) copyOut(slot);
  }

  /** The thread ends: drop its slot (a later thread may reuse the tid), and any pending copy of it. */
  private forget(tid: number): void {
    const gone = this.slots.get(tid);
    if (gone === undefined) return;
    gone.src = null;
    this.slots.delete(tid);
  }

  /** The reader is about to replace its buffer: copy the enters that still point into it. */
  release(): void {
    const d = this.deferred;
    for (let i = 0; i < d.length; i++) copyOut(d[i]!);
    d.length = 0;
  }

  /**
   * An event about to be written with `flags`. Returns the dropped enter to write first (as a
   * state-only event; the view is valid until the next call), or undefined.
   */
  written(ev: EventView, flags: number): EventView | undefined {
    if (this.slots.size === 0) return undefined;
    const type = ev.type;
    if ((type & 1) === 0 && (type >= this.resets.length || this.resets[type] === 0)) return undefined;
    if ((this.resets[type]! & 2) !== 0) {
      this.forget(ev.tid);
      return undefined;
    }
    const slot = this.slots.get(ev.tid);
    if (slot === undefined || !slot.live) return undefined;
    if ((type & 1) === 0) {
      slot.live = false;
      return undefined;
    }
    if ((flags & DF_STATE_ONLY) !== 0) return undefined;
    slot.live = false;
    if (type === slot.type + 1 && pairingMatters(type)) return undefined;
    const v = this.view;
    if (slot.src !== null) v.set(slot.src, slot.srcOff, slot.v1, slot.large, slot.nparams);
    else v.set(slot.bytes, 0, slot.v1, slot.large, slot.nparams);
    v.nparams = slot.nparams;
    v.cpu = slot.cpu;
    v.num = slot.num;
    v.flags = DF_STATE_ONLY;
    v.blockType = 0;
    return v;
  }
}

const EMPTY = Buffer.alloc(0);

/** Copy a slot's enter out of the reader's buffer (no-op when it holds its own copy already). */
function copyOut(slot: Slot): void {
  const src = slot.src;
  if (src === null) return;
  const n = slot.len;
  if (slot.bytes.length < n) slot.bytes = Buffer.allocUnsafe(Math.max(n, 128));
  const b = slot.bytes;
  const off = slot.srcOff;
  if (n <= 40) for (let i = 0; i < n; i++) b[i] = src[off + i]!;
  else src.copy(b, 0, off, off + n);
  slot.src = null;
}

/** A filtered stream's output, as far as ShortOpens needs it. */
export interface CuttableOutput {
  /** where the next block goes */
  position(): number;
  /** changes whenever bytes already written leave this output's buffer (positions before it are then stale) */
  generation(): number;
  /** remove the bytes [from, to) of the current buffer, moving what follows them down */
  cut(from: number, to: number): void;
}

/** Per event type: 1 for the enter, 2 for the exit of open, creat, openat and openat2 (every revision). */
let openTypes: Uint8Array | undefined;
function openTypeTable(): Uint8Array {
  const t = new Uint8Array(EVENT_MAX + 1);
  for (let type = 0; type <= EVENT_MAX; type++) {
    const name = eventInfo(type)?.name;
    if (name === 'open' || name === 'creat' || name === 'openat' || name === 'openat2') t[type] = (type & 1) === 0 ? 1 : 2;
  }
  return t;
}
const CLOSE_E = 4;
const CLOSE_X = 5;

/**
 * Leaves out of a filtered stream the state-only opens that change nothing a reader keeps.
 *
 * A file that a process opens and closes while the filter drops everything it does in between reaches
 * the stream as four state-only events back to back: open's enter and exit (fd N), close's enter (N) and
 * exit (success). The open adds N to the process's fd table and the close removes it. Without the open,
 * the close finds no N and changes nothing, so the reader's tables end up the same; the thread's own
 * per-event state (last fd, last event, enter time) is set by the close either way, which stays in the
 * stream. The open is left out only when N was not open in the process before it (replacing an open fd
 * is not undone by the close) and when nothing else was written in between.
 *
 * An open that failed (no fd) changes no table at all; only its thread's per-event state, which the
 * thread's next enter event sets again (one whose per-event reset runs: not sched_switch or procinfo).
 * So a failed open's two events are left out once the next event written for that thread turns out to
 * be such an enter, and when the reader already knew the thread (from the process list or an event
 * written before): otherwise it would meet the thread later. The close that stays after a left-out
 * open is the same case: its fd is not in the reader's table, so it too sets only per-event state, and
 * it goes the same way.
 *
 * Never the stream's first event (a reader's first timestamp). Such opens are most of the state-only
 * events of a typical capture.
 */
export class ShortOpens {
  private readonly types = (openTypes ??= openTypeTable());
  private readonly resets = (resetsFd ??= resetsFdTable());
  /** 0: nothing; 1: an open's enter written (before() has work); 2: and its exit, with a new fd; 3: and the close's enter */
  step = 0;
  private tid = 0;
  private fd = 0;
  private openType = 0;
  private fresh = false;
  /** the reader knew the open's thread before its enter */
  private openKnown = false;
  private out: CuttableOutput | undefined = undefined;
  private gen = 0;
  private openAt = 0;
  private openEnd = 0;
  private any = false;
  /** a failed open, or a close left alone, waiting for its thread's next written event (-1: none) */
  private waitTid = -1;
  private waitOut: CuttableOutput | undefined = undefined;
  private waitGen = 0;
  private waitAt = 0;
  /** end of the waiting events: the position at the next write (-1 until then, -2 when unknown) */
  private waitEnd = -1;
  /** the threads a reader of the stream knows: the section's process list and the threads of events written */
  private readonly known = new Set<number>();

  /** A header block was written (after `engine` read it): a section resets what the reader knows. */
  header(kind: BlockKind, engine: StateEngine): void {
    this.step = 0;
    this.waitTid = -1;
    if (kind === BlockKind.Section) this.known.clear();
    else if (kind === BlockKind.ProcList) for (const tid of engine.tables.threads.keys()) this.known.add(tid);
  }

  /** A block was not written after all (too big for its flags): forget what is under way. */
  interrupt(): void {
    this.step = 0;
    this.waitTid = -1;
  }

  /** Before the engine parses `ev`, when step is 1: whether the fd an open's exit returns is new to its process. */
  before(ev: EventView, engine: StateEngine): void {
    if (ev.tid !== this.tid || ev.type !== this.openType + 1 || ev.nparams === 0) return;
    const fd = ev.paramInt(0);
    const t = engine.tables.threads.get(ev.tid);
    this.fresh = fd >= 0 && t !== undefined && engine.tables.getFd(t, fd) === undefined;
  }

  /** `ev` is about to be written with `flags` to `out`. Returns how many events written before it were cut. */
  writing(ev: EventView, flags: number, out: CuttableOutput): number {
    const stateOnly = (flags & DF_STATE_ONLY) !== 0;
    const type = ev.type;
    const tid = ev.tid;
    let cut = 0;
    if (this.waitTid !== -1) cut += this.decideWaiting(tid, type, out);
    let done = false;
    if (stateOnly && tid === this.tid && this.step !== 0) {
      if (this.step === 3 && type === CLOSE_X) {
        if (ev.nparams > 0 && ev.paramInt(0) >= 0 && out === this.out && out.generation() === this.gen) {
          out.cut(this.openAt, this.openEnd);
          cut += 2;
          // the close now finds no fd: like a failed open, it waits for its thread's next written event
          if (this.openKnown && this.waitTid === -1) this.pend(tid, out, this.openAt);
        }
      } else if (this.step === 2 && type === CLOSE_E) {
        if (ev.nparams > 0 && ev.paramInt(0) === this.fd) {
          this.step = 3;
          this.openEnd = out.position();
          done = true;
        }
      } else if (this.step === 1 && type === this.openType + 1 && ev.nparams > 0) {
        const fd = ev.paramInt(0);
        if (this.fresh) {
          this.fd = fd;
          this.step = 2;
          done = true;
        } else if (fd < 0 && this.openKnown && this.waitTid === -1 && out === this.out && out.generation() === this.gen) {
          this.pend(tid, out, this.openAt);
        }
      }
    }
    if (!done) {
      this.step = 0;
      if (stateOnly && this.types[type] === 1 && this.any) {
        this.step = 1;
        this.tid = tid;
        this.openType = type;
        this.fresh = false;
        this.openKnown = this.known.has(tid);
        this.out = out;
        this.gen = out.generation();
        this.openAt = out.position();
      }
    }
    this.any = true;
    if ((this.resets[type]! & 2) !== 0) {
      // procexit: the reader drops the thread
      this.known.delete(tid);
      if (this.waitTid === tid) this.waitTid = -1;
    } else this.known.add(tid);
    return cut;
  }

  /** Events of `tid` written from `at` on (through the one being written) wait for the thread's next written event. */
  private pend(tid: number, out: CuttableOutput, at: number): void {
    this.waitTid = tid;
    this.waitOut = out;
    this.waitGen = out.generation();
    this.waitAt = at;
    this.waitEnd = -1;
  }

  /** A write while events wait (a failed open, a close left alone): the event of their thread that decides, or one that ends their block. */
  private decideWaiting(tid: number, type: number, out: CuttableOutput): number {
    const same = out === this.waitOut && out.generation() === this.waitGen;
    if (this.waitEnd === -1) this.waitEnd = same ? out.position() : -2;
    if (tid !== this.waitTid) return 0;
    this.waitTid = -1;
    // only an enter whose per-event reset sets the thread's state again (not sched_switch, not procinfo)
    if ((this.resets[type]! & 1) === 0 || this.waitEnd < 0 || !same) return 0;
    const len = this.waitEnd - this.waitAt;
    out.cut(this.waitAt, this.waitEnd);
    if (this.step !== 0 && this.out === out && this.openAt >= this.waitEnd) {
      this.openAt -= len;
      this.openEnd -= len;
    }
    return 2;
  }
}
