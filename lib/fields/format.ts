// Field values to text (sysdig's -p rendering) and to JSON values (sysdig -j).

import { printfFixed } from '../events/printf.js';
import { ipv4ToString, ipv6ToString } from '../events/render.js';
import type { FieldDef, FieldValue } from './types.js';

/** The text of a value, as sysdig prints it in -p output. */
export function valueText(def: FieldDef, v: Exclude<FieldValue, undefined>): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
    case 'bigint':
      return numberText(def, v);
    default:
      return bufferText(def, v);
  }
}

function numberText(def: FieldDef, v: number | bigint): string {
  switch (def.fmt) {
    case 'HEX':
      return v.toString(16).toUpperCase();
    case 'OCT':
      return v === 0 || v === 0n ? '0' : '0' + v.toString(8);
    case '10_PADDED_DEC':
      return v.toString().padStart(9, '0');
    default:
      if (def.type === 'BOOL') return v ? 'true' : 'false';
      if (def.type === 'DOUBLE') return printfFixed(Number(v), 1);
      return v.toString();
  }
}

function bufferText(def: FieldDef, b: Buffer): string {
  switch (def.type) {
    case 'IPV4ADDR':
    case 'IPV6ADDR':
    case 'IPADDR':
    case 'IPNET':
      return b.length === 4 ? ipv4ToString(b, 0) : b.length === 16 ? ipv6ToString(b, 0) : '';
    default: {
      // (printed as a C string, as libsinsp's rawval_to_string hands it over: up to the first NUL)
      const z = b.indexOf(0);
      return b.toString('latin1', 0, z < 0 ? b.length : z);
    }
  }
}

const NUMERIC = new Set([
  'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'RELTIME', 'ABSTIME',
  'ERRNO', 'FD', 'PID', 'PORT', 'DOUBLE', 'UID', 'GID', 'MODE', 'FLAGS32', 'SIGTYPE', 'SYSCALLID',
]);

/** The JSON text of a value (sysdig -j): numbers for numeric types, booleans, strings otherwise. */
export function valueJson(def: FieldDef, v: FieldValue): string {
  if (v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if ((typeof v === 'number' || typeof v === 'bigint') && NUMERIC.has(def.type)) return v.toString();
  return jsonString(valueText(def, v));
}

/** JSON string of latin1 text (bytes 0x80-0xff are written as the same code points). */
export function jsonString(s: string): string {
  return JSON.stringify(s);
}
