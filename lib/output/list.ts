// `-l`: the field catalogue as sysdig -l prints it (libsinsp gen_filter.cpp as_string: a 30-column
// left block, descriptions word-wrapped at 120 columns).
// `-L`: the event table as sysdig -L prints it.

import { FIELD_CLASSES } from '../fields/registry.js';
import { EC, EF, OLD_EVENT_MAX, oldEventInfo, PT_NAMES } from '../events/table.js';

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
      out += wrap(verbose ? `(Type: ${f.listType ?? f.type}) ${desc}` : desc) + '\n';
    }
    out += '\n';
  }
  return out;
}

/** `--list-markdown`: the same catalogue as Markdown tables (libsinsp fields_info.cpp list_fields_markdown). */
export function listFieldsMarkdown(): string {
  let out = '';
  for (const c of FIELD_CLASSES) {
    out += `\n## Field Class: ${c.name}\n\n${c.desc}\n\nName | Type | Description\n:----|:-----|:-----------\n`;
    for (const f of c.fields) if (!f.hidden) out += `\`${f.name}\` | ${f.listType ?? f.type} | ${f.desc}\n`;
  }
  return out;
}

/**
 * `-L`: the event table as sysdig 0.29.3's -L prints it (test/golden/fmt/events-L.txt): its events, without
 * the unused ones, the old versions and the internal category, one line each: direction, name, and the
 * parameters with their type names (DYNAMIC for DYN).
 */
export function listEvents(): string {
  let out = '';
  for (let id = 0; id < OLD_EVENT_MAX; id++) {
    const e = oldEventInfo(id);
    if (!e || (e.flags & (EF.UNUSED | EF.OLD_VERSION)) !== 0 || (e.category & EC.INTERNAL) !== 0) continue;
    const params = e.params.map((p) => `${PT_NAMES[p.type] === 'DYN' ? 'DYNAMIC' : PT_NAMES[p.type]} ${p.name}`);
    out += `${e.dir} ${e.name}(${params.join(', ')})\n`;
  }
  return out;
}
