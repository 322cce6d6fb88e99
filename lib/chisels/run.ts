// Drives chisels over scap input the way sysdig 0.29.3 does (sysdig.cpp do_inspect, chisel.cpp); with
// several (-c A -c B), each event goes to each in turn, and each ends in turn. For each chisel:
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
import { EC, eventInfo } from '../events/table.js';
import { BufferFormat } from '../fields/types.js';
import { Formatter } from '../output/formatter.js';
import { TextOut } from '../output/writer.js';
import { progressFor, type Progress } from '../output/progress.js';
import type { RunStats } from '../output/stats.js';
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
  /** a chisel called its host's endCapture() */
  ended?: () => boolean;
  /** -E: the capture's user and group tables are not used */
  excludeUsers?: boolean;
  /** -D: internal events reach the chisels, the filter or not (sysdig's internal events mode) */
  debug?: boolean;
  /** -v: the run's counters, filled in as it goes */
  stats?: RunStats;
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

/** One chisel of a run: its own filter, formatter and interval clock, and whether it has ended. */
class Slot {
  readonly own: ((ctx: StateEngine) => boolean) | undefined;
  readonly ownFilter: CompiledFilter | undefined;
  readonly formatter: Formatter | undefined;
  readonly onEvent: ((ctx: StateEngine) => boolean | void) | undefined;
  readonly intervalS: number;
  /** set_interval_ns: samples compared exactly as bigints below 2^20 ns, where ts / ns can pass 2^53 */
  readonly sampleNs: ((ev: EventView) => number | bigint) | undefined;
  /** the chisel has intervals: every event checks whether one ended (else only the first, for its timestamp) */
  readonly timed: boolean;
  first = true;
  lastSample = 0;
  lastSampleNs: number | bigint = 0;
  lastIntervalTs = 0n;
  finished = false;

  constructor(
    readonly def: ChiselDef,
    readonly chisel: Chisel,
  ) {
    this.ownFilter = chisel.filter ? compileChiselFilter(def.name, chisel.filter) : undefined;
    this.own = this.ownFilter?.test;
    this.formatter = chisel.formatter ? new Formatter(chisel.formatter) : undefined;
    this.onEvent = chisel.event?.bind(chisel);
    this.intervalS = chisel.intervalS ?? 0;
    const intervalNs = chisel.intervalNs ?? 0n;
    const nsNum = Number(intervalNs);
    this.sampleNs = intervalNs === 0n ? undefined
      : intervalNs < 1n << 20n ? (ev: EventView): number | bigint => ev.ts / intervalNs
      : (ev: EventView): number | bigint => sampleOf(ev, nsNum, intervalNs);
    this.timed = this.sampleNs !== undefined || this.intervalS !== 0;
  }

  /** The interval check of `ev`; `ctx` is undefined until an event has passed the user's filter. */
  timeout(ev: EventView, ctx: StateEngine | undefined): void {
    const sampleNs = this.sampleNs;
    if (this.first) {
      this.first = false;
      if (sampleNs) this.lastSampleNs = sampleNs(ev);
      else if (this.intervalS) this.lastSample = Math.floor(secondsOf(ev) / this.intervalS);
      return;
    }
    if (sampleNs) {
      const sample = sampleNs(ev);
      if (sample === this.lastSampleNs) return;
      const ts = ev.ts;
      this.chisel.interval?.(ctx, secondsOf(ev), this.lastIntervalTs !== 0n ? Number(ts - this.lastIntervalTs) : 0);
      this.lastSampleNs = sample;
      this.lastIntervalTs = ts;
      return;
    }
    if (!this.intervalS) return;
    const s = secondsOf(ev);
    const sample = Math.floor(s / this.intervalS);
    if (sample === this.lastSample) return;
    const ts = ev.ts;
    const delta = this.lastIntervalTs !== 0n ? Number(ts - this.lastIntervalTs) : 0;
    // sysdig 0.29.3 hands a chisel its event only once one has passed the user's filter: an interval
    // that begins on a dropped event before that fails in any chisel that reads a field there
    this.chisel.interval?.(ctx, s, delta);
    this.lastSample = sample;
    this.lastIntervalTs = ts;
  }
}

/**
 * Runs chisels over one pass of the input, as sysdig runs every -c: each event goes to each chisel in
 * order (its interval check, its own filter, event(), its formatter line); at the end each ends in order.
 */
export async function runChisels(list: readonly { def: ChiselDef; chisel: Chisel }[], o: RunOptions): Promise<void> {
  const out = o.out;
  const slots = list.map(({ def, chisel }) => new Slot(def, chisel));
  const engine = new StateEngine();
  engine.maxBufLen = 0;
  engine.importUsers = o.excludeUsers !== true;
  // one buffer format for the run: the user's, else the first a chisel asks for
  const asked = list.find(({ chisel }) => chisel.bufferFormat !== undefined)?.chisel.bufferFormat;
  engine.bufferFormat = o.bufferFormat !== BufferFormat.Normal ? o.bufferFormat : (asked ?? BufferFormat.Normal);
  const user = o.filter !== undefined && o.filter.trim() !== '' ? compileFilter(o.filter) : undefined;
  const userTest = user?.test;
  // chisels that read only the events themselves run without the state engine
  const debug = o.debug === true;
  const stateless =
    !debug &&
    (user === undefined || user.stateless) &&
    slots.every(({ chisel, formatter, ownFilter }) =>
      chisel.fields !== undefined && chisel.fields.every(isStatelessField) && chisel.tap === undefined && formatter === undefined && (ownFilter === undefined || ownFilter.stateless));
  const sctx = new StatelessCtx();
  sctx.bufferFormat = engine.bufferFormat;
  /** what the filters and the chisels read: the engine, or the event alone */
  const ctx = (stateless ? sctx : engine) as unknown as StateEngine;
  const taps = list.flatMap(({ chisel }) => (chisel.tap !== undefined ? [chisel.tap] : []));
  const one = slots.length === 1 ? slots[0]! : undefined;
  /** a chisel failed (not the input): the read loop's error path must not end them again */
  let failed = false;
  const fail = (e: unknown, def: ChiselDef): never => {
    failed = true;
    try {
      finish(true);
    } catch {
      // sysdig ignores a failure in on_capture_end here
    }
    if (e instanceof ChiselError) throw new RuntimeError(e.message);
    if (e instanceof UsageError || e instanceof RuntimeError) throw e;
    throw new RuntimeError(`${def.name}: chisel error: ${e instanceof Error ? e.message : String(e)}`);
  };

  let first = true;
  let firstTs = 0n;
  let lastEv: EventView | undefined;
  let sawPassing = false;
  // the last event's timestamp, in an object's fields: V8 keeps a number beyond 30 bits that is stored in
  // a closure variable as an object of its own, so that was an allocation on most events (and a store of
  // a young object into an old closure, which calls the GC's write barrier); a field that starts wide
  // (WIDE) holds it in place
  const last = { hi: 0, lo: WIDE };
  let reset = false;
  /** the slot that runs: the one to name when a chisel fails */
  let current: Slot = slots[0]!;
  /** end() of every chisel not ended yet; `afterFailure`: not those that get no end() after a failure */
  const finish = (afterFailure = false): void => {
    if (o.resetColors && !reset) {
      reset = true;
      out.line('\x1b[00m');
    }
    const lastTs = (BigInt(last.hi) << 32n) | BigInt(last.lo);
    for (const sl of slots) {
      if (sl.finished || (afterFailure && sl.def.noEndAfterFailure === true)) continue;
      sl.finished = true;
      current = sl;
      sl.chisel.end?.(lastEv ? ctx : undefined, lastEv ? Number(lastTs / 1_000_000_000n) : 0, lastEv ? Number(lastTs - firstTs) : 0);
    }
  };

  /** the first event of the run starts its clock (end() gets last - first) */
  const start = (ev: EventView): void => {
    if (first) {
      first = false;
      firstTs = ev.ts;
    }
  };
  const deliver = (sl: Slot): void => {
    if (sl.own === undefined || sl.own(ctx) === true) {
      const r = sl.onEvent !== undefined ? sl.onEvent(ctx) : true;
      if (r !== false && sl.formatter !== undefined) sl.formatter.writeLine(engine, out);
    }
  };

  const limit = o.limit ?? 0;
  const duration = o.seconds !== undefined ? new DurationLimit(o.seconds) : undefined;
  const limited = limit !== 0 || duration !== undefined;
  let seen = 0;
  /** the events counted as -n counts them (for -v) */
  let passed = 0;
  let stopped = false;
  const ended = o.ended;
  const handler: BlockHandler = {
    header(b: HeaderBlock) {
      engine.header(b);
      for (const t of taps) t.header(b);
    },
    event(ev: EventView) {
      // (booleans and optional functions compared explicitly: a bare truth test compiles to V8's generic one)
      const verdict = stateless === true ? filterEventStateless(sctx, ev, userTest ?? keepAll) : filterEvent(engine, ev, userTest);
      if (verdict === FilterVerdict.Unknown) return true;
      // the events sysdig's loop gets from its inspector (passed, not state-only, not hidden) reach the
      // chisels, and -n and -M count them: -M stops before such an event, -n after the Nth
      let shown = counted(ev, verdict === FilterVerdict.Keep, engine.hidden);
      // -D: an internal event that failed the filter or is state-only still comes out of sinsp::next
      if (debug === true && shown === false && (engine.info.category & EC.INTERNAL) !== 0) shown = true;
      if (shown === true) passed++;
      const counts = limited === true && shown;
      if (counts === true && duration !== undefined && duration.reached(ev)) {
        stopped = true;
        return false;
      }
      for (let i = 0; i < taps.length; i++) taps[i]!.event(ev, engine);
      // (the container events that start a capture are consumed as sinsp opens it: no chisel sees them, nor
      // takes its first time from them)
      if (engine.openContainer === true) return true;
      lastEv = ev;
      last.hi = ev.tsHi;
      last.lo = ev.tsLo;
      try {
        if (one !== undefined) {
          // one chisel (most runs): its interval check, then the event
          if (one.timed === true || first === true) {
            start(ev);
            one.timeout(ev, sawPassing ? ctx : undefined);
          }
          if (shown === true) {
            sawPassing = true;
            deliver(one);
            if (ended?.() === true) stopped = true;
          }
        } else {
          // several: each in turn gets its interval check, then the event (sysdig's chisel run() order)
          start(ev);
          const c = sawPassing ? ctx : undefined;
          if (shown === true) sawPassing = true;
          for (const sl of slots) {
            current = sl;
            if (sl.timed === true || sl.first === true) sl.timeout(ev, c);
            if (shown === true) {
              deliver(sl);
              // sysdig.end_capture: the chisels after this one do not get the event
              if (ended?.() === true) {
                stopped = true;
                break;
              }
            }
          }
        }
      } catch (e) {
        fail(e, current.def);
      }
      if (stopped === true) return false;
      if (counts === true && limit !== 0 && ++seen >= limit) {
        stopped = true;
        return false;
      }
      return true;
    },
  };
  const closeTaps = async (): Promise<void> => {
    for (const t of taps) await t.close().catch(() => undefined);
  };
  try {
    for (const src of o.sources) {
      if (stopped) break;
      // -P, or by itself for a file read on a terminal, until the output starts
      const bar = progressFor(src, o.progress, isTerminal(1), out);
      try {
        const { chunks } = await openCapture(src, bar !== undefined ? (n) => bar.advance(n) : undefined);
        const suppress = o.suppress ?? [];
        await readBlocks(withBackpressure(chunks, out, taps), suppress.length === 0 ? handler : suppressing(handler, suppress, o.stats?.suppressed), {
          tableNparams: (t) => eventInfo(t)?.params.length ?? 0,
          name: typeof src === 'string' ? src : undefined,
        });
      } catch (e) {
        // a read error: the chisels end (once) before the error is reported
        if (!failed) {
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
    // what a tap holds from before the fault still goes to its file; the first error is the one reported
    await closeTaps();
    throw e;
  }
  if (o.stats !== undefined) o.stats.events = passed;
  try {
    finish();
  } catch (e) {
    await closeTaps();
    fail(e, current.def);
  }
  for (const t of taps) await t.close();
}

async function* withBackpressure(chunks: AsyncIterable<Buffer>, out: TextOut, taps: readonly EventTap[]): AsyncGenerator<Buffer> {
  for await (const c of chunks) {
    const d = out.drained();
    if (d) await d;
    for (const tap of taps) {
      const t = tap.ready();
      if (t) await t;
    }
    yield c;
  }
}
