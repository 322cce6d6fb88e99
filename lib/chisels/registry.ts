// The chisel registry: every chisel tdig implements, looked up by name, and the texts of
// `sysdig -cl` (--list) and `sysdig -i NAME` (-i), laid out as sysdig.cpp lays them out.

import { TABLE_CHISELS } from './tables.js';
import { SERIES_CHISELS } from './series.js';
import { ECHO_CHISELS } from './echo.js';
import { LIST_CHISELS } from './lists.js';
import { SPECTRO_CHISELS } from './spectro.js';
import { HTTP_CHISELS } from './http.js';
import { THREAD_CHISELS } from './threads.js';
import { AROUND_CHISELS } from './around.js';
import { STATSD_CHISELS } from './statsd.js';
import type { ChiselDef, ChiselInfo } from './types.js';

export const CHISELS: ChiselDef[] = [...TABLE_CHISELS, ...SERIES_CHISELS, ...LIST_CHISELS, ...SPECTRO_CHISELS, ...HTTP_CHISELS, ...THREAD_CHISELS, ...ECHO_CHISELS, ...AROUND_CHISELS, ...STATSD_CHISELS];

const BY_NAME = new Map(CHISELS.map((c) => [c.name, c]));

export function chiselByName(name: string): ChiselDef | undefined {
  return BY_NAME.get(name);
}

/** console width and the column where descriptions start (sysdig.cpp) */
const LINE = 79;
const COL = 16;

function shortLine(c: ChiselInfo): string {
  let s = c.name;
  let n = c.name.length;
  if (n >= COL) {
    s += '\n';
    n = 0;
  }
  s += ' '.repeat(COL - n);
  const d = c.shortDesc;
  for (let i = 0; i < d.length; i++) {
    if (i % (LINE - COL) === 0 && i !== 0) s += '\n' + ' '.repeat(COL);
    s += d[i];
  }
  return s + '\n';
}

/** sysdig -cl: by category, then name; categories headed by "Category: X" and dashes. */
export function listText(chisels: ChiselInfo[], footer = true): string {
  const sorted = [...chisels].sort((a, b) => (a.category === b.category ? cmp(a.name, b.name) : cmp(a.category, b.category)));
  let out = '';
  let last: string | undefined;
  for (const c of sorted) {
    if (c.category !== last) {
      const h = `Category: ${c.category}`;
      out += `\n${h}\n${'-'.repeat(h.length)}\n`;
      last = c.category;
    }
    out += shortLine(c);
  }
  if (footer) out += '\nUse the -i flag to get detailed information about a specific chisel\n';
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** sysdig -i NAME */
export function infoText(c: ChiselInfo): string {
  let out = listText([c], false) + '\n';
  for (let i = 0; i < c.desc.length; i++) {
    if (i % LINE === 0 && i !== 0) out += '\n';
    out += c.desc[i];
  }
  out += '\n';
  let a = 'Args:\n';
  if (c.args.length) for (const g of c.args) a += `[${g.type}] ${g.name} - ${g.desc}\n`;
  else a += '(None)';
  let pos = 0;
  for (let i = 0; i < a.length; i++, pos++) {
    if (a[i] === '\n') pos = -1;
    else if (pos % (LINE - COL) === 0 && pos !== 0) out += '\n' + ' '.repeat(COL);
    out += a[i];
  }
  return out + '\n';
}
