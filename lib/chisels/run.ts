// Drives one chisel over scap input the way sysdig 0.29.3 does (sysdig.cpp do_inspect, chisel.cpp):
// - the user's filter runs inside the event loop with sysdig's before/after-parse semantics (filterEvent);
// - an event the user's filter drops, and a state-only event, only gives the chisel its interval check;
// - any other event, internal ones (procinfo) included: interval check, then the chisel's own filter
//   (after parsing), then event(), then the chisel's formatter line;
// - interval: the first event only starts the sample; an event whose ts - ts % interval differs from the
//   last sample fires interval() once, before the event itself; skipped intervals are not caught up;
// - interval of set_interval_ns: the same, with ts - ts % ns;
// - at the end: ESC[00m when stdout is a terminal with colours on (sysdig resets its coloured default
//   format), then end(ts of the last event, last - first ts); a chisel gets both after its own failure
//   too, as sysdig then still calls on_capture_end (not a user chisel: man tdig-chisels(7)), and after a
//   read error, so that a table keeps what
//   was read before the fault (sysdig calls on_capture_end twice there, and prints such a table twice).
//   A failure of end() itself there is ignored, as sysdig ignores it.
// A chisel's tap (around, the dumps of spy_logs/spy_syslog) sees every header block and every event of a
// known type before the filters decide, and is closed after end(), or after a failure.

import { compileFilter, filterEvent, filterEventStateless, FilterVerdict, isStatelessField, StatelessCtx } from '../filter/index.js';
import type { CompiledFilter } from '../filter/index.js';
import { readBlocks } from '../scap/reader.js';
import type { BlockHandler, HeaderBlock } from '../scap/reader.js';
import { openCapture } from '../output/ndjson.js';
import { WIDE, type EventView } from '../scap/event.js';
import { StateEngine } from '../state/engine.js';
import { eventInfo } from '../events/table.js';
import { BufferFormat } from '../fields/types.js';
import { Formatter } from '../output/formatter.js';
import { TextOut } from '../output/writer.js';
import { Progress } from '../output/progress.js';
import { RuntimeError, UsageError } from '../cli/errors.js';
import { ChiselError } from './types.js';
import type { Chisel, ChiselDef, ChiselHost, EventTap } from './types.js';
import type { InputSource } from '../scap/input.js';
import { isTerminal } from '../cli/stdio.js';
import { counted, DurationLimit } from '../scap/duration.js';
import { suppressing } from '../state/suppress.js';

export interface RunOptions {
  sources: InputSource[];
  /** the user's filter expression */
  filter?: string;
  bufferFormat: BufferFormat;
  json: boolean;
  live: boolean;
  /** --interval N: seconds between tables (live) */
  intervalS?: number;
  progress: boolean;
  out: TextOut;
  /** stdout is a terminal with colours on: write ESC[00m before the chisel's end, as sysdig does */
  resetColors?: boolean;
  /** -n: stop after this many counted events (0: no limit) */
  limit?: number;
  /** -M: stop at the first counted event this many seconds after the first one */
  seconds?: number;
  /** -U: process names whose events are left out before the chisel sees them */
  suppress?: readonly string[];
}

const keepAll = (): boolean => true;

function compileChiselFilter(name: string, expr: string): CompiledFilter {
  try {
    return compileFilter(expr);
  } catch (e) {
    throw new UsageError(`${name}: invalid filter in chisel ${name}: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Seconds since the epoch of an event, exact (the double form is exact except within a µs of a boundary). */
function secondsOf(ev: EventView): number {
  const approx = ev.tsApprox / 1e9;
  const fl = Math.floor(approx);
  const frac = approx - fl;
  if (frac > 1e-5 && frac < 1 - 1e-5) return fl;
  return Number(ev.ts / 1_000_000_000n);
}

/** The interval an event falls in, ts / ns (exact): from the double timestamp unless that is near a boundary. */
function sampleOf(ev: EventView, ns: number, nsBig: bigint): number {
  const approx = ev.tsApprox / ns;
  const fl = Math.floor(approx);
  const frac = approx - fl;
  const eps = 4096 / ns;
  if (frac > eps && frac < 1 - eps) return fl;
  return Number(ev.ts / nsBig);
}

/** Instantiate a chisel: argument errors become one-line usage errors naming the chisel. */
export function createChisel(def: ChiselDef, args: (string | undefined)[], host: ChiselHost): Chisel {
  try {
    return def.create(args, host);
  } catch (e) {
    if (e instanceof ChiselError) throw new UsageError(e.message);
    throw e;
  }
}

export async function runChisel(def: ChiselDef, chisel: Chisel, o: RunOptions): Promise<void> {
  const out = o.out;
  const engine = new StateEngine();
  engine.maxBufLen = 0;
  engine.bufferFormat = o.bufferFormat !== BufferFormat.Normal ? o.bufferFormat : (chisel.bufferFormat ?? BufferFormat.Normal);
  const user = o.filter !== undefined && o.filter.trim() !== '' ? compileFilter(o.filter) : undefined;
  const userTest = user?.test;
  const ownFilter = chisel.filter ? compileChiselFilter(def.name, chisel.filter) : undefined;
  const own = ownFilter?.test;
  const formatter = chisel.formatter ? new Formatter(chisel.formatter) : undefined;
  // a chisel that reads only the events themselves runs without the state engine
  const stateless =
    chisel.fields !== undefined && chisel.fields.every(isStatelessField) && chisel.tap === undefined && formatter === undefined &&
    (user === undefined || user.stateless) && (ownFilter === undefined || ownFilter.stateless);
  const sctx = new StatelessCtx();
  sctx.bufferFormat = engine.bufferFormat;
  /** what the filters and the chisel read: the engine, or the event alone */
  const ctx = (stateless ? sctx : engine) as unknown as StateEngine;
  const intervalS = chisel.intervalS ?? 0;
  // set_interval_ns: samples compared exactly as bigints below 2^20 ns, where ts / ns can pass 2^53
  const intervalNs = chisel.intervalNs ?? 0n;
  const nsNum = Number(intervalNs);
  const sampleNs = intervalNs === 0n ? undefined
    : intervalNs < 1n << 20n ? (ev: EventView): number | bigint => ev.ts / intervalNs
    : (ev: EventView): number | bigint => sampleOf(ev, nsNum, intervalNs);
  let lastSampleNs: number | bigint = 0;
  /** the chisel has intervals: every event checks whether one ended (else only the first, for its timestamp) */
  const timed = sampleNs !== undefined || intervalS !== 0;
  const onEvent = chisel.event?.bind(chisel);
  /** the chisel failed (not the input): the read loop's error path must not end it again */
  let failed = false;
  const fail = (e: unknown): never => {
    failed = true;
    if (def.noEndAfterFailure !== true) {
      try {
        finish();
      } catch {
        // sysdig ignores a failure in on_capture_end here
      }
    }
    if (e instanceof ChiselError) throw new RuntimeError(e.message);
    if (e instanceof UsageError || e instanceof RuntimeError) throw e;
    throw new RuntimeError(`${def.name}: chisel error: ${e instanceof Error ? e.message : String(e)}`);
  };

  let first = true;
  let firstTs = 0n;
  let lastEv: EventView | undefined;
  let lastSample = 0;
  let lastIntervalTs = 0n;
  let sawPassing = false;
  // the last event's timestamp, in an object's fields: V8 keeps a number beyond 30 bits that is stored in
  // a closure variable as an object of its own, so that was an allocation on most events (and a store of
  // a young object into an old closure, which calls the GC's write barrier); a field that starts wide
  // (WIDE) holds it in place
  const last = { hi: 0, lo: WIDE };
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    if (o.resetColors) out.line('\x1b[00m');
    const lastTs = (BigInt(last.hi) << 32n) | BigInt(last.lo);
    chisel.end?.(lastEv ? ctx : undefined, lastEv ? Number(lastTs / 1_000_000_000n) : 0, lastEv ? Number(lastTs - firstTs) : 0);
  };

  const timeout = (ev: EventView): void => {
    if (first) {
      first = false;
      firstTs = ev.ts;
      if (sampleNs) lastSampleNs = sampleNs(ev);
      else if (intervalS) lastSample = Math.floor(secondsOf(ev) / intervalS);
      return;
    }
    if (sampleNs) {
      const sample = sampleNs(ev);
      if (sample === lastSampleNs) return;
      const ts = ev.ts;
      chisel.interval?.(sawPassing ? ctx : undefined, secondsOf(ev), lastIntervalTs !== 0n ? Number(ts - lastIntervalTs) : 0);
      lastSampleNs = sample;
      lastIntervalTs = ts;
      return;
    }
    if (!intervalS) return;
    const s = secondsOf(ev);
    const sample = Math.floor(s / intervalS);
    if (sample === lastSample) return;
    const ts = ev.ts;
    const delta = lastIntervalTs !== 0n ? Number(ts - lastIntervalTs) : 0;
    // sysdig 0.29.3 hands a chisel its event only once one has passed the user's filter: an interval
    // that begins on a dropped event before that fails in any chisel that reads a field there
    chisel.interval?.(sawPassing ? ctx : undefined, s, delta);
    lastSample = sample;
    lastIntervalTs = ts;
  };

  const limit = o.limit ?? 0;
  const duration = o.seconds !== undefined ? new DurationLimit(o.seconds) : undefined;
  const limited = limit !== 0 || duration !== undefined;
  let seen = 0;
  let stopped = false;
  const tap = chisel.tap;
  const handler: BlockHandler = {
    header(b: HeaderBlock) {
      engine.header(b);
      tap?.header(b);
    },
    event(ev: EventView) {
      // (booleans and optional functions compared explicitly: a bare truth test compiles to V8's generic one)
      const verdict = stateless === true ? filterEventStateless(sctx, ev, userTest ?? keepAll) : filterEvent(engine, ev, userTest);
      if (verdict === FilterVerdict.Unknown) return true;
      // -n and -M count the events sysdig's loop gets from its inspector: passed, not state-only, not hidden;
      // -M stops before such an event, -n after the Nth
      const counts = limited === true && counted(ev, verdict === FilterVerdict.Keep, engine.hidden);
      if (counts === true && duration !== undefined && duration.reached(ev)) {
        stopped = true;
        return false;
      }
      tap?.event(ev, engine);
      lastEv = ev;
      last.hi = ev.tsHi;
      last.lo = ev.tsLo;
      try {
        if (timed === true || first === true) timeout(ev);
        if (verdict !== FilterVerdict.Keep || (ev.flags & 1) !== 0 || engine.hidden === true) return true;
        sawPassing = true;
        if (own === undefined || own(ctx) === true) {
          const r = onEvent !== undefined ? onEvent(ctx) : true;
          if (r !== false && formatter !== undefined) formatter.writeLine(engine, out);
        }
      } catch (e) {
        fail(e);
      }
      if (counts === true && limit !== 0 && ++seen >= limit) {
        stopped = true;
        return false;
      }
      return true;
    },
  };
  try {
    for (const src of o.sources) {
      if (stopped) break;
      const bar = o.progress && isTerminal(2) && typeof src === 'string' ? new Progress(src, src) : undefined;
      const input = bar && typeof src === 'string' ? bar.stream(src) : src;
      try {
        const { chunks } = await openCapture(input);
        const suppress = o.suppress ?? [];
        await readBlocks(withBackpressure(chunks, out, tap), suppress.length === 0 ? handler : suppressing(handler, suppress), {
          tableNparams: (t) => eventInfo(t)?.params.length ?? 0,
          name: typeof src === 'string' ? src : undefined,
        });
      } catch (e) {
        // a read error: the chisel ends (once) before the error is reported
        if (!finished && !failed) {
          try {
            finish();
          } catch {
            // ignored, as above
          }
        }
        throw e;
      } finally {
        bar?.done();
      }
    }
  } catch (e) {
    // what the tap holds from before the fault still goes to its file; the first error is the one reported
    await tap?.close().catch(() => undefined);
    throw e;
  }
  try {
    finish();
  } catch (e) {
    await tap?.close().catch(() => undefined);
    fail(e);
  }
  await tap?.close();
}

async function* withBackpressure(chunks: AsyncIterable<Buffer>, out: TextOut, tap: EventTap | undefined): AsyncGenerator<Buffer> {
  for await (const c of chunks) {
    const d = out.drained();
    if (d) await d;
    const t = tap?.ready();
    if (t) await t;
    yield c;
  }
}
