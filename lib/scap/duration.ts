// sysdig's -M SECONDS when reading a capture (sysdig.cpp do_inspect): the first event the loop counts starts
// the clock, and the loop stops, before that event, at the first counted event whose timestamp minus the
// start is SECONDS or more. The difference is unsigned there: an event older than the first one (another
// CPU's, a few µs earlier) stops the loop as well. A start of 0 counts as none yet.

import { DF_STATE_ONLY } from './blocks.js';
import type { EventView } from './event.js';

/**
 * Whether sysdig's event loop counts `ev` for -n and -M: an event its inspector hands out, which is one the
 * filter kept (`kept`), not a state-only event, and not hidden (a tracer's write, shown only as its tracer).
 */
export function counted(ev: EventView, kept: boolean, hidden: boolean): boolean {
  return kept === true && (ev.flags & DF_STATE_ONLY) === 0 && hidden === false;
}

export class DurationLimit {
  private startHi = 0;
  private startLo = 0;
  private readonly ns: number;

  constructor(seconds: number) {
    this.ns = seconds * 1e9;
  }

  /** Whether the loop stops at `ev`, a counted event (the first one only starts the clock). */
  reached(ev: EventView): boolean {
    if (this.startHi === 0 && this.startLo === 0) {
      this.startHi = ev.tsHi;
      this.startLo = ev.tsLo;
      return false;
    }
    // exact while the two are less than 2^53 ns (104 days) apart
    const d = (ev.tsHi - this.startHi) * 4294967296 + (ev.tsLo - this.startLo);
    return d < 0 || d >= this.ns;
  }
}

/** -M's value: sysdig takes atoi of it and refuses 0 or less. */
export function parseDuration(v: string): number | undefined {
  return /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined;
}
