// The shape of a field: name, type, description, and how it is extracted from an event and the state.
// One registry (lib/fields/registry.ts) holds them all; text, -p, JSON, filters and chisels use it.

import type { EventView } from '../scap/event.js';
import type { EventInfo, ParamIndex } from '../events/table.js';
import type { Fd, StateTables, Thread } from '../state/model.js';
import type { PartialTracer } from '../state/tracer.js';

/** A field's type, named as libsinsp names them (PT_*), which decides formatting and comparison. */
export type FieldType =
  | 'INT8' | 'INT16' | 'INT32' | 'INT64'
  | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64'
  | 'CHARBUF' | 'BYTEBUF' | 'FSPATH'
  | 'ERRNO' | 'FD' | 'PID'
  | 'BOOL' | 'DOUBLE'
  | 'RELTIME' | 'ABSTIME'
  | 'IPV4ADDR' | 'IPV6ADDR' | 'IPADDR' | 'IPNET' | 'IPV4NET' | 'IPV6NET'
  | 'PORT' | 'L4PROTO' | 'SOCKFAMILY' | 'MODE' | 'FLAGS32' | 'UID' | 'GID' | 'SYSCALLID' | 'SIGTYPE';

/** The types whose values are numbers: compared as numbers by filters, summed by chisels. */
export const NUMBER_TYPES: ReadonlySet<FieldType> = new Set<FieldType>([
  'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'ERRNO', 'FD', 'PID', 'DOUBLE',
  'RELTIME', 'ABSTIME', 'PORT', 'MODE', 'FLAGS32', 'UID', 'GID', 'SYSCALLID', 'SIGTYPE',
]);

/**
 * An extracted value. undefined = the field is missing for this event (sysdig's NULL: prints <NA>,
 * fails every filter comparison). Integers are numbers (exact below 2^53) or bigint when they may exceed it.
 * BOOL fields return booleans; IP fields return 4- or 16-byte Buffers in network order; BYTEBUF returns Buffer.
 */
export type FieldValue = string | number | bigint | boolean | Buffer | undefined;

/** Per-event view of everything an extractor may read. Built once per event by the state engine, reused. */
export interface Ctx {
  ev: EventView;
  /** table entry of the event type */
  info: EventInfo;
  /** thread of the event (may be a placeholder with comm "<NA>"), or undefined (e.g. no tid) */
  thread: Thread | undefined;
  /** the fd the event refers to (libsinsp's m_fdinfo), resolved by the state engine */
  fd: Fd | undefined;
  /** the fd number the event refers to (libsinsp's m_tinfo->m_lastevent_fd); -1 when none */
  fdNum: number;
  tables: StateTables;
  /** ts of the first event of the stream (for evt.reltime), exact */
  firstTs: bigint;
  /** buffer rendering mode chosen by -A/-x/-X/-b, for evt.buffer and BYTEBUF params */
  bufferFormat: BufferFormat;
  /** the cut of a BYTEBUF parameter's text in the normal format, '...' included (0: none) */
  maxBufLen: number;
  /** the thread of the fd's parent chain etc. can be looked up through tables.threads */
  /** Render param i as sysdig does: the plain text and the resolved text ('' when none). */
  paramText(i: number): ParamText;
  /** Index of the event's first parameter of p's name (paramIndexFor), or -1. */
  paramIndex(p: ParamIndex): number;
  /** libsinsp fdinfo_name_changed: this event changed the name of its fd (fd.name_changed) */
  fdNameChanged?: boolean;
  /**
   * The event's thread was found only after its parse: libsinsp's evt->m_tinfo stays null (the exit of
   * a clone child that the exit itself added, an event that skips the reset), while the thread fields
   * look the thread up again. The evt.latency fields read m_tinfo (filterchecks.cpp).
   */
  threadLate?: boolean;
  /** the open spans of sysdig's tracers (the state engine's; lib/state/tracer.ts), for evtin.* and span.* */
  tracers?: { readonly open: PartialTracer[] };
}

export interface ParamText {
  text: string;
  resolved: string;
}

export const enum BufferFormat {
  Normal = 0,
  Ascii = 1, // -A
  Hex = 2, // -x
  HexAscii = 3, // -X
  Base64 = 4, // -b
  Json = 5, // -j default (no 80-char cut)
}

/** A field argument as written: `proc.aname[2]` (index 2), `evt.arg.name` / `evt.arg[name]` (name "name"). */
export interface FieldArg {
  index?: number;
  name?: string;
  /** the raw text between [] or after the dot */
  raw: string;
  /** a named argument's parameter index (for fields that name an event parameter) */
  param?: ParamIndex;
  /** the type of the first event parameter of that name in the table (evt.rawarg.NAME reads it as that) */
  paramType?: number;
  /** the event type ids evt.type.is.NAME matches (typeIsIds) */
  typeIs?: readonly [number, number];
}

export interface FieldDef {
  /** full name, e.g. "proc.name" */
  name: string;
  type: FieldType;
  /** print format for integers: DEC (default), HEX, OCT, ID */
  fmt?: 'DEC' | 'HEX' | 'OCT' | 'ID' | '10_PADDED_DEC';
  desc: string;
  /** whether the field takes an argument: `proc.aname[N]`, `evt.arg.NAME` */
  arg?: 'none' | 'optional' | 'required';
  /** argument accepted as `.NAME` after the field name (evt.arg.NAME), besides `[...]` */
  dotArg?: boolean;
  /** only `.NAME`, never `[...]` (k8s.pod.label.NAME) */
  dotArgNoIndex?: boolean;
  /** in a -p format the dotted name runs to the end of the format (span.arg.NAME, as libsinsp parses it) */
  dotArgRest?: boolean;
  /** which dotted names it takes (evtin.span.arg.NAME: an event parameter's name); others are refused */
  dotArgValid?(raw: string): boolean;
  /** filter-only fields (fd.ip, fd.port...) are not printable in -p in sysdig */
  filterOnly?: boolean;
  /** hidden from -l */
  hidden?: boolean;
  /** the type -l -v and --list-markdown name when it is not `type` (evt.rawarg: DYNAMIC, its parameter's) */
  listType?: string;
  /**
   * Its extraction changes what later extractions give, as libsinsp's does: a value kept from the last
   * extraction (evt.deltatime, evt.latency.human, thread.exectime, thread.cpu) or the event's fd
   * (evt.abspath). A format holding one extracts its fields in their order, and a filter tests its checks
   * in the order written.
   */
  sideEffects?: boolean;
  /**
   * For a field whose extraction keeps a value from one event to the next (evt.deltatime,
   * evt.latency.human, thread.exectime, thread.totexectime, thread.cpu*): libsinsp keeps it in each use of
   * the field (each filtercheck), so each use gets its own extractor from this (resolveField, the
   * formatter, each value of an `in` list).
   */
  instance?(): (ctx: Ctx, arg: FieldArg | undefined) => FieldValue;
  /** the only dotted arguments it takes, matched as prefixes (evt.abspath.src / .dst); others are text */
  dotArgNames?: readonly string[];
  extract(ctx: Ctx, arg: FieldArg | undefined): FieldValue;
  /**
   * Filter-only matching over several values (libsinsp compare_ip / compare_port / compare_net and
   * compare_full_aname / compare_full_apid). When it returns an array, a comparison matches when ANY value
   * satisfies the operator; for `!=`, anyOfNe 'all' = every value differs (fd.ip, fd.port, fd.net...),
   * 'any' = the operator is applied per value (proc.aname / proc.apid). undefined = use `extract`.
   * The array may carry a `veto` value: when it compares true the comparison fails whatever the others
   * give (evtin.span.*: an enter tracer's own span, which libsinsp's scan meets first and rejects).
   */
  anyOf?(ctx: Ctx, arg: FieldArg | undefined): FieldValue[] | undefined;
  anyOfNe?: 'all' | 'any';
  /**
   * A filter-only field compared by its own rule instead of by value (evt.around): given the operator and
   * the literal (undefined when the right side is not one), the event test, or an error and the part of
   * the check it is about.
   */
  check?(op: string, value: string | undefined, arg: FieldArg | undefined): ((ctx: Ctx) => boolean) | { error: string; at: 'field' | 'op' | 'value' };
}

export interface FieldClass {
  /** "evt", "process", "fd", ... as `sysdig -l` names the class */
  name: string;
  /** the text after the class name in -l, e.g. "All event types" */
  shortDesc?: string;
  desc: string;
  fields: FieldDef[];
}

/** A field definition from its parts (the common shape of the field tables). */
export function fieldDef(
  name: string,
  type: FieldDef['type'],
  desc: string,
  extract: (ctx: Ctx, arg: FieldArg | undefined) => FieldValue,
  extra?: Partial<FieldDef>,
): FieldDef {
  return { name, type, desc, extract, ...extra };
}
