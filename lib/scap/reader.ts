// The block walker: pulls decompressed chunks, frames blocks by offset, and hands header blocks and
// events to a handler. It never seeks and holds at most one block plus one chunk in memory.

import { DataError } from '../cli/errors.js';
import { interrupted, loopTurn, watchingInterrupts } from '../cli/interrupt.js';
import {
  BlockKind,
  blockTypeInfo,
  DEFAULT_BLOCK_CAP,
  EV_V1,
  EV_V2,
  EV_V2_LARGE,
  EVF_V1,
  EVF_V2,
  EVF_V2_LARGE,
  EVENT_HEADER_V1,
  EVENT_HEADER_V2,
  MAX_EVENT_BLOCK_BODY,
  SHB,
} from './blocks.js';
import { EventView, tidAt, u32, v1Nparams, viewOf } from './event.js';

/** Option code of the per-event trailer that carries an event's original number (u64). */
export const NUM_OPTION = 0x7464;
/**
 * Option code (length 0) that may follow the number in the trailer: a filter kept this event, which a
 * reader without one would hide (a tracer cut by the snaplen; formats/scap.md 14.2).
 */
export const SHOWN_OPTION = 0x6b73;

/**
 * Whether the event's number came from its block's number trailer (the capture a filter kept it from)
 * rather than from its place in the stream. The same test as the reader's.
 */
export function hasNumberTrailer(ev: EventView): boolean {
  const b = ev.buf;
  const start = ev.off - (blockTypeInfo(ev.blockType).hasFlags ? 14 : 10);
  const end = start + u32(b, start + 4);
  const tail = ev.off + ev.len;
  return tail + 12 <= end - 4 && b.readUInt16LE(tail) === NUM_OPTION && b.readUInt16LE(tail + 2) === 8;
}

/** The 16-byte trailer tdig writes after an event to carry its original number. */
export function numberTrailer(num: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(NUM_OPTION, 0);
  b.writeUInt16LE(8, 2);
  b.writeUInt32LE(num % 4294967296, 4);
  b.writeUInt32LE(Math.floor(num / 4294967296), 8);
  return b;
}

const EV_V2_INFO = blockTypeInfo(EV_V2);
const EV_V1_INFO = blockTypeInfo(EV_V1);

export interface HeaderBlock {
  kind: BlockKind;
  type: number;
  version: number;
  /** the whole block, header and trailer included */
  buf: Buffer;
  start: number;
  end: number;
  /** offset of the block in the decompressed stream */
  offset: number;
}

export interface BlockHandler {
  /** A header block (section header, lists, or an unknown block before the first event). */
  header(block: HeaderBlock): void;
  /** An event; `ev` is reused for the next event. Return false to stop reading. */
  event(ev: EventView): boolean | void;
  /** Called before the reader moves on to new bytes: views of events handed over so far may change after it. */
  release?(): void;
}

export interface ReaderOptions {
  blockCap?: number;
  /** the number of params the event table lists for a type (rebuilds v1 counts) */
  tableNparams: (type: number) => number;
  /** name of the input, for error messages */
  name?: string;
}

/** Input between two turns of the event loop while signals are watched (~10 ms of reading). */
const TURN_BYTES = 4 << 20;

/**
 * Read a whole stream of sections. Throws DataError on bad data, after every block before the fault
 * has been handed over.
 */
export async function readBlocks(chunks: AsyncIterable<Buffer>, handler: BlockHandler, opts: ReaderOptions): Promise<void> {
  const cap = opts.blockCap ?? DEFAULT_BLOCK_CAP;
  const where = (off: number): string => (opts.name ? `${opts.name} byte ${off}` : `byte ${off}`);
  const ev = new EventView();
  let buf: Buffer = Buffer.alloc(0);
  /** the walk's view of buf (made when buf changes, not for each call of the walk) */
  let dv = viewOf(buf);
  let dvOf = buf;
  let pos = 0;
  /** stream offset of buf[0] */
  let base = 0;
  let inEvents = false;
  let sawSection = false;
  let evnum = 0;
  let need = 8;
  // opts.tableNparams per event type, asked once per type (v1 events need it for every event)
  const nparamsCache = new Int32Array(65536).fill(-1);
  const tableNparams = (type: number): number => {
    let n = nparamsCache[type]!;
    if (n < 0) nparamsCache[type] = n = opts.tableNparams(type);
    return n;
  };

  const it = chunks[Symbol.asyncIterator]();
  let done = false;
  let sinceTurn = 0;
  // A block that straddles two chunks is completed in a small "bridge" buffer (the leftover plus the
  // chunk's first bytes) instead of copying the whole chunk behind the leftover; once the walk passes the
  // leftover part, it moves on to the chunk itself. `pending` is that chunk, `bridgeRest` the leftover's size.
  let pending: Buffer | null = null;
  let bridgeRest = 0;
  const pull = async (): Promise<boolean> => {
    if (pending !== null) {
      // the bridge ran short (cannot happen for well-formed input): fall back to one merged buffer
      const merged = Buffer.concat([buf.subarray(pos, bridgeRest), pending]);
      base += pos;
      buf = merged;
      pos = 0;
      pending = null;
    }
    if (done) return false;
    handler.release?.();
    if (watchingInterrupts()) {
      // let the event loop run every few MiB (a signal's handler runs there), and end at a signal
      if (sinceTurn >= TURN_BYTES) {
        sinceTurn = 0;
        await loopTurn();
      }
      if (interrupted()) {
        done = true;
        return false;
      }
    }
    const r = await it.next();
    if (r.done) {
      done = true;
      return false;
    }
    const chunk = r.value;
    sinceTurn += chunk.length;
    const rest = buf.length - pos;
    if (rest <= 0) {
      base += buf.length;
      buf = chunk;
      pos = 0;
      return true;
    }
    // bytes of the chunk that complete the block starting at pos (its length may itself straddle)
    let blen = 0;
    if (rest >= 8) blen = u32(buf, pos + 4);
    else if (rest + chunk.length >= 8) {
      const h = Buffer.concat([buf.subarray(pos), chunk.subarray(0, 8 - rest)]);
      blen = u32(h, 4);
    }
    const take = Math.max(8, blen) - rest;
    if (take > 0 && take < chunk.length && take <= cap) {
      const bridge = Buffer.allocUnsafe(rest + take);
      buf.copy(bridge, 0, pos);
      chunk.copy(bridge, rest, 0, take);
      base += pos;
      buf = bridge;
      pos = 0;
      pending = chunk;
      bridgeRest = rest;
      return true;
    }
    if (take >= chunk.length && take <= cap) {
      // a block longer than this chunk: its bytes go into one buffer as the chunks come (merging the
      // leftover with each chunk in turn took time in the square of the block's size: a 64 MiB block
      // through a pipe's 64 KiB reads, 40 s). Chunks may be reused buffers, so each is copied before the
      // next is read; the bytes of the last one past the block are read from it as with a bridge.
      const whole = Buffer.allocUnsafe(rest + take);
      buf.copy(whole, 0, pos);
      base += pos;
      pos = 0;
      let have = rest;
      let last = chunk;
      for (;;) {
        const n = Math.min(last.length, whole.length - have);
        last.copy(whole, have, 0, n);
        have += n;
        if (have === whole.length) {
          buf = whole;
          if (n < last.length) {
            pending = last;
            bridgeRest = have - n;
          }
          return true;
        }
        const next = await it.next();
        if (next.done) {
          done = true;
          buf = whole.subarray(0, have);
          return true;
        }
        last = next.value;
      }
    }
    const merged = Buffer.allocUnsafe(rest + chunk.length);
    buf.copy(merged, 0, pos);
    chunk.copy(merged, rest);
    base += pos;
    buf = merged;
    pos = 0;
    return true;
  };

  for (;;) {
    if (pending !== null && pos >= bridgeRest) {
      // past the leftover: continue in the chunk, whose first bytes the bridge repeated
      base += bridgeRest;
      pos -= bridgeRest;
      buf = pending;
      pending = null;
    }
    if (sawSection && need === 8) {
      // the hot path, in its own function so that its optimized code never meets the rare paths below
      if (dvOf !== buf) {
        dv = viewOf(buf);
        dvOf = buf;
      }
      const lim = pending !== null ? bridgeRest : buf.length;
      let p = walkEvents(buf, dv, pos, lim, base, cap, ev, handler, nparamsCache, tableNparams, evnum);
      while (p > pos) {
        inEvents = true;
        pos = p;
        p = walkEvents(buf, dv, pos, lim, base, cap, ev, handler, nparamsCache, tableNparams, ev.num);
      }
      evnum = ev.num;
      if (p < 0) return;
      if (pending !== null && pos >= bridgeRest) continue;
    }
    while (buf.length - pos < need) {
      if (!(await pull())) {
        // Ctrl-C: the input ends here, as at its end (a block cut short by it is not an error)
        if (interrupted()) return;
        const have = buf.length - pos;
        // sysdig refuses an input without a section header, an empty one too ("error reading from file")
        if (have === 0 && need === 8 && !sawSection) throw new DataError('not a scap stream: empty', where(base + pos));
        if (have === 0 && need === 8) return;
        if (have > 0 && need === 8 && !sawSection) throw new DataError('not a scap stream: too short', where(base + pos));
        throw new DataError(`truncated block: ${have} of ${need} bytes`, where(base + pos));
      }
    }
    const btype = u32(buf, pos);
    const blen = u32(buf, pos + 4);
    if (!sawSection && btype !== SHB) {
      throw new DataError(`not a scap stream: block type 0x${btype.toString(16)} where a section header should be`, where(base + pos));
    }
    if (blen < 12 || blen % 4 !== 0) {
      throw new DataError(`corrupt block length ${blen}`, where(base + pos + 4));
    }
    if (blen > cap) {
      throw new DataError(`block length ${blen} exceeds the cap of ${cap} bytes`, where(base + pos + 4));
    }
    if (buf.length - pos < blen) {
      need = blen;
      continue;
    }
    need = 8;
    const start = pos;
    const end = pos + blen;
    pos = end;
    const info = btype === EV_V2 ? EV_V2_INFO : btype === EV_V1 ? EV_V1_INFO : blockTypeInfo(btype);
    const offset = base + start;
    if (info.kind === BlockKind.Event) {
      if (!sawSection) throw new DataError('event before any section header', where(offset));
      inEvents = true;
      const large = btype === EV_V2_LARGE || btype === EVF_V2_LARGE;
      if (!large && blen - 8 > MAX_EVENT_BLOCK_BODY) {
        throw new DataError(`event block length ${blen} exceeds 65536 for a non-large block`, where(offset + 4));
      }
      const flags = info.hasFlags ? u32(buf, start + 10) : 0;
      const evOff = start + (info.hasFlags ? 14 : 10);
      const hdr = info.v1 ? EVENT_HEADER_V1 : EVENT_HEADER_V2;
      if (evOff + hdr > end - 4) throw new DataError('event block too short', where(offset));
      const evLen = u32(buf, evOff + 16);
      if (evLen < hdr || evOff + evLen > end - 4) {
        throw new DataError(`event length ${evLen} does not fit its block`, where(evOff + 16 - start + offset));
      }
      const type = buf[evOff + 20]! | (buf[evOff + 21]! << 8);
      ev.set(buf, evOff, info.v1 === true, large, info.v1 ? tableNparams(type) : 0);
      if (info.v1 && ev.nparams === 0 && evLen !== hdr && tableNparams(type) > 0) {
        throw new DataError(`cannot rebuild the parameter count of a v1 event of type ${type}`, where(offset));
      }
      if (!info.v1 && EVENT_HEADER_V2 + ev.nparams * ev.lenSize > evLen) {
        throw new DataError(`event parameter count ${ev.nparams} does not fit its length ${evLen}`, where(offset));
      }
      ev.cpu = buf[start + 8]! | (buf[start + 9]! << 8);
      ev.flags = flags;
      ev.blockType = btype;
      ev.streamOffset = offset;
      // tdig's number trailer (formats/scap.md): the event's number in the capture it came from
      const tail = evOff + evLen;
      if (tail + 12 <= end - 4 && buf.readUInt16LE(tail) === NUM_OPTION && buf.readUInt16LE(tail + 2) === 8) {
        evnum = buf.readUInt32LE(tail + 4) + buf.readUInt32LE(tail + 8) * 4294967296;
        ev.num = evnum;
        ev.shown = tail + 16 <= end - 4 && buf.readUInt32LE(tail + 12) === SHOWN_OPTION;
      } else {
        ev.num = ++evnum;
        ev.shown = false;
      }
      if (handler.event(ev) === false) return;
      continue;
    }
    if (buf.readUInt32LE(end - 4) !== blen) {
      throw new DataError(`block trailer ${buf.readUInt32LE(end - 4)} does not repeat the block length ${blen}`, where(base + end - 4));
    }
    if (info.kind === BlockKind.Section) {
      sawSection = true;
      inEvents = false;
    } else if (info.kind === BlockKind.Unknown && inEvents) {
      throw new DataError(`unexpected block type 0x${btype.toString(16)} after events`, where(offset));
    }
    handler.header({ kind: info.kind, type: btype, version: info.version, buf, start, end, offset });
  }
}

/**
 * Events walkEvents takes per call. A call that walked a whole 256 KiB chunk (~4k events) was still in its
 * loop when V8 decided to optimize it, so V8 compiled it twice: on-stack (OSR) first, then again for the
 * next call (~17 ms of its one compiler thread's time at the start of a run, while the rest of the hot
 * code waited in the queue: topconns on 1M events, -25 ms CPU). Short calls are optimized once; with 256
 * events a call, V8's optimized code still arrived mid-call, and V8 compiled the loop on-stack again, in
 * half the runs (with 64, one in twelve).
 */
const WALK_BUDGET = 64;

/**
 * readBlocks' hot path: the plain event blocks (v1 or v2, with or without flags and number trailer, not large) that lie whole
 * in `b` from `p`, starting before `lim`. It stops at anything else, including every fault, and leaves that
 * block to readBlocks' general walk, which checks it the same way; it also stops after WALK_BUDGET events.
 * Returns where it stopped, or -1 when the handler asked to stop. `n` is the number of the event before `p`;
 * `ev.num` carries the count out. `counts`: tableNparams's cache (-1 where it has not been asked).
 */
function walkEvents(
  b: Buffer,
  dv: DataView,
  p: number,
  lim: number,
  base: number,
  cap: number,
  ev: EventView,
  handler: BlockHandler,
  counts: Int32Array,
  tableNparams: (type: number) => number,
  n: number,
): number {
  const L = dv.byteLength;
  // The view's buffer, at every call: readBlocks' general path may have set it to another view of `b`. A
  // store made only when the buffer changes first ran before V8 kept feedback for it, and the next chunk
  // then deoptimized the walk.
  ev.buf = b;
  ev.dv = dv;
  let budget = WALK_BUDGET;
  while (p < lim && L - p >= 8 && budget-- !== 0) {
    const bt = dv.getUint32(p, true);
    const v1 = bt === EV_V1 || bt === EVF_V1;
    const withFlags = bt === EVF_V2 || bt === EVF_V1;
    if (!v1 && !withFlags && bt !== EV_V2) break;
    const bl = dv.getUint32(p + 4, true);
    if (bl < 12 || (bl & 3) !== 0 || bl > cap || L - p < bl || bl - 8 > MAX_EVENT_BLOCK_BODY) break;
    const evOff = p + (withFlags ? 14 : 10);
    const hdr = v1 ? EVENT_HEADER_V1 : EVENT_HEADER_V2;
    const end = p + bl;
    if (evOff + hdr > end - 4) break;
    const evLen = dv.getUint32(evOff + 16, true);
    if (evLen < hdr || evOff + evLen > end - 4) break;
    const type = dv.getUint16(evOff + 20, true);
    // The view's header fields are written here, not through ev.set(). V8 inlines the calls of this loop in
    // the order of their counts, within a budget, and set() (nearly as frequent as the handler's event())
    // lost that race after unrelated changes: its header then cost ~230 instructions an event.
    ev.off = evOff;
    ev.tsLo = dv.getUint32(evOff, true);
    ev.tsHi = dv.getUint32(evOff + 4, true);
    ev.tid = tidAt(dv, evOff + 8);
    ev.len = evLen;
    ev.type = type;
    ev.lenSize = 2;
    ev.serial++;
    ev.lensOff = evOff + hdr;
    if (v1) {
      // the table's count from the per-type cache here (a call of tableNparams for every v1 event was not
      // inlined: ~30 instructions an event)
      let tn = counts[type]!;
      if (tn < 0) tn = tableNparams(type);
      // the table's count first, here: it is the answer for nearly every event (v1Nparams, called only
      // when it is not, for the counts below it, was not inlined: ~50 instructions a call)
      let sum = EVENT_HEADER_V1 + 2 * tn;
      if (sum <= evLen) for (let q = evOff + EVENT_HEADER_V1, e = q + 2 * tn; q < e; q += 2) sum += dv.getUint16(q, true);
      ev.nparams = sum === evLen ? tn : v1Nparams(dv, evOff, evLen, tn - 1);
      if (ev.nparams === 0 && evLen !== hdr && tn > 0) break;
    } else {
      ev.nparams = dv.getUint32(evOff + 22, true);
      if (EVENT_HEADER_V2 + ev.nparams * 2 > evLen) break;
    }
    ev.cpu = dv.getUint16(p + 8, true);
    ev.flags = withFlags ? dv.getUint32(p + 10, true) : 0;
    ev.blockType = bt;
    ev.streamOffset = base + p;
    // tdig's number trailer (formats/scap.md), as in readBlocks: the event's number in its source capture
    const tail = evOff + evLen;
    if (tail + 12 <= end - 4 && dv.getUint16(tail, true) === NUM_OPTION && dv.getUint16(tail + 2, true) === 8) {
      n = dv.getUint32(tail + 4, true) + dv.getUint32(tail + 8, true) * 4294967296;
      ev.shown = tail + 16 <= end - 4 && dv.getUint32(tail + 12, true) === SHOWN_OPTION;
    } else {
      n++;
      ev.shown = false;
    }
    ev.num = n;
    p = end;
    if (handler.event(ev) === false) return -1;
  }
  ev.num = n;
  return p;
}
