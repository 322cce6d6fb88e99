// User chisels: ESM modules that export `info` and the lifecycle functions of lib/chisels/api.ts, loaded
// only from where the user points: a path given on the command line (anything with a "/" or ending in
// .js/.mjs), or NAME.js / NAME.mjs in a directory of TDIG_CHISEL_PATH (colon-separated). Built-in chisels
// take precedence over the directories of TDIG_CHISEL_PATH. Every failure of a user chisel becomes a one-line
// error that names it: a bad module or bad arguments exit 2, a throw in init or later exits 1.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RuntimeError, UsageError } from '../cli/errors.js';
import { resolveField } from '../fields/registry.js';
import type { StateEngine } from '../state/engine.js';
import { extend, formatBytes, formatTimeInterval, luaField, luaText } from './lua.js';
import type { LuaValue } from './lua.js';
import type { ChiselApi, ChiselEvent, ChiselInfo, ChiselModule, Field, FieldKind, FieldValue } from './api.js';
import { ChiselError } from './types.js';
import type { Chisel, ChiselArgInfo, ChiselDef } from './types.js';
import { usesNodeStdio, writeErr } from '../cli/stdio.js';

const NUMERIC = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'ERRNO', 'FD', 'PID', 'RELTIME', 'ABSTIME', 'DOUBLE', 'PORT', 'UID', 'GID']);

/** A path the user named, as opposed to a chisel name. */
export function isChiselPath(s: string): boolean {
  return s.includes('/') || /\.m?js$/.test(s);
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return (m.split('\n')[0] ?? '').trim() || (e instanceof Error ? e.name : 'error');
}

class FieldImpl<T extends FieldValue> implements Field<T> {
  declare readonly __value?: T;
  constructor(
    readonly name: string,
    readonly type: string,
    readonly kind: FieldKind,
    readonly read: (ctx: StateEngine) => T | undefined,
  ) {}
}

function asNumber(v: LuaValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

class EventImpl implements ChiselEvent {
  ctx: StateEngine | undefined;
  constructor(private readonly chisel: string) {}
  get<T extends FieldValue>(field: Field<T>): T | undefined {
    if (!(field instanceof FieldImpl)) throw new ChiselError(`${this.chisel}: evt.get() takes a field requested with api.field() in init`);
    if (!this.ctx) throw new ChiselError(`${this.chisel}: evt.get() called outside event() or interval()`);
    return (field as FieldImpl<T>).read(this.ctx);
  }
}

function fieldOf(chisel: string, name: string, want: FieldKind | 'any'): FieldImpl<FieldValue> {
  const r = typeof name === 'string' ? resolveField(name) : undefined;
  if (!r) throw new ChiselError(`${chisel}: chisel requesting nonexistent field ${String(name)}`);
  const type = r.def.type;
  const kind: FieldKind = type === 'BOOL' ? 'boolean' : NUMERIC.has(type) ? 'number' : 'string';
  const raw = luaField(name, chisel);
  if (want === 'string') return new FieldImpl(name, type, 'string', (c) => { const v = raw(c); return v === undefined ? undefined : luaText(v); });
  // a number may come from a text-typed field that holds numbers (evt.rawarg.res); only booleans are refused
  if ((want === 'number' && kind === 'boolean') || (want === 'boolean' && kind !== 'boolean')) throw new ChiselError(`${chisel}: field ${name} is ${type}, not a ${want}`);
  if (want === 'number' || kind === 'number') return new FieldImpl(name, type, 'number', (c) => asNumber(raw(c)));
  if (kind === 'boolean') return new FieldImpl(name, type, kind, (c) => { const v = raw(c); return v === undefined ? undefined : v === true || v === 1; });
  return new FieldImpl(name, type, kind, (c) => { const v = raw(c); return v === undefined ? undefined : typeof v === 'string' ? v : luaText(v); });
}

function call<T>(chisel: string, phase: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ChiselError || e instanceof UsageError || e instanceof RuntimeError) throw new RuntimeError(firstLine(e));
    throw new RuntimeError(`${chisel}: chisel error in ${phase}: ${firstLine(e)}`);
  }
}

/** A loaded module as a ChiselDef. */
function defOf(file: string, mod: Record<string, unknown>, kind: 'agg' | 'echo'): ChiselDef {
  const fallback = basename(file).replace(/\.m?js$/, '');
  const info = mod['info'] as ChiselInfo | undefined;
  if (typeof info !== 'object' || info === null) throw new UsageError(`${fallback}: ${file} is not a chisel (it exports no "info" object)`);
  const name = typeof info.name === 'string' && info.name !== '' ? info.name : fallback;
  for (const fn of ['init', 'event', 'interval', 'end']) {
    if (mod[fn] !== undefined && typeof mod[fn] !== 'function') throw new UsageError(`${name}: "${fn}" in ${file} is not a function`);
  }
  if (mod['event'] === undefined && mod['end'] === undefined) throw new UsageError(`${name}: ${file} is not a chisel (it exports neither event nor end)`);
  const m = mod as unknown as ChiselModule;
  if (info.args !== undefined && !Array.isArray(info.args)) throw new UsageError(`${name}: info.args must be an array`);
  const args: ChiselArgInfo[] = (info.args ?? []).map((a, i) => {
    if (typeof a?.name !== 'string') throw new UsageError(`${name}: info.args[${i}] has no name`);
    return { name: a.name, type: a.type ?? 'string', desc: a.desc ?? '', optional: a.optional === true };
  });
  return {
    name,
    category: info.category ?? 'User',
    shortDesc: info.shortDesc ?? '',
    desc: info.desc ?? info.shortDesc ?? '',
    args,
    kind: info.kind ?? kind,
    noEndAfterFailure: true,
    create(values, host): Chisel {
      const evt = new EventImpl(name);
      const c: Chisel = {};
      const argMap: Record<string, string | undefined> = {};
      args.forEach((a, i) => (argMap[a.name] = values[i]));
      const api: ChiselApi = {
        name,
        args: Object.freeze(argMap),
        argv: Object.freeze([...values]),
        json: host.json,
        field: (n) => fieldOf(name, n, 'any'),
        number: (n) => fieldOf(name, n, 'number') as Field<number>,
        string: (n) => fieldOf(name, n, 'string') as Field<string>,
        boolean: (n) => fieldOf(name, n, 'boolean') as Field<boolean>,
        setFilter(expr) {
          if (typeof expr !== 'string') throw new ChiselError(`${name}: setFilter() takes a filter expression`);
          c.filter = expr.trim() === '' ? undefined : expr;
        },
        setInterval(seconds) {
          if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds <= 0) throw new ChiselError(`${name}: setInterval() takes a whole number of seconds > 0`);
          c.intervalS = seconds;
        },
        print: (line) => host.print(String(line)),
        format: { bytes: formatBytes, time: formatTimeInterval, pad: extend },
      };
      if (m.init) {
        const r = call(name, 'init', () => m.init!(api)) as unknown;
        if (r && typeof (r as { then?: unknown }).then === 'function') throw new RuntimeError(`${name}: chisel error in init: init must not be async`);
      }
      if (m.event) {
        const ev = m.event.bind(m);
        c.event = (ctx) => {
          evt.ctx = ctx;
          call(name, 'event', () => ev(evt));
          evt.ctx = undefined;
          return false;
        };
      }
      if (m.interval) {
        const iv = m.interval.bind(m);
        c.interval = (ctx, tsS, delta) => {
          evt.ctx = ctx;
          call(name, 'interval', () => iv(tsS, delta, ctx ? evt : undefined));
          evt.ctx = undefined;
        };
      }
      if (m.end) {
        const en = m.end.bind(m);
        c.end = (_ctx, tsS, delta) => call(name, 'end', () => en(tsS, delta));
      }
      return c;
    },
  };
}

/**
 * import() of an ES module. A command started from its bundle (bin/launch.js) runs as a script compiled
 * by node:vm, where import() has no loader: the launcher then lends its own, under this symbol.
 */
function importModule(url: string): Promise<unknown> {
  const lent = (globalThis as Record<symbol, ((u: string) => Promise<unknown>) | undefined>)[Symbol.for('tdig.import')];
  return lent ? lent(url) : import(url);
}

/** how many times each chisel file was loaded */
const loads = new Map<string, number>();

async function importChisel(file: string, kind: 'agg' | 'echo'): Promise<ChiselDef> {
  // its code may print with console.log, through Node's own stdout
  usesNodeStdio();
  // a chisel named twice in one run (-c ./x.js -c ./x.js) gets a module of its own each time, so that what
  // it keeps at module level is its own (a module is loaded once per URL)
  const n = loads.get(file) ?? 0;
  loads.set(file, n + 1);
  let mod: Record<string, unknown>;
  try {
    mod = (await importModule(pathToFileURL(file).href + (n > 0 ? `?instance=${n}` : ''))) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`${basename(file).replace(/\.m?js$/, '')}: cannot load chisel ${file}: ${firstLine(e)}`);
  }
  return defOf(file, mod, kind);
}

/** The directories of TDIG_CHISEL_PATH, in order. */
export function chiselDirs(): string[] {
  return (process.env['TDIG_CHISEL_PATH'] ?? '').split(':').filter((d) => d !== '');
}

/** A user chisel by path, or by name from TDIG_CHISEL_PATH; undefined when a name is found nowhere. */
export async function loadUserChisel(spec: string, kind: 'agg' | 'echo'): Promise<ChiselDef | undefined> {
  if (isChiselPath(spec)) {
    const file = resolve(spec);
    if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${spec}: no such chisel file`);
    return importChisel(file, kind);
  }
  for (const dir of chiselDirs()) {
    for (const ext of ['.js', '.mjs']) {
      const file = resolve(dir, spec + ext);
      if (existsSync(file)) return importChisel(file, kind);
    }
  }
  return undefined;
}

/** Every chisel of the TDIG_CHISEL_PATH directories (for --list); a broken one is reported on stderr and left out. */
export async function pathChisels(kind: 'agg' | 'echo'): Promise<ChiselDef[]> {
  const out: ChiselDef[] = [];
  const seen = new Set<string>();
  for (const dir of chiselDirs()) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const n of names) {
      if (!/\.m?js$/.test(n)) continue;
      const base = n.replace(/\.m?js$/, '');
      if (seen.has(base)) continue;
      seen.add(base);
      try {
        out.push(await importChisel(join(dir, n), kind));
      } catch (e) {
        writeErr(`tdig: ${firstLine(e)}\n`);
      }
    }
  }
  return out;
}
