// What a filtering writer (tdig-filter, tdig-capture FILTER) does with each event of a stream, in order:
// write it, write it as a state-only event (hidden, but it keeps the thread and fd tables of a reader
// right), or leave it out.

import { EF } from '../events/table.js';
import type { EventView } from '../scap/event.js';
import type { StateEngine } from '../state/engine.js';
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
