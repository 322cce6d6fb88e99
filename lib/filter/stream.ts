// What a filtering writer (tdig-filter, tdig-capture FILTER) does with each event of a stream, in order:
// write it, write it as a state-only event (hidden, but it keeps the thread and fd tables of a reader
// right), or leave it out.

import { EF, EVENT_MAX, eventInfo } from '../events/table.js';
import { BlockKind, DF_STATE_ONLY, EVENT_HEADER_V1 } from '../scap/blocks.js';
import { copyBytes, EventView, viewOf } from '../scap/event.js';
import { E, MAX_THREADS, pairingMatters, PPM_FCNTL_F_DUPFD as F_DUPFD, PPM_FCNTL_F_DUPFD_CLOEXEC as F_DUPFD_CLOEXEC, type StateEngine } from '../state/engine.js';
import { filterEvent, FilterVerdict } from './run.js';
import { TidMap } from '../state/model.js';

export const enum FilterAction {
  /** leave the event out */
  Skip = 0,
  /** the filter matched: write the event */
  Keep = 1,
  /** the filter did not match but the event changes state: write it with the state-only dump flag */
  StateOnly = 2,
}

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
  if (verdict === FilterVerdict.Drop && !thin && ((engine.info.flags & EF.MODIFIES_STATE) !== 0 || engine.tracerCandidate === true)) return FilterAction.StateOnly;
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
  private readonly slots = new TidMap<Slot>();
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
      // no more slots than a thread table holds threads (a stream of thread ids without end, none of which
      // exits, would take memory without bound)
      if (this.slots.size >= MAX_THREADS) return;
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

  /** how many threads' dropped enters it holds */
  get held(): number {
    return this.slots.size;
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
  written(ev: EventView, flags: number, needsFd = false): EventView | undefined {
    if (this.slots.size === 0) return undefined;
    const type = ev.type;
    if ((type & 1) === 0 && (type >= this.resets.length || this.resets[type] === 0)) return undefined;
    if ((this.resets[type]! & 2) !== 0) {
      this.forget(ev.tid);
      return undefined;
    }
    // a state-only exit takes no dropped enter, and leaves its thread's slot as it is; but a write that may
    // be a tracer (`needsFd`) is one by its fd, which the reader takes from that enter
    if ((type & 1) === 1 && (flags & DF_STATE_ONLY) !== 0 && !needsFd) return undefined;
    const slot = this.slots.get(ev.tid);
    if (slot === undefined || !slot.live) return undefined;
    if ((type & 1) === 0) {
      slot.live = false;
      return undefined;
    }
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
  /**
   * Leave out the bytes [from, to) of the current buffer. They leave when the buffer does (cutHoles);
   * until then, positions do not move.
   */
  cut(from: number, to: number): void;
}

/**
 * Removes the cut ranges from buf[0, len): `holes` holds from, to, from, to, ... in ascending order, none
 * overlapping (addHole keeps them so). Empties `holes` and returns the length left.
 */
export function cutHoles(buf: Buffer, len: number, holes: number[]): number {
  if (holes.length === 0) return len;
  const dv = viewOf(buf);
  let w = holes[0]!;
  for (let i = 0; i < holes.length; i += 2) {
    const from = holes[i + 1]!;
    const next = i + 2 < holes.length ? holes[i + 2]! : len;
    // moving bytes down, a forward copy never overwrites bytes it has yet to copy; a long run moves with
    // copyWithin (memmove, in place: Buffer.copy within one buffer goes through a copy of the source)
    if (next - from > 160) buf.copyWithin(w, from, next);
    else copyBytes(buf, dv, from, buf, dv, w, next - from);
    w += next - from;
  }
  holes.length = 0;
  return w;
}

/** Adds [from, to) to `holes` (see cutHoles), in order: cuts mostly come in order, so this rarely moves any. */
export function addHole(holes: number[], from: number, to: number): void {
  let i = holes.length;
  if (from === to) return;
  if (i !== 0 && holes[i - 1] === from) {
    // right after the last: one hole (an enter and its exit often lie side by side)
    holes[i - 1] = to;
    return;
  }
  holes.push(from, to);
  while (i > 0 && holes[i - 2]! > from) {
    holes[i] = holes[i - 2]!;
    holes[i + 1] = holes[i - 1]!;
    i -= 2;
  }
  holes[i] = from;
  holes[i + 1] = to;
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

/**
 * What ShortOpens keeps of a thread. Spans are byte ranges [at, end) of the output's current buffer (gen),
 * one written event each; an end is -1 until the next write.
 */
class Track {
  /** the reader of the stream knows the thread (process list, or an event of it written) */
  known = false;
  /** it wrote an fcntl enter that duplicates an fd */
  duper = false;
  /** its last written event, when that is a state-only enter that may start a pair that changes no table */
  enterType = -1;
  enterCmd = -1;
  enterGen = -1;
  enterAt = 0;
  enterEnd = -1;
  /** two events that change no table, waiting for the thread's next written event */
  waitGen = -1;
  waitAt = 0;
  waitEnd = 0;
  waitAt2 = 0;
  waitEnd2 = -1;
}

/**
 * Leaves out of a filtered stream the state-only events that change nothing a reader keeps.
 *
 * Opens closed right away. A file that a process opens and closes while the filter drops everything it
 * does in between reaches the stream as four state-only events back to back: open's enter and exit (fd N),
 * close's enter (N) and exit (success). The open adds N to the process's fd table and the close removes
 * it. Without the open, the close finds no N and changes nothing, so the reader's tables end up the same;
 * the thread's own per-event state (last fd, last event, enter time) is set by the close either way. The
 * open is left out only when N was not open in the process before it (replacing an open fd is not undone
 * by the close) and when nothing else was written in between.
 *
 * Pairs that change no table. Some state-only pairs (an enter and its exit) change only their thread's
 * per-event state, which the thread's next enter event sets again (one whose per-event reset runs: not
 * sched_switch or procinfo): an open that failed (no fd), an fcntl that duplicates no fd (libsinsp adds an
 * fd only for F_DUPFD and F_DUPFD_CLOEXEC that succeed), a shutdown (it has no parser), and the close that
 * stays after a left-out open (its fd is not in the reader's table). Such a pair is left out once the next
 * event written for its thread turns out to be such an enter, whatever other threads wrote in between, and
 * when the reader already knew the thread (from the process list or an event written before): otherwise
 * it would meet the thread later.
 * A stored enter is not reset by every enter: after an exit that a reader does not clean up (a state-only
 * one), it stays, and a later exit of its type takes it. Only fcntl stores its enter for some commands and
 * not others, so after an F_DUPFD enter of a thread, a later fcntl exit of that thread can take that
 * stale enter; nothing of such a thread is left out.
 *
 * Never the stream's first event (a reader's first timestamp). Such events are most of the state-only
 * events of a typical capture. Cuts stay within the output's current buffer (its generation).
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
  private openAt = 0;
  private openEnd = 0;
  private any = false;
  private out: CuttableOutput | undefined = undefined;
  /** the output's generation; bumped by forget() too, which makes every span of a thread stale */
  private gen = 0;
  private outGen = -1;
  /** the thread whose last span ends at the next write: 1 its enter, 2 its waiting exit, 0 none */
  private lastTrack: Track | undefined = undefined;
  private lastKind = 0;
  private readonly tracks = new TidMap<Track>();
  /** the last track() */
  private trackTid = -1;
  private trackOf: Track | undefined = undefined;

  /**
   * A header block was written (after `engine` read it): a section resets what the reader knows. A process
   * list tells the reader of the engine's threads, or of `listed` when the list written was cut
   * (--filter-proclist).
   */
  header(kind: BlockKind, engine: StateEngine, listed?: Iterable<number>): void {
    this.forget();
    if (kind === BlockKind.Section) {
      this.tracks.clear();
      this.trackTid = -1;
    }
    else if (kind === BlockKind.ProcList) for (const tid of listed ?? engine.tables.threads.keys()) this.track(tid).known = true;
  }

  /** A block was not written after all (too big for its flags): forget what is under way. */
  interrupt(): void {
    this.forget();
  }

  private forget(): void {
    this.step = 0;
    this.lastKind = 0;
    this.gen++;
  }

  /** how many threads it keeps a record of */
  get tracked(): number {
    return this.tracks.size;
  }

  private track(tid: number): Track {
    // an enter and its exit come one after the other, mostly
    if (tid === this.trackTid) return this.trackOf!;
    let t = this.tracks.get(tid);
    if (t === undefined) {
      t = new Track();
      // past as many threads as a thread table holds (ids without end, no procexit): a record that is
      // not kept, and that leaves nothing of the thread out
      if (this.tracks.size < MAX_THREADS) this.tracks.set(tid, t);
      else t.duper = true;
    }
    this.trackTid = tid;
    this.trackOf = t;
    return t;
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
    const pos = out.position();
    if (out !== this.out || out.generation() !== this.outGen) {
      // a new buffer: what is under way lies in the one that left
      this.forget();
      this.out = out;
      this.outGen = out.generation();
    } else if (this.lastKind !== 0) {
      if (this.lastKind === 1) this.lastTrack!.enterEnd = pos;
      else this.lastTrack!.waitEnd2 = pos;
    }
    this.lastKind = 0;
    const gen = this.gen;
    const stateOnly = (flags & DF_STATE_ONLY) !== 0;
    const type = ev.type;
    const tid = ev.tid;
    const tr = this.track(tid);
    let cut = 0;
    if (tr.waitGen === gen) {
      tr.waitGen = -1;
      // only an enter whose per-event reset sets the thread's state again (not sched_switch, not procinfo)
      if ((this.resets[type]! & 1) !== 0) {
        out.cut(tr.waitAt, tr.waitEnd);
        out.cut(tr.waitAt2, tr.waitEnd2);
        cut = 2;
      }
    }
    if (type === E.FCNTL_E && ev.nparams > 1) {
      const cmd = ev.buf[ev.paramOff(1)]!;
      if (cmd === F_DUPFD || cmd === F_DUPFD_CLOEXEC) tr.duper = true;
    }
    const afterEnter = tr.enterGen === gen ? tr.enterType : -1;
    tr.enterGen = -1;
    let done = false;
    if (stateOnly && tid === this.tid && this.step !== 0) {
      if (this.step === 3 && type === E.CLOSE_X) {
        if (ev.nparams > 0 && ev.paramInt(0) >= 0) {
          out.cut(this.openAt, this.openEnd);
          cut += 2;
          // the close now finds no fd: it changes no table
          if (this.openKnown && !tr.duper) this.waitFor(tr, this.openEnd, pos, pos);
          done = true;
          this.step = 0;
        }
      } else if (this.step === 2 && type === E.CLOSE_E) {
        if (ev.nparams > 0 && ev.paramInt(0) === this.fd) {
          this.step = 3;
          this.openEnd = pos;
          done = true;
        }
      } else if (this.step === 1 && type === this.openType + 1 && this.fresh && ev.nparams > 0) {
        this.fd = ev.paramInt(0);
        this.step = 2;
        done = true;
      }
    }
    if (!done) {
      this.step = 0;
      if (stateOnly && this.types[type] === 1 && this.any) {
        this.step = 1;
        this.tid = tid;
        this.openType = type;
        this.fresh = false;
        this.openKnown = tr.known;
        this.openAt = pos;
      }
    }
    if (stateOnly && this.any && !tr.duper) {
      if (afterEnter !== -1 && type === afterEnter + 1) {
        if (this.changesNoTable(ev, tr.enterCmd)) this.waitFor(tr, tr.enterAt, tr.enterEnd, pos);
      } else if (tr.known && (type === E.FCNTL_E || type === E.SHUTDOWN_E || this.types[type] === 1)) {
        tr.enterType = type;
        tr.enterCmd = type === E.FCNTL_E && ev.nparams > 1 ? ev.buf[ev.paramOff(1)]! : -1;
        tr.enterGen = gen;
        tr.enterAt = pos;
        tr.enterEnd = -1;
        this.lastTrack = tr;
        this.lastKind = 1;
      }
    }
    this.any = true;
    if ((this.resets[type]! & 2) !== 0) {
      // procexit: the reader drops the thread. So does this: a live capture meets new tids without end.
      // (A thread that duplicated an fd keeps its record: its stale stored enter may outlive the exit.)
      tr.known = false;
      tr.waitGen = -1;
      if (!tr.duper) {
        this.tracks.delete(tid);
        this.trackTid = -1;
      }
    } else tr.known = true;
    return cut;
  }

  /** The events at [at, end) and the exit at `pos` wait for the thread's next written event. */
  private waitFor(tr: Track, at: number, end: number, pos: number): void {
    tr.waitGen = this.gen;
    tr.waitAt = at;
    tr.waitEnd = end;
    tr.waitAt2 = pos;
    tr.waitEnd2 = -1;
    this.lastTrack = tr;
    this.lastKind = 2;
  }

  /** Whether the state-only exit `ev` (after its enter, written last for its thread) leaves every table alone. */
  private changesNoTable(ev: EventView, cmd: number): boolean {
    const type = ev.type;
    if (type === E.SHUTDOWN_X) return true;
    const res = ev.nparams > 0 ? ev.paramInt(0) : 0;
    if (type === E.FCNTL_X) return res < 0 || (cmd !== F_DUPFD && cmd !== F_DUPFD_CLOEXEC);
    return this.types[type] === 2 && ev.nparams > 0 && res < 0;
  }
}
