// The fast path of tdig-filter for filters that read only the event type and direction, and the data
// buffer (evt.type=read, evt.dir=< and evt.type in (...), evt.buffer contains password): the verdict of
// every event type is computed once (types with a data param are tested event by event when the filter
// reads evt.buffer), and the block walker reads nothing else of an event, then copies its block out.
// Framing and errors follow lib/scap/reader.ts; the original event number (the trailer) is honoured.

import { DataError } from '../cli/errors.js';
import { BlockKind, blockTypeInfo, DEFAULT_BLOCK_CAP, EV_V2_LARGE, EVF_V2_LARGE, EVENT_HEADER_V1, EVENT_HEADER_V2, MAX_EVENT_BLOCK_BODY, SHB } from '../scap/blocks.js';
import { EventView } from '../scap/event.js';
import { NUM_OPTION, type HeaderBlock } from '../scap/reader.js';
import { EF, EVENT_MAX, eventInfo } from '../events/table.js';
import type { CompiledFilter } from './index.js';
import { StatelessCtx } from './run.js';

/** Fields decided by the event type alone, and evt.buffer, decided by type for types without data. */
const TYPE_FIELDS = new Set(['evt.type', 'evt.dir']);
const SCAN_FIELDS = new Set(['evt.type', 'evt.dir', 'evt.buffer']);

/** The event block ids, numbered 1..6, and their block table entries. */
const EVENT_IDS = [0x204, 0x208, 0x216, 0x217, 0x221, 0x222];
const EVENT_KINDS: (number | undefined)[] = [];
const EVENT_INFOS = [blockTypeInfo(0), ...EVENT_IDS.map((id) => blockTypeInfo(id))];
EVENT_IDS.forEach((id, i) => (EVENT_KINDS[id] = i + 1));

/**
 * Whether the scan can run the filter: it reads only evt.type, evt.dir and evt.buffer. Types whose
 * verdict needs the event itself (evt.buffer on a type with a data param) are tested event by event.
 */
export function isTypeOnly(f: CompiledFilter): boolean {
  return f.fields.every((r) => SCAN_FIELDS.has(r.def.name));
}

export const enum TypeAction {
  Skip = 0,
  Keep = 1,
  StateOnly = 2,
  /** decode the event and run the test */
  Test = 3,
}

/** What to do with each event type: keep, write as state-only (dropped, EF_MODIFIES_STATE), skip, or test. */
export function typeActions(f: CompiledFilter, thin: boolean): Uint8Array {
  const acts = new Uint8Array(EVENT_MAX + 1);
  const byType = f.fields.every((r) => TYPE_FIELDS.has(r.def.name));
  const ctx = new StatelessCtx();
  const view = new EventView();
  for (let id = 2; id <= EVENT_MAX; id++) {
    const info = eventInfo(id);
    if (!info) continue;
    if (!byType && info.params.some((p) => p.name === 'data')) {
      acts[id] = TypeAction.Test;
      continue;
    }
    view.type = id;
    view.nparams = 0;
    ctx.ev = view;
    ctx.info = info;
    if (f.test(ctx)) acts[id] = TypeAction.Keep;
    else if (!thin && (info.flags & EF.MODIFIES_STATE) !== 0) acts[id] = TypeAction.StateOnly;
  }
  return acts;
}

export interface ScanOutput {
  header(b: HeaderBlock): void;
  /** write the event `ev` (only buf, off, len, lensOff, lenSize, cpu and num are set) with these flags */
  event(ev: EventView, flags: number): void;
}

/**
 * Walk the blocks of a stream, writing header blocks and the events `acts` keeps (or turns into
 * state-only events). Generic events (types 0 and 1, named by their syscall) are tested one by one.
 * Stops after `limit` kept events when limit > 0. Returns the number of kept events.
 */
export async function scanByType(
  chunks: AsyncIterable<Buffer>,
  acts: Uint8Array,
  f: CompiledFilter,
  out: ScanOutput,
  opts: { name?: string; limit: number; thin: boolean; tableNparams: (t: number) => number },
): Promise<number> {
  const where = (off: number): string => (opts.name ? `${opts.name} byte ${off}` : `byte ${off}`);
  const view = new EventView();
  const gctx = new StatelessCtx();
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  let base = 0;
  let sawSection = false;
  let inEvents = false;
  let evnum = 0;
  let kept = 0;
  let need = 8;
  const it = chunks[Symbol.asyncIterator]();
  let done = false;
  const pull = async (): Promise<boolean> => {
    if (done) return false;
    const r = await it.next();
    if (r.done) {
      done = true;
      return false;
    }
    const chunk = r.value;
    if (pos >= buf.length) {
      base += buf.length;
      buf = chunk;
    } else {
      const rest = buf.length - pos;
      const merged = Buffer.allocUnsafe(rest + chunk.length);
      buf.copy(merged, 0, pos);
      chunk.copy(merged, rest);
      base += pos;
      buf = merged;
    }
    pos = 0;
    return true;
  };

  for (;;) {
    while (buf.length - pos < need) {
      if (!(await pull())) {
        const have = buf.length - pos;
        if (have === 0 && need === 8) return kept;
        if (have > 0 && need === 8 && !sawSection) throw new DataError('not a scap stream: too short', where(base + pos));
        throw new DataError(`truncated block: ${have} of ${need} bytes`, where(base + pos));
      }
    }
    // as many whole blocks as the buffer holds
    while (buf.length - pos >= 8) {
      const btype = buf.readUInt32LE(pos);
      const blen = buf.readUInt32LE(pos + 4);
      if (!sawSection && btype !== SHB) throw new DataError(`not a scap stream: block type 0x${btype.toString(16)} where a section header should be`, where(base + pos));
      if (blen < 12 || blen % 4 !== 0) throw new DataError(`corrupt block length ${blen}`, where(base + pos + 4));
      if (blen > DEFAULT_BLOCK_CAP) throw new DataError(`block length ${blen} exceeds the cap of ${DEFAULT_BLOCK_CAP} bytes`, where(base + pos + 4));
      if (buf.length - pos < blen) break;
      const start = pos;
      const end = pos + blen;
      pos = end;
      // event blocks by id first (the common case), the block table for the rest
      const evKind = btype < 0x300 ? (EVENT_KINDS[btype] ?? 0) : 0;
      const info = evKind !== 0 ? EVENT_INFOS[evKind]! : blockTypeInfo(btype);
      if (info.kind === BlockKind.Event) {
        if (!sawSection) throw new DataError('event before any section header', where(base + start));
        inEvents = true;
        const large = btype === EV_V2_LARGE || btype === EVF_V2_LARGE;
        if (!large && blen - 8 > MAX_EVENT_BLOCK_BODY) throw new DataError(`event block length ${blen} exceeds 65536 for a non-large block`, where(base + start + 4));
        const flags = info.hasFlags ? buf.readUInt32LE(start + 10) : 0;
        const evOff = start + (info.hasFlags ? 14 : 10);
        const hdr = info.v1 ? EVENT_HEADER_V1 : EVENT_HEADER_V2;
        if (evOff + hdr > end - 4) throw new DataError('event block too short', where(base + start));
        const evLen = buf.readUInt32LE(evOff + 16);
        if (evLen < hdr || evOff + evLen > end - 4) throw new DataError(`event length ${evLen} does not fit its block`, where(base + evOff + 16));
        const type = buf.readUInt16LE(evOff + 20);
        const tail = evOff + evLen;
        if (tail + 12 <= end - 4 && buf.readUInt16LE(tail) === NUM_OPTION && buf.readUInt16LE(tail + 2) === 8) {
          evnum = buf.readUInt32LE(tail + 4) + buf.readUInt32LE(tail + 8) * 4294967296;
        } else evnum++;
        let act = type < acts.length ? acts[type]! : TypeAction.Skip;
        if (type <= 1 || act === TypeAction.Test) {
          const gi = eventInfo(type);
          view.set(buf, evOff, info.v1 === true, large, opts.tableNparams(type));
          act = TypeAction.Skip;
          if (gi) {
            gctx.ev = view;
            gctx.info = gi;
            if (f.test(gctx)) act = TypeAction.Keep;
            else if (!opts.thin && (gi.flags & EF.MODIFIES_STATE) !== 0) act = TypeAction.StateOnly;
          }
        }
        if (act === TypeAction.Skip) continue;
        view.buf = buf;
        view.off = evOff;
        view.len = evLen;
        view.type = type;
        view.lensOff = evOff + hdr;
        view.lenSize = large ? 4 : 2;
        view.cpu = buf.readUInt16LE(start + 8);
        view.num = evnum;
        if (act === TypeAction.Keep) {
          out.event(view, flags);
          kept++;
          if (opts.limit !== 0 && kept >= opts.limit) return kept;
        } else out.event(view, flags | 1);
        continue;
      }
      if (buf.readUInt32LE(end - 4) !== blen) {
        throw new DataError(`block trailer ${buf.readUInt32LE(end - 4)} does not repeat the block length ${blen}`, where(base + end - 4));
      }
      if (info.kind === BlockKind.Section) {
        sawSection = true;
        inEvents = false;
      } else if (info.kind === BlockKind.Unknown && inEvents) {
        throw new DataError(`unexpected block type 0x${btype.toString(16)} after events`, where(base + start));
      }
      out.header({ kind: info.kind, type: btype, version: info.version, buf, start, end, offset: base + start });
    }
    need = buf.length - pos >= 8 ? buf.readUInt32LE(pos + 4) : 8;
  }
}
