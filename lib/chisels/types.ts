// A chisel describes itself (name, category, descriptions, typed arguments) and has a lifecycle:
// create(args) = init, event(ctx) for each event that passes its filter, interval(ctx) when the event
// time enters a new interval, end() when the input is exhausted. lib/chisels/run.ts drives it the way
// sysdig 0.29.3 drives a Lua chisel (chisel.cpp: run, do_timeout, on_capture_end).

import type { StateEngine } from '../state/engine.js';
import type { BufferFormat } from '../fields/types.js';
import type { EventView } from '../scap/event.js';
import type { HeaderBlock } from '../scap/reader.js';

export interface ChiselArgInfo {
  name: string;
  /** as sysdig prints it in -i: string, int, ipv4, ... */
  type: string;
  desc: string;
  optional: boolean;
}

export interface ChiselInfo {
  name: string;
  category: string;
  shortDesc: string;
  desc: string;
  args: ChiselArgInfo[];
}

/** What a running chisel may use besides the event. */
export interface ChiselHost {
  /**
   * sysdig.end_capture: the capture ends right after this chisel's event(); the chisels after it in the run
   * do not get that event, and then every chisel ends
   */
  endCapture?(): void;
  /** Lua print: the text and a newline */
  print(s: string): void;
  /** Lua io.write: the text as is */
  write(s: string): void;
  /** sysdig.is_tty and get_terminal_info: stdout's terminal size; undefined when stdout is not a terminal */
  terminal?: { width: number; height: number };
  /** --json: tables as NDJSON rows */
  json: boolean;
  /** --interval: print the table chisels every interval, as sysdig does live */
  live: boolean;
  /** the buffer format the user chose (-A/-x/-X/-b), Normal when none */
  userBufferFormat: BufferFormat;
  /** sysdig -pc: the chisels that have container columns print them; the others print what they print without it, as in sysdig */
  printContainer: boolean;
  /** sysdig.get_filter(): the user's filter expression, when one was given */
  filter?: string;
  /** the input files (not stdin), so that a chisel never writes over one */
  inputs?: string[];
}

/**
 * What a chisel that writes the stream itself (around, spy_logs' dump) sees: every header block and every
 * event of a known type, in input order, whatever the filters say. event() runs before the chisel's own
 * event() for the same event.
 */
export interface EventTap {
  header(block: HeaderBlock): void;
  event(ev: EventView, ctx: StateEngine): void;
  /** resolves when the tap can take more input (backpressure from its file) */
  ready(): Promise<void> | undefined;
  /** at the end of the input (or after a failure): write what is pending and close */
  close(): Promise<void>;
}

export interface Chisel {
  /** the chisel's own filter (chisel.set_filter) */
  filter?: string;
  /**
   * Every field event() and interval() read, when the chisel can say: if none of them, nor the filters,
   * needs the thread and fd tables, the runner skips the state engine (the same events reach the chisel).
   */
  fields?: readonly string[];
  /** chisel.set_interval_s, in seconds */
  intervalS?: number;
  /** chisel.set_interval_ns, as the uint64 sysdig keeps (0: none); takes the place of intervalS */
  intervalNs?: bigint;
  /** chisel.set_event_formatter: printed after event() for every event it accepts */
  formatter?: string;
  /** sysdig.set_output_format: the buffer format, unless the user chose one */
  bufferFormat?: BufferFormat;
  /** on_event; returning false skips the formatter */
  event?(ctx: StateEngine): boolean | void;
  /** on_interval: ctx (undefined before any event passed the user's filter, as in sysdig) is on the event that opened the new interval; delta = ns since the last call (0 the first time) */
  interval?(ctx: StateEngine | undefined, tsS: number, deltaNs: number): void;
  /** on_capture_end: ts of the last event, delta = last - first event ts in ns */
  end?(ctx: StateEngine | undefined, tsS: number, deltaNs: number): void;
  /** sees the whole stream (see EventTap); closed after end() */
  tap?: EventTap;
}

export interface ChiselDef extends ChiselInfo {
  /** tdig-agg (tables, time series, lists) or tdig-echo (payloads and logs) */
  kind: 'agg' | 'echo';
  /** not listed by --list (sysdig's hidden chisels, e.g. table_generator) */
  hidden?: boolean;
  /** a failure in event() or interval() stops the chisel without its end() (user chisels: man tdig-chisels(7));
   *  sysdig's chisels get end() after a failure, as sysdig calls on_capture_end after a chisel error */
  noEndAfterFailure?: boolean;
  /** on_set_arg + on_init. args has one value per declared argument (undefined when an optional one is missing). */
  create(args: (string | undefined)[], host: ChiselHost): Chisel;
}

/** A chisel failure: the command stops with the chisel's name in the message (exit 1). */
export class ChiselError extends Error {
  override name = 'ChiselError';
}
