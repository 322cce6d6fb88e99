// The one group-by / sum / top-N engine behind every table chisel: sysdig's table_generator.lua and
// common.lua's print_sorted_table (facts: scap-facts.md §5.1).
//
// - Keys are read in order; a nil key drops the event. The keys' Lua texts are joined with "\x01\x01".
// - The value must be a number > 0 and is summed per key (a non-number stops the chisel, as Lua would).
// - Rows sort by value, descending; at most `top` rows print (0 = all).
// - Ties: Lua's table.sort is unstable over hash order, so sysdig prints tied rows in no fixed order.
//   tdig orders tied rows by their joined key text, ascending (byte order), so output is deterministic.
// - Header: extend(valuedesc, 20) and extend(keydesc, 20) per key, then 80 dashes. Row: extend(value, 20),
//   the keys but the last as extend(first 20 chars, 20), the last key whole.

import type { StateEngine } from '../state/engine.js';
import { WIDE } from '../scap/event.js';
import { ChiselError } from './types.js';
import type { ChiselHost } from './types.js';
import { extend, formatBytes, formatTimeInterval, luaField, luaNum, luaText, cFixed } from './lua.js';
import type { LuaValue } from './lua.js';

export type Units = 'bytes' | 'none' | 'time' | 'timepct';

export interface TableSpec {
  keys: string[];
  keyDescs: string[];
  value: string;
  valueDesc: string;
  filter: string;
  top: number;
  units: Units;
}

const SEP = '\x01\x01';
const DASHES = '-'.repeat(80);

/** A key's running sum in TableGenerator's tree (wide: byte and nanosecond sums pass 2^31, see WIDE). */
export class Sum {
  v = WIDE;
  constructor(v: number) {
    this.v = v;
  }
}

/** One level of TableGenerator's tree: a key's text to the next level, or to the sum after the last key. */
type Level = Map<string, Level | Sum>;

export class TableGenerator {
  /** sums of addRaw, by joined key text */
  private rows = new Map<string, number>();
  /**
   * sums of add, by each key's text in turn: a key text read from state (an fd's name) keeps its hash,
   * where a joined text would be built and hashed again for every event
   */
  private tree: Level = new Map();
  /** add's key texts */
  private readonly texts: string[] = [];
  private readonly getKeys: ((ctx: StateEngine) => LuaValue)[];
  private readonly getValue: (ctx: StateEngine) => LuaValue;

  constructor(
    readonly spec: TableSpec,
    private readonly chisel: string,
    /** keys and values computed by the chisel (addRaw), not fields: httptop */
    computed = false,
  ) {
    if (spec.keys.length !== spec.keyDescs.length) {
      throw new ChiselError(`${chisel}: error: number of entries in keys different from number entries in keydescs`);
    }
    this.getKeys = spec.keys.map((k) => (computed ? () => undefined : luaField(k, chisel)));
    this.getValue = computed ? () => undefined : luaField(spec.value, chisel);
  }

  /** on_event */
  add(ctx: StateEngine): void {
    const keys = this.getKeys;
    const texts = this.texts;
    for (let i = 0; i < keys.length; i++) {
      const kv = keys[i]!(ctx);
      if (kv === undefined) return;
      texts[i] = typeof kv === 'string' ? kv : luaText(kv);
    }
    const v = this.getValue(ctx);
    if (v === undefined) return;
    if (typeof v !== 'number') throw new ChiselError(`${this.chisel}: attempt to compare number with ${typeof v === 'string' ? 'string' : 'boolean'}`);
    if (!(v > 0)) return;
    let level = this.tree;
    // (no keys: one row, keyed by the empty text)
    if (keys.length === 0) texts[0] = '';
    const last = Math.max(keys.length - 1, 0);
    for (let i = 0; i < last; i++) {
      let next = level.get(texts[i]!) as Level | undefined;
      if (next === undefined) level.set(texts[i]!, (next = new Map()));
      level = next;
    }
    const sum = level.get(texts[last]!) as Sum | undefined;
    if (sum !== undefined) sum.v += v;
    else level.set(texts[last]!, new Sum(v));
  }

  /** Add an already-computed value (topprocs_cpu sums without the > 0 test). */
  addRaw(key: string, v: number): void {
    this.rows.set(key, (this.rows.get(key) ?? 0) + v);
  }

  keyOf(ctx: StateEngine): string | undefined {
    let key = '';
    for (let i = 0; i < this.getKeys.length; i++) {
      const kv = this.getKeys[i]!(ctx);
      if (kv === undefined) return undefined;
      key = i === 0 ? luaText(kv) : key + SEP + luaText(kv);
    }
    return key;
  }

  /** The rows in print order: value descending, ties by key. */
  sorted(): [string, number][] {
    // by joined key text, as the Lua table is: keys whose texts hold the separator could join alike
    const sums = new Map(this.rows);
    const walk = (level: Level, prefix: string, depth: number): void => {
      for (const [k, next] of level) {
        const key = depth === 0 ? k : prefix + SEP + k;
        if (next instanceof Sum) sums.set(key, (sums.get(key) ?? 0) + next.v);
        else walk(next, key, depth + 1);
      }
    };
    walk(this.tree, '', 0);
    const all = [...sums];
    all.sort((a, b) => (b[1] !== a[1] ? b[1] - a[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return this.spec.top > 0 && all.length > this.spec.top ? all.slice(0, this.spec.top) : all;
  }

  clear(): void {
    this.rows = new Map();
    this.tree = new Map();
  }

  formatValue(v: number, deltaNs: number): string | undefined {
    switch (this.spec.units) {
      case 'bytes':
        return formatBytes(v);
      case 'time':
        return formatTimeInterval(v);
      case 'timepct':
        return deltaNs > 0 ? cFixed((v / deltaNs) * 100, 2) + '%' : '0.00%';
      case 'none':
        return luaNum(v);
      default:
        // print_sorted_table has no branch for other units: the row prints nothing
        return undefined;
    }
  }

  /** print_sorted_table */
  print(host: ChiselHost, tsS: number, deltaNs: number): void {
    const rows = this.sorted();
    if (host.json) {
      for (const [k, v] of rows) {
        const parts = k.split(SEP);
        const o: Record<string, string | number> = { ts: luaNum(tsS) + '000000000' };
        this.spec.keys.forEach((name, i) => (o[name] = parts[i] ?? ''));
        o[this.spec.value] = v;
        host.print(JSON.stringify(o));
      }
      return;
    }
    let header = extend(this.spec.valueDesc, 20);
    for (const d of this.spec.keyDescs) header += extend(d, 20);
    host.print(header);
    host.print(DASHES);
    for (const [k, v] of rows) {
      let keystr: string;
      if (this.getKeys.length === 1) keystr = k;
      else {
        const parts = k.split(SEP);
        keystr = '';
        for (let i = 0; i < parts.length; i++) keystr += i < parts.length - 1 ? extend(parts[i]!.slice(0, 20), 20) : parts[i];
      }
      const vt = this.formatValue(v, deltaNs);
      if (vt !== undefined) host.print(extend(vt, 20) + keystr);
    }
  }
}
