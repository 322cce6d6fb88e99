// `-l`: the field catalogue as sysdig -l prints it (libsinsp gen_filter.cpp as_string: a 30-column
// left block, descriptions word-wrapped at 120 columns).

import { FIELD_CLASSES } from '../fields/registry.js';

const LEFT = 30;
const WIDTH = 120;

function wrap(text: string): string {
  let out = '';
  let len = 0;
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const wl = word.length + 1;
    if (len + wl <= WIDTH - LEFT) len += wl;
    else {
      out += '\n' + ' '.repeat(LEFT);
      len = wl;
    }
    out += word + ' ';
  }
  return out;
}

export function listFields(verbose = false): string {
  let out = '';
  for (const c of FIELD_CLASSES) {
    out += '-------------------------------\n';
    out += 'Field Class:'.padEnd(LEFT) + c.name + (c.shortDesc ? ` (${c.shortDesc})` : '') + '\n';
    if (c.desc) out += 'Description:'.padEnd(LEFT) + wrap(c.desc) + '\n';
    out += '\n';
    for (const f of c.fields) {
      if (f.hidden) continue;
      if (f.name.length > LEFT) out += f.name + '\n' + ' '.repeat(LEFT);
      else out += f.name.padEnd(LEFT);
      const desc = (f.filterOnly ? '(FILTER ONLY) ' : '') + f.desc;
      out += wrap(verbose ? `(Type: ${f.type}) ${desc}` : desc) + '\n';
    }
    out += '\n';
  }
  return out;
}
