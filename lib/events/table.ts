// Event table, flag tables and name tables, loaded once from formats/*.json (layout in formats/event-table.md).
// Ids < OLD_EVENT_MAX use the OLD (sysdig 0.29.3) table; higher ids use HEAD's.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../cli/root.js';

// ---------------------------------------------------------------------------
// Numeric constants (values checked against formats/event-table.json "enums" in the tests)

/** Event flags (EF_*). DROP_SIMPLE_CONS exists only in OLD, CONVERTER_MANAGED only in HEAD. */
export const enum EF {
  NONE = 0,
  CREATES_FD = 1,
  DESTROYS_FD = 2,
  USES_FD = 4,
  READS_FROM_FD = 8,
  WRITES_TO_FD = 16,
  MODIFIES_STATE = 32,
  UNUSED = 64,
  WAITS = 128,
  SKIPPARSERESET = 256,
  OLD_VERSION = 512,
  DROP_SIMPLE_CONS = 1024,
  LARGE_PAYLOAD = 2048,
  CONVERTER_MANAGED = 4096,
}

/** Event categories (EC_*). Low values are the syscall category; WAIT/SCHEDULER/INTERNAL and
 *  (HEAD only) SYSCALL/TRACEPOINT/PLUGIN/METAEVENT/ITER are OR-ed bits. */
export const enum EC {
  UNKNOWN = 0,
  OTHER = 1,
  FILE = 2,
  NET = 3,
  IPC = 4,
  MEMORY = 5,
  PROCESS = 6,
  SLEEP = 7,
  SYSTEM = 8,
  SIGNAL = 9,
  USER = 10,
  TIME = 11,
  PROCESSING = 12,
  IO_BASE = 32,
  IO_READ = 32,
  IO_WRITE = 33,
  IO_OTHER = 34,
  WAIT = 64,
  SCHEDULER = 128,
  INTERNAL = 256,
  SYSCALL = 512,
  TRACEPOINT = 1024,
  PLUGIN = 2048,
  METAEVENT = 4096,
  ITER = 8192,
}

/** Parameter types (PT_*). ENUMFLAGS8..PID32 exist only in HEAD. */
export const enum PT {
  NONE = 0,
  INT8 = 1,
  INT16 = 2,
  INT32 = 3,
  INT64 = 4,
  UINT8 = 5,
  UINT16 = 6,
  UINT32 = 7,
  UINT64 = 8,
  CHARBUF = 9,
  BYTEBUF = 10,
  ERRNO = 11,
  SOCKADDR = 12,
  SOCKTUPLE = 13,
  FD = 14,
  PID = 15,
  FDLIST = 16,
  FSPATH = 17,
  SYSCALLID = 18,
  SIGTYPE = 19,
  RELTIME = 20,
  ABSTIME = 21,
  PORT = 22,
  L4PROTO = 23,
  SOCKFAMILY = 24,
  BOOL = 25,
  IPV4ADDR = 26,
  DYN = 27,
  FLAGS8 = 28,
  FLAGS16 = 29,
  FLAGS32 = 30,
  UID = 31,
  GID = 32,
  DOUBLE = 33,
  SIGSET = 34,
  CHARBUFARRAY = 35,
  CHARBUF_PAIR_ARRAY = 36,
  IPV4NET = 37,
  IPV6ADDR = 38,
  IPV6NET = 39,
  IPADDR = 40,
  IPNET = 41,
  MODE = 42,
  FSRELPATH = 43,
  ENUMFLAGS8 = 44,
  ENUMFLAGS16 = 45,
  ENUMFLAGS32 = 46,
  FD32 = 47,
  PID32 = 48,
}

/** Print formats (PF_*). */
export const enum PF {
  NA = 0,
  DEC = 1,
  HEX = 2,
  '10_PADDED_DEC' = 3,
  ID = 4,
  DIR = 5,
  OCT = 6,
}

/** Syscall table flags (UF_*), OLD driver/syscall_table.c. */
export const UF = {
  NONE: 0,
  USED: 1,
  NEVER_DROP: 2,
  ALWAYS_DROP: 4,
  SIMPLEDRIVER_KEEP: 8,
  ATOMIC: 16,
  UNINTERESTING: 32,
} as const;

export const OLD_EVENT_MAX = 336;
/** Number of event types known (HEAD): valid ids are 0 .. EVENT_MAX-1. */
export const EVENT_MAX = 454;
/** OLD PPM_SC_MAX; 0.29.3 renders a SYSCALLID >= this as "<unknown syscall>". */
export const OLD_PPM_SC_MAX = 329;


// ---------------------------------------------------------------------------
// Public types

export type Revision = 'old' | 'head';

export interface ParamInfo {
  readonly name: string;
  /** PT_* value */
  readonly type: number;
  /** PF_* value */
  readonly fmt: number;
  /** flag table name (FLAGS*, ENUMFLAGS*, MODE), dirfd param index (FSRELPATH),
   *  dynamic table name (DYN), else null */
  readonly info: string | number | null;
}

export interface EventInfo {
  readonly id: number;
  readonly name: string;
  /** full EC_* bits */
  readonly category: number;
  /** EF_* bits */
  readonly flags: number;
  readonly params: readonly ParamInfo[];
  /** '>' for enter (even id), '<' for exit (odd id) */
  readonly dir: '>' | '<';
}

export interface DynParamInfo {
  /** PT_* value */
  readonly type: number;
  /** PF_* value */
  readonly fmt: number;
}

export interface SyscallX86_64 {
  /** native x86_64 syscall number */
  readonly nr: number;
  readonly name: string;
  /** enter event id (0 = generic) */
  readonly enter: number;
  /** exit event id (1 = generic) */
  readonly exit: number;
  /** PPM_SC code (0 = OLD has none) */
  readonly ppmSc: number;
  /** UF_* bits of the OLD syscall table entry */
  readonly flags: number;
}

// ---------------------------------------------------------------------------
// Raw JSON shapes

interface RawParam {
  name: string;
  type: string;
  fmt: string;
  info: string | number | null;
}
interface RawEvent {
  id: number;
  name: string;
  category: number;
  flags: number;
  params: RawParam[];
}
interface RawEnums {
  param_types: Record<string, number>;
  print_formats: Record<string, number>;
  categories: Record<string, number>;
  event_flags: Record<string, number>;
}
interface RawEventTable {
  enums: { old: RawEnums; head: RawEnums };
  old: RawEvent[];
  head: RawEvent[];
}
type RawFlagTables = Record<string, [string, number][]>;
interface RawDynEntry {
  name: string;
  type: string;
  fmt: string;
}
interface RawFlagsFile {
  old: RawFlagTables;
  head: RawFlagTables;
  dynamic: { old: Record<string, RawDynEntry[]>; head: Record<string, RawDynEntry[]> };
}
interface RawSyscallNames {
  old: string[];
  head: string[];
}
interface RawErrnoNames {
  names: Record<string, string>;
}
interface RawSyscallsFile {
  syscalls: { nr: number; name: string; enter: number; exit: number; ppm_sc: number; flags: number }[];
}

// ---------------------------------------------------------------------------
// Loading

function invert(o: Readonly<Record<string, number>>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (out[v] === undefined) out[v] = k;
  }
  return out;
}

const FORMATS_DIR = join(packageRoot(), 'formats');

function load<T>(file: string): T {
  return JSON.parse(readFileSync(join(FORMATS_DIR, file), 'utf8')) as T;
}

function typeValue(name: string): number {
  const v = PT_BY_NAME[name];
  if (v === undefined) throw new Error('tdig: unknown param type ' + name);
  return v;
}

function fmtValue(name: string): number {
  const v = PF_BY_NAME[name];
  if (v === undefined) throw new Error('tdig: unknown print format ' + name);
  return v;
}

function buildEvent(e: RawEvent): EventInfo {
  return Object.freeze({
    id: e.id,
    name: e.name,
    category: e.category,
    flags: e.flags,
    params: Object.freeze(e.params.map((p) => Object.freeze({ name: p.name, type: typeValue(p.type), fmt: fmtValue(p.fmt), info: p.info }))),
    dir: e.id % 2 === 0 ? '>' : '<',
  } satisfies EventInfo);
}

// The JSON is parsed at start (every command needs events), but each entry is built on its first use:
// building all ~800 at start cost a few ms of every run.
const rawTable = load<RawEventTable>('event-table.json');
/** The raw enum maps from the sources, per revision (names without prefix). */
export const SOURCE_ENUMS: Readonly<{ old: RawEnums; head: RawEnums }> = rawTable.enums;
/**
 * Parameter types and print formats by name, as the JSON's events name them: HEAD's enums hold every name
 * (PT and PF are const enums, with no object to look names up in; the tests check both against these).
 */
const PT_BY_NAME: Readonly<Record<string, number>> = rawTable.enums.head.param_types;
const PF_BY_NAME: Readonly<Record<string, number>> = rawTable.enums.head.print_formats;
/** PT_* name (without prefix) by value, e.g. PT_NAMES[14] === 'FD' (PT_MAX itself left out). */
export const PT_NAMES: readonly string[] = invert(PT_BY_NAME).slice(0, PT_BY_NAME['MAX']);
/** PF_* name (without prefix) by value. */
export const PF_NAMES: readonly string[] = invert(PF_BY_NAME);

/** Entries built so far, per revision (undefined: not built yet); filled (not holey) to keep lookups fast. */
const OLD_EVENTS: (EventInfo | undefined)[] = new Array<EventInfo | undefined>(rawTable.old.length).fill(undefined);
const HEAD_EVENTS: (EventInfo | undefined)[] = new Array<EventInfo | undefined>(rawTable.head.length).fill(undefined);
/** ids < OLD_EVENT_MAX from OLD, the rest from HEAD. */
const EVENTS: (EventInfo | undefined)[] = new Array<EventInfo | undefined>(rawTable.head.length).fill(undefined);

function built(cache: (EventInfo | undefined)[], raw: RawEvent[], id: number): EventInfo | undefined {
  if (!(id >= 0 && id < raw.length)) return undefined;
  let e = cache[id];
  if (e === undefined) cache[id] = e = buildEvent(raw[id]!);
  return e;
}

function loadEvent(id: number): EventInfo | undefined {
  const e = id < OLD_EVENTS.length ? built(OLD_EVENTS, rawTable.old, id) : built(HEAD_EVENTS, rawTable.head, id);
  if (e !== undefined && id < EVENTS.length) EVENTS[id] = e;
  return e;
}

function buildDyn(t: Record<string, RawDynEntry[]>): Map<string, readonly DynParamInfo[]> {
  const m = new Map<string, readonly DynParamInfo[]>();
  for (const [k, v] of Object.entries(t)) {
    m.set(k, Object.freeze(v.map((d) => Object.freeze({ type: typeValue(d.type), fmt: fmtValue(d.fmt) }))));
  }
  return m;
}

/** A file loaded on first use. */
function lazy<T>(make: () => T): () => T {
  let v: T | undefined;
  return () => (v === undefined ? (v = make()) : v);
}
const rawFlags = lazy(() => load<RawFlagsFile>('flags-table.json'));
const dyn = lazy(() => ({ old: buildDyn(rawFlags().dynamic.old), head: buildDyn(rawFlags().dynamic.head) }));
const rawNames = lazy(() => load<RawSyscallNames>('syscall-names.json'));
const errnoNames = lazy(() => {
  const names: (string | undefined)[] = [];
  for (const [k, v] of Object.entries(load<RawErrnoNames>('errno-names.json').names)) names[Number(k)] = v;
  return names;
});

let syscallsCache: readonly SyscallX86_64[] | undefined;
let typeNamesCache: Set<string> | undefined;

// ---------------------------------------------------------------------------
// API

/** Event info with 0.29.3 semantics: OLD entry for id < 336, HEAD entry otherwise. */
export function eventInfo(id: number): EventInfo | undefined {
  const e = EVENTS[id];
  return e !== undefined ? e : loadEvent(id);
}

/**
 * A parameter name's index in each event type's entry, looked up once per type: a field such as
 * evt.rawarg.res looks its parameter up on every event, and the scan of the entry's names cost more than
 * the rest of the field. `t`: per event id, the first parameter of that name (-1: none; -2: not looked up).
 */
export interface ParamIndex {
  readonly name: string;
  t: Int16Array | undefined;
}

const PARAM_INDEX = new Map<string, ParamIndex>();

let paramNames: string[] | undefined;

/**
 * The longest parameter name of sysdig 0.29.3's event table that `text` starts with, as libsinsp's
 * find_longest_matching_evt_param finds the parameter of evt.arg.NAME and evt.rawarg.NAME.
 */
export function longestParamPrefix(text: string): string | undefined {
  if (paramNames === undefined) {
    const names = new Set<string>();
    for (let id = 0; id < OLD_EVENT_MAX; id++) for (const p of eventInfo(id)?.params ?? []) names.add(p.name);
    paramNames = [...names].sort((a, b) => b.length - a.length);
  }
  return paramNames.find((n) => text.startsWith(n));
}

const firstParamTypes = new Map<string, number | undefined>();

/**
 * The type of the first parameter named `name` in sysdig 0.29.3's event table, by event id: the type
 * evt.rawarg.NAME gives every event's parameter of that name (libsinsp's check takes it from
 * find_longest_matching_evt_param, whatever the event's own parameter is).
 */
export function firstParamType(name: string): number | undefined {
  if (firstParamTypes.has(name)) return firstParamTypes.get(name);
  let type: number | undefined;
  for (let id = 0; id < OLD_EVENT_MAX && type === undefined; id++) {
    for (const p of eventInfo(id)?.params ?? []) {
      if (p.name === name) {
        type = p.type;
        break;
      }
    }
  }
  firstParamTypes.set(name, type);
  return type;
}

/** The ParamIndex of a parameter name (one per name: hold it, and look events up with paramIndexIn). */
export function paramIndexFor(name: string): ParamIndex {
  let p = PARAM_INDEX.get(name);
  if (p === undefined) PARAM_INDEX.set(name, (p = { name, t: undefined }));
  return p;
}

function scanParams(info: EventInfo, name: string): number {
  const ps = info.params;
  for (let i = 0; i < ps.length; i++) if (ps[i]!.name === name) return i;
  return -1;
}

/** The index of info's first parameter named p.name, or -1. */
export function paramIndexIn(info: EventInfo, p: ParamIndex): number {
  const id = info.id;
  // an entry that is not the table's own for its id (headEventInfo's of an old id) is scanned
  if (!(id >= 0 && id < EVENTS.length) || EVENTS[id] !== info) return scanParams(info, p.name);
  let t = p.t;
  if (t === undefined) p.t = t = new Int16Array(EVENTS.length).fill(-2);
  let i = t[id]!;
  if (i === -2) t[id] = i = scanParams(info, p.name);
  return i;
}

function rawEvent(id: number): RawEvent | undefined {
  const raw = id < OLD_EVENTS.length ? rawTable.old : rawTable.head;
  return id >= 0 && id < raw.length ? raw[id] : undefined;
}

/** eventInfo(id)?.name, without building the entry. */
export function eventName(id: number): string | undefined {
  return rawEvent(id)?.name;
}

/** The name of the first parameter of eventInfo(id), without building the entry. */
export function firstParamName(id: number): string | undefined {
  return rawEvent(id)?.params[0]?.name;
}

/** HEAD's entry for id. */
export function headEventInfo(id: number): EventInfo | undefined {
  return built(HEAD_EVENTS, rawTable.head, id);
}

/** OLD's entry for id (undefined for id >= 336). */
export function oldEventInfo(id: number): EventInfo | undefined {
  return built(OLD_EVENTS, rawTable.old, id);
}

/** True when the event's length array uses u32 entries (EF_LARGE_PAYLOAD). */
export function isLargePayload(id: number): boolean {
  const e = eventInfo(id);
  return e !== undefined && (e.flags & EF.LARGE_PAYLOAD) !== 0;
}

/**
 * A flag table as [name, value] pairs in table order. Without rev: OLD's table when OLD has it
 * (0.29.3 rendering), else HEAD's (tables only referenced by HEAD events).
 */
export function flagTable(name: string, rev?: Revision): readonly (readonly [string, number])[] | undefined {
  const t = rawFlags();
  if (rev !== undefined) return t[rev][name];
  return t.old[name] ?? t.head[name];
}

/** A dynamic param table (DYN params): entry index = selector byte. Same default as flagTable. */
export function dynamicTable(name: string, rev?: Revision): readonly DynParamInfo[] | undefined {
  const t = dyn();
  if (rev !== undefined) return t[rev].get(name);
  return t.old.get(name) ?? t.head.get(name);
}

/**
 * Lowercase syscall name for a PPM_SC code as 0.29.3 renders it (OLD g_syscall_info_table; code 0 is
 * "<unknown>"). Codes >= OLD_PPM_SC_MAX fall back to HEAD's name. undefined when neither has one.
 */
export function syscallName(ppmSc: number): string | undefined {
  const t = rawNames();
  const n = ppmSc < t.old.length ? t.old[ppmSc] : t.head[ppmSc];
  return n === undefined || n === '' ? undefined : n;
}

/** HEAD's name for a PPM_SC code (scap_get_ppm_sc_name), undefined when empty. */
export function headSyscallName(ppmSc: number): string | undefined {
  const n = rawNames().head[ppmSc];
  return n === undefined || n === '' ? undefined : n;
}

/**
 * errno name as OLD sinsp_utils::errno_to_str renders it (e.g. 2 or -2 -> "ENOENT").
 * undefined where OLD returns "".
 */
export function errnoName(n: number): string | undefined {
  return errnoNames()[n < 0 ? -n : n];
}

/** All event names (OLD and HEAD) plus all syscall names, for evt.type filter validation. */
export function eventTypeNames(): Set<string> {
  if (typeNamesCache === undefined) {
    const s = new Set<string>();
    for (const e of rawTable.old) s.add(e.name);
    for (const e of rawTable.head) s.add(e.name);
    for (const n of rawNames().old) if (n !== '' && n !== '<unknown>') s.add(n);
    for (const n of rawNames().head) if (n !== '') s.add(n);
    typeNamesCache = s;
  }
  return new Set(typeNamesCache);
}

/** x86_64 syscalls with the event pair the OLD driver emits for each (ordered by nr). */
export function syscallsX86_64(): readonly SyscallX86_64[] {
  if (syscallsCache === undefined) {
    const raw = load<RawSyscallsFile>('syscalls-x86_64.json');
    syscallsCache = Object.freeze(
      raw.syscalls.map((s) =>
        Object.freeze({ nr: s.nr, name: s.name, enter: s.enter, exit: s.exit, ppmSc: s.ppm_sc, flags: s.flags }),
      ),
    );
  }
  return syscallsCache;
}

let syscallCats: readonly number[] | undefined;

/** Category (EC_*) of a PPM_SC code as 0.29.3's syscall info table has it: generic events take it. */
export function syscallCategory(ppmSc: number): number {
  if (syscallCats === undefined) syscallCats = load<{ categories: number[] }>('syscall-categories.json').categories;
  return syscallCats[ppmSc] ?? EC.OTHER;
}
