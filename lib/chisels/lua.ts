// The number and string formatting the Lua chisels rely on, in TypeScript: LuaJIT's tostring of a
// number (%.14g), C printf %.Nf rounding, and common.lua's extend_string, format_bytes and
// format_time_interval (facts: scap-facts.md §5.1).

import { resolveField } from '../fields/registry.js';
import { valueText } from '../fields/format.js';
import type { Ctx, FieldDef, FieldValue } from '../fields/types.js';
import { ChiselError } from './types.js';

/** A value as a Lua chisel sees it from evt.field(): nil, number, string or boolean. */
export type LuaValue = string | number | boolean | undefined;

/**
 * LuaJIT's %.{digits}f: the exact decimal value of the double, a tie rounded away from zero (LuaJIT 2.1
 * formats numbers itself; format_bytes(1664) is "1.63KB" where glibc would print "1.62KB"). That is
 * what JS toFixed does.
 */
export function cFixed(x: number, digits: number): string {
  return x.toFixed(digits);
}

/** LuaJIT tostring(number): "%.14g" (plus inf/nan spelled as Lua does). */
export function luaNum(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e14) return String(n === 0 ? 0 : n);
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const e = n.toExponential(13);
  const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(e)!;
  const x = Number(m[2]);
  if (x < -4 || x >= 14) {
    let mant = m[1]!;
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    const ax = Math.abs(x);
    return `${mant}e${x < 0 ? '-' : '+'}${ax < 10 ? '0' : ''}${ax}`;
  }
  let f = cFixed(n, 13 - x);
  if (f.includes('.')) f = f.replace(/0+$/, '').replace(/\.$/, '');
  return f;
}

/** Lua's `..` and print() of a value. */
export function luaText(v: LuaValue): string {
  if (typeof v === 'number') return luaNum(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v ?? 'nil';
}

/**
 * A value as Lua's `..` takes it: strings and numbers (as tostring prints them); nil or a boolean fails with
 * Lua's message, naming the operand when `name` is given ("field 'container'", "local 's'").
 */
export function luaConcat(chisel: string, v: LuaValue, name?: string): string {
  if (v === undefined || typeof v === 'boolean') {
    const what = `a ${v === undefined ? 'nil' : 'boolean'} value`;
    throw new ChiselError(`${chisel}: attempt to concatenate ${name !== undefined ? `${name} (${what})` : what}`);
  }
  return typeof v === 'number' ? luaNum(v) : v;
}

const SPACES = ' '.repeat(200);

/** extend_string(s, n): pad to n; a string of n or more characters is cut to n-1 plus a space. */
export function extend(s: string, n: number): string {
  if (s.length < n) return s + SPACES.slice(0, n - s.length);
  return n > 0 ? s.slice(0, n - 1) + ' ' : '';
}

const K = 1024;

/** format_bytes: strict > comparisons; only kilobytes say KB. */
export function formatBytes(v: number): string {
  if (v > K * K * K * K * K) return cFixed(v / (K * K * K * K * K), 2) + 'P';
  if (v > K * K * K * K) return cFixed(v / (K * K * K * K), 2) + 'T';
  if (v > K * K * K) return cFixed(v / (K * K * K), 2) + 'G';
  if (v > K * K) return cFixed(v / (K * K), 2) + 'M';
  if (v > K) return cFixed(v / K, 2) + 'KB';
  return `${Math.trunc(v)}B`;
}

function u(x: number): string {
  return String(Math.trunc(x));
}
function u02(x: number): string {
  return u(x).padStart(2, '0');
}

/** format_time_interval: ns to s/ms/us/ns with two truncated decimals where Lua prints them. */
export function formatTimeInterval(v: number): string {
  if (v >= 1e9) return `${u(Math.floor(v / 1e9))}.${u02((v % 1e9) / 1e7)}s`;
  if (v >= 1e7) return `${u(Math.floor(v / 1e6))}ms`;
  if (v >= 1e6) return `${u(Math.floor(v / 1e6))}.${u02((v % 1e6) / 1e4)}ms`;
  if (v >= 1e4) return `${u(Math.floor(v / 1e3))}us`;
  if (v >= 1e3) return `${u(Math.floor(v / 1e3))}.${u02((v % 1e3) / 10)}us`;
  return `${u(v)}ns`;
}

const LUA_SPACE = '[\\t\\n\\v\\f\\r ]*';
const LUA_NUM = new RegExp(`^${LUA_SPACE}([-+]?)(?:(inf(?:inity)?|nan)|0[xX]([0-9a-fA-F]*)(?:\\.([0-9a-fA-F]*))?(?:[pP]([-+]?\\d+))?|0[bB]([01]+)|((?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?))${LUA_SPACE}$`, 'i');

/**
 * LuaJIT tonumber of a string (lj_strscan): spaces around, one sign, then decimal (1, 1., .5, 1e3), hex with an
 * optional fraction and binary exponent (0x10, 0x1.8p1), binary (0b11), or inf, infinity, nan in any case;
 * undefined for anything else.
 */
export function luaToNumber(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const m = LUA_NUM.exec(s);
  if (!m) return undefined;
  const [, sign, word, hexInt, hexFrac, hexExp, bin, dec] = m;
  let v: number;
  if (word !== undefined) v = word.toLowerCase() === 'nan' ? NaN : Infinity;
  else if (dec !== undefined) v = Number(dec);
  else if (bin !== undefined) v = Number(BigInt('0b' + bin));
  else {
    const digits = (hexInt ?? '') + (hexFrac ?? '');
    if (digits === '') return undefined;
    const mant = Number(BigInt('0x' + digits));
    v = mant === 0 ? 0 : mant * 2 ** (Number(hexExp ?? 0) - 4 * (hexFrac ?? '').length);
  }
  return sign === '-' ? -v : v;
}

/** Lua's a % b on numbers: a - floor(a/b)*b (not JS's remainder: the sign follows b, and rounding differs). */
export function luaMod(a: number, b: number): number {
  return a - Math.floor(a / b) * b;
}

const TWO_63 = 2 ** 63;

/**
 * C's (uint64_t) of a Lua number, as gcc compiles it for x86-64 (what sysdig does with chisel.set_interval_ns's
 * argument): truncation toward zero; a negative value wraps modulo 2^64; 2^64 and above, or infinity, give 0;
 * NaN and values below -2^63 give 2^63.
 */
export function cUint64(x: number): bigint {
  if (Number.isNaN(x) || x < -TWO_63) return 1n << 63n;
  if (x >= 2 * TWO_63) return 0n;
  const t = BigInt(Math.trunc(x));
  return t < 0n ? t + (1n << 64n) : t;
}

const IP_TYPES = new Set(['IPV4ADDR', 'IPV6ADDR', 'IPADDR', 'IPNET']);

function toLua(def: FieldDef, v: FieldValue): LuaValue {
  switch (typeof v) {
    case 'undefined':
    case 'string':
    case 'number':
      if (typeof v === 'number' && def.type === 'BOOL') return v !== 0;
      return v;
    case 'bigint':
      return Number(v);
    case 'boolean':
      return v;
    default:
      return IP_TYPES.has(def.type) ? valueText(def, v) : v.toString('latin1');
  }
}

/** chisel.request_field(name): a getter of the field's Lua value on the current event. */
export function luaField(name: string, chisel: string): (ctx: Ctx) => LuaValue {
  const r = resolveField(name);
  if (!r) throw new ChiselError(`${chisel}: chisel requesting nonexistent field ${name}`);
  const { def, arg } = r;
  return (ctx) => toLua(def, def.extract(ctx, arg));
}
