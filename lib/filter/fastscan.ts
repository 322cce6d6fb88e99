// The fast path of tdig-filter for filters that read only the event type, the fields it decides alone
// (evt.dir, evt.is_io...) and the data buffer (evt.type=read, evt.dir=< and evt.type in (...),
// evt.is_io_read=true and evt.buffer contains password): the verdict of
// every event type is computed once (types with a data param are tested event by event when the filter
// reads evt.buffer), and the block walker reads nothing else of an event, then copies its block out.
// Framing and errors follow lib/scap/reader.ts; the original event number (the trailer) is honoured.

import { EventView } from '../scap/event.js';
import { readBlocks, type HeaderBlock } from '../scap/reader.js';
import { EF, EVENT_MAX, eventInfo } from '../events/table.js';
import type { CompiledFilter } from './index.js';
import { StatelessCtx } from './run.js';
import { BY_TYPE_FIELDS } from './compile.js';

/** Fields decided by the event type alone, and evt.buffer, decided by type for types without data. */
const TYPE_FIELDS = new Set(['evt.type', ...BY_TYPE_FIELDS]);
const SCAN_FIELDS = new Set([...TYPE_FIELDS, 'evt.buffer']);

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
  /** an event left out */
  dropped?(ev: EventView): void;
  /** see BlockHandler.release */
  release?(): void;
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
  const gctx = new StatelessCtx();
  let kept = 0;
  await readBlocks(
    chunks,
    {
      header: (b) => out.header(b),
      release: out.release,
      event: (ev) => {
        const type = ev.type;
        let act = type < acts.length ? acts[type]! : TypeAction.Skip;
        if (type <= 1 || act === TypeAction.Test) {
          // generic events (named by their syscall) and undecided types are tested one by one
          const gi = eventInfo(type);
          act = TypeAction.Skip;
          if (gi) {
            gctx.ev = ev;
            gctx.info = gi;
            if (f.test(gctx)) act = TypeAction.Keep;
            else if (!opts.thin && (gi.flags & EF.MODIFIES_STATE) !== 0) act = TypeAction.StateOnly;
          }
        }
        if (act === TypeAction.Skip) {
          out.dropped?.(ev);
          return true;
        }
        if (act === TypeAction.StateOnly) {
          out.event(ev, ev.flags | 1);
          return true;
        }
        out.event(ev, ev.flags);
        kept++;
        return opts.limit === 0 || kept < opts.limit;
      },
    },
    { name: opts.name, tableNparams: opts.tableNparams },
  );
  return kept;
}
