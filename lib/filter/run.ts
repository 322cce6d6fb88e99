// Where a filter runs in the event loop, as sysdig 0.29.3 does it (sinsp_parser::process_event):
// every event gets the per-event reset; an event with EF_MODIFIES_STATE is then parsed and filtered
// afterwards; any other event is filtered BEFORE it is parsed, and one that fails is not parsed at all
// and leaves its thread's last event type at PPM_EVENT_MAX, so the next exit does not pair with it.
// A write exit gets the fd of its thread's last enter before filtering, even unpaired (sysdig checks
// whether it writes to a tracer fd there): StateEngine.begin does that when told the event is filtered.

import { EF, eventInfo, paramIndexIn, type EventInfo, type ParamIndex } from '../events/table.js';
import type { EventView } from '../scap/event.js';
import type { StateEngine } from '../state/engine.js';
import { BufferFormat, type Ctx, type ParamText } from '../fields/types.js';
import { FDF_TRACER_FD, FDF_TRACER_FILE, StateTables } from '../state/model.js';
import { DF_TRACER } from '../scap/blocks.js';

export const enum FilterVerdict {
  /** the event type is unknown: the engine skipped it */
  Unknown = -1,
  Drop = 0,
  Keep = 1,
}

/**
 * A write exit that may be a tracer is parsed before the filter, as a state change (sinsp_parser::
 * process_event): its fd may carry tracers, or (without its fd) it carries sysdig's tracer dump flag.
 */
function tracerCandidate(engine: StateEngine, ev: EventView): boolean {
  const f = engine.fd;
  if (f !== undefined && (f.flags & (FDF_TRACER_FD | FDF_TRACER_FILE)) !== 0) return (engine.tracerCandidate = engine.tracerTouched = true);
  if ((ev.flags & DF_TRACER) === 0) return false;
  engine.fd = undefined;
  return (engine.tracerCandidate = engine.tracerTouched = true);
}

const WRITE_X = 9;

/** sched_switch (v6) leaves the thread's last event type alone */
const SCHEDSWITCH_6_E = 152;
/** no exit type is PPM_EVENT_MAX + 1 */
const NO_EVENT_TYPE = 0xffff;

/**
 * Run one event through the engine with a filter. Returns Keep or Drop (Unknown for types the engine
 * does not know). After Keep, and after Drop of an EF_MODIFIES_STATE event, the event was parsed.
 */
export function filterEvent(engine: StateEngine, ev: EventView, test: ((ctx: StateEngine) => boolean) | undefined): FilterVerdict {
  const info = engine.begin(ev, test !== undefined);
  if (info === undefined) return FilterVerdict.Unknown;
  if (test === undefined) {
    engine.finish(ev, info);
    return FilterVerdict.Keep;
  }
  if ((info.flags & EF.MODIFIES_STATE) !== 0 || (ev.type === WRITE_X && tracerCandidate(engine, ev))) {
    // parsed before the filter; a dropped event skips the exit cleanup, as in sinsp::next
    engine.finish(ev, info, false);
    // (a container event that starts the capture goes through the filter, whose fields keep state, but is
    // then consumed: sinsp::open runs it through next() itself)
    if (test(engine) !== true || engine.openContainer === true) return FilterVerdict.Drop;
    // (the verdict replaces a cut tracer's hiding: libsinsp sets m_filtered_out from the filter here)
    engine.hidden = false;
    if ((ev.flags & 1) === 0) engine.cleanup(ev);
    return FilterVerdict.Keep;
  }
  // (the thread fields find an event's thread even when the reset left it none: libsinsp's get_thread_info)
  if (engine.thread === undefined) engine.threadLater(ev);
  // (a call's result compared explicitly: a bare truth test of it compiles to V8's generic one)
  if (test(engine) === true) {
    engine.finish(ev, info);
    return FilterVerdict.Keep;
  }
  const t = engine.thread;
  if (t !== undefined && (info.flags & EF.SKIPPARSERESET) === 0 && ev.type !== SCHEDSWITCH_6_E) t.lastEventType = NO_EVENT_TYPE;
  return FilterVerdict.Drop;
}

/**
 * The context of a stateless filter (CompiledFilter.stateless): the event and its table entry only.
 * Fields that need threads or fds are never compiled into such a filter.
 */
export class StatelessCtx implements Ctx {
  ev!: EventView;
  info!: EventInfo;
  thread = undefined;
  fd = undefined;
  fdNum = -1;
  tables = new StateTables();
  firstTs = 0n;
  bufferFormat = BufferFormat.Normal;
  maxBufLen = 0;
  paramText(): ParamText {
    return { text: '', resolved: '' };
  }
  paramIndex(p: ParamIndex): number {
    const i = paramIndexIn(this.info, p);
    return i < this.ev.nparams ? i : -1;
  }
}

/**
 * filterEvent for a stateless filter, without the state engine: the same verdicts, since where the
 * filter runs (before or after parsing) cannot change what it reads. For writers that need no fields.
 */
export function filterEventStateless(ctx: StatelessCtx, ev: EventView, test: (ctx: Ctx) => boolean): FilterVerdict {
  const info = eventInfo(ev.type);
  if (!info) return FilterVerdict.Unknown;
  ctx.ev = ev;
  ctx.info = info;
  return test(ctx) ? FilterVerdict.Keep : FilterVerdict.Drop;
}
