// The API of user chisels: what a chisel module exports and what tdig hands it. This file holds types
// only and imports nothing from tdig's internals, so it is the stable contract: a user imports it as
// `tdig/chisel` (package.json "exports"; JS chisels with JSDoc `import('tdig/chisel')`, TypeScript ones with
// `import type { ... } from 'tdig/chisel'`). man/tdig-chisels.7 documents it; examples/ holds a worked chisel.
//
// A chisel module (ESM) exports:
//   info                         its self-description (name, category, descriptions, arguments)
//   init(api)                    once, before any event: read api.args, request fields, set a filter/interval
//   event(evt)                   for each event that passes the user's filter and the chisel's own filter
//   interval(tsS, deltaNs, evt)  each time the event time enters a new interval (api.setInterval)
//   end(tsS, deltaNs)            once, at the end of the input
// A chisel that throws (in init or in any later call) stops the command with a one-line error naming it.

/** A value as a chisel sees it: numbers (64-bit integers as JS numbers), booleans, text; undefined when missing. */
export type FieldValue = string | number | boolean;

/** The JS type a field's values have. */
export type FieldKind = 'number' | 'string' | 'boolean';

/** A field the chisel requested in init; read it on an event with evt.get(field). */
export interface Field<T extends FieldValue = FieldValue> {
  /** the field as requested, e.g. "fd.rport" or "evt.arg[0]" */
  readonly name: string;
  /** the field's type, named as sysdig names it: UINT64, CHARBUF, PORT, IPADDR, BOOL, ... */
  readonly type: string;
  /** the JS type of its values */
  readonly kind: FieldKind;
  /** phantom member carrying T (never set) */
  readonly __value?: T;
}

/** One declared argument (sysdig's args table). */
export interface ChiselArg {
  name: string;
  /** shown by -i, as sysdig shows it: string, int, ipv4, port, ... (default "string") */
  type?: string;
  desc?: string;
  /** an optional argument may be left out; a required one must be given (default: required) */
  optional?: boolean;
}

/** The self-description every chisel exports as `info`. */
export interface ChiselInfo {
  /** default: the file name without .js/.mjs */
  name?: string;
  /** the --list heading (default "User") */
  category?: string;
  /** one line for --list */
  shortDesc?: string;
  /** the text -i prints */
  desc?: string;
  args?: ChiselArg[];
  /** the command that lists it: tdig-agg ("agg") or tdig-echo ("echo"); default: both (either runs it) */
  kind?: 'agg' | 'echo';
}

/** The current event, as handed to event() and interval(). Valid only during that call. */
export interface ChiselEvent {
  /** the value of a requested field on this event; undefined when the event does not have it */
  get<T extends FieldValue>(field: Field<T>): T | undefined;
}

/** Text helpers with sysdig's formats (chisels/common.lua). */
export interface ChiselFormat {
  /** 1234 -> "1.21KB", as sysdig's format_bytes */
  bytes(n: number): string;
  /** nanoseconds -> "1.23ms", as sysdig's format_time_interval */
  time(ns: number): string;
  /** pad to width n; a longer text is cut to n-1 characters and a space (extend_string) */
  pad(s: string, n: number): string;
}

/** What init() gets. */
export interface ChiselApi {
  /** the chisel's name (as used in error messages) */
  readonly name: string;
  /** the argument values by declared name; undefined for an optional argument left out */
  readonly args: Readonly<Record<string, string | undefined>>;
  /** the same values in declaration order */
  readonly argv: readonly (string | undefined)[];
  /** --json was given: print NDJSON rows instead of text */
  readonly json: boolean;
  /** request a field (throws if there is no such field); its values have the JS type of the field's type */
  field(name: string): Field;
  /** request a field read as a number (integers, ports, fds, times, evt.rawarg.*; undefined when the value is not numeric); throws for a boolean field */
  number(name: string): Field<number>;
  /** request any field and read it as text (numbers and booleans printed as sysdig's Lua chisels print them) */
  string(name: string): Field<string>;
  /** request a boolean field (evt.is_io, evt.failed, ...); throws otherwise */
  boolean(name: string): Field<boolean>;
  /** the chisel's own filter, in sysdig's filter language (applied after the user's) */
  setFilter(expr: string): void;
  /** call interval() every `seconds` seconds of event time */
  setInterval(seconds: number): void;
  /** print a line (a newline is added) */
  print(line: string): void;
  readonly format: ChiselFormat;
}

/** The shape of a chisel module, for `satisfies ChiselModule` or a JSDoc check. */
export interface ChiselModule {
  info: ChiselInfo;
  init?(api: ChiselApi): void;
  /** returning false is the same as returning nothing (there is no event formatter for user chisels) */
  event?(evt: ChiselEvent): boolean | void;
  /** tsS: the event time in seconds; deltaNs: ns since the previous interval (0 the first time) */
  interval?(tsS: number, deltaNs: number, evt: ChiselEvent | undefined): void;
  /** tsS: the time of the last event in seconds; deltaNs: last - first event time in ns */
  end?(tsS: number, deltaNs: number): void;
}
