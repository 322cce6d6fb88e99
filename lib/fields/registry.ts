// The one field registry: every field class, looked up by name. Text, -p, JSON, filters and chisels
// all resolve fields here.

import { evtGeneralClass, evtSyscallClass, typeIsIds } from './evt.js';
import { processClass } from './proc.js';
import { groupClass, userClass } from './user.js';
import { fdClass } from './fd.js';
import { containerClass } from './container.js';
import { syslogClass } from './syslog.js';
import { fdlistClass } from './fdlist.js';
import { k8sClass, mesosClass } from './orchestrators.js';
import { evtinClass, spanClass } from './span.js';
import type { FieldArg, FieldClass, FieldDef } from './types.js';
import { firstParamType, paramIndexFor } from '../events/table.js';

/** The classes in the order `sysdig -l` lists them. */
export const FIELD_CLASSES: FieldClass[] = [
  evtGeneralClass,
  evtSyscallClass,
  processClass,
  userClass,
  groupClass,
  containerClass,
  fdClass,
  syslogClass,
  fdlistClass,
  k8sClass,
  mesosClass,
  spanClass,
  evtinClass,
];

const BY_NAME = new Map<string, FieldDef>();
for (const c of FIELD_CLASSES) for (const f of c.fields) if (!BY_NAME.has(f.name)) BY_NAME.set(f.name, f);

export function fieldByName(name: string): FieldDef | undefined {
  return BY_NAME.get(name);
}

export function allFields(): FieldDef[] {
  return [...BY_NAME.values()];
}

export interface ResolvedField {
  def: FieldDef;
  arg: FieldArg | undefined;
  /** the text as written, e.g. "evt.arg.fd" or "proc.aname[2]" */
  text: string;
}

/**
 * Resolve a field reference: `name`, `name[arg]`, or `name.arg` for fields that take a dotted
 * argument (evt.arg.NAME). Returns undefined when no field matches.
 */
export function resolveField(text: string): ResolvedField | undefined {
  const r = resolve(text);
  if (r === undefined || r.def.instance === undefined) return r;
  return { ...r, def: ownInstance(r.def) };
}

/** A field with its own extractor when its extraction keeps state per use (FieldDef.instance). */
export function ownInstance(def: FieldDef): FieldDef {
  return def.instance === undefined ? def : { ...def, extract: def.instance() };
}

function resolve(text: string): ResolvedField | undefined {
  const br = text.indexOf('[');
  if (br > 0 && text.endsWith(']')) {
    const def = BY_NAME.get(text.slice(0, br));
    if (!def || def.arg === undefined || def.arg === 'none' || def.dotArgNoIndex === true) return undefined;
    return { def, arg: parseArg(text.slice(br + 1, -1)), text };
  }
  const def = BY_NAME.get(text);
  if (def) {
    if (def.arg === 'required') return undefined;
    return { def, arg: undefined, text };
  }
  // dotted argument: the longest field name that is a prefix followed by '.'
  for (let i = text.lastIndexOf('.'); i > 0; i = text.lastIndexOf('.', i - 1)) {
    const d = BY_NAME.get(text.slice(0, i));
    const raw = text.slice(i + 1);
    if (d && d.dotArg && (d.dotArgNames === undefined || d.dotArgNames.includes(raw)) && (d.dotArgValid === undefined || d.dotArgValid(raw))) return { def: d, arg: parseArg(raw), text };
  }
  return undefined;
}

function parseArg(raw: string): FieldArg {
  return fieldArg(raw, /^-?\d+$/.test(raw));
}

/**
 * A field's argument, numeric (`[2]`) or a name, with what fields look up by it resolved here once rather
 * than per event: its parameter index, the type of the table's first parameter of that name, the event
 * types evt.type.is takes it for. Every argument has the same keys (one object shape for V8).
 */
export function fieldArg(raw: string, numeric: boolean): FieldArg {
  const name = numeric ? undefined : raw;
  return {
    index: numeric ? Number(raw) : undefined,
    name,
    raw,
    param: name !== undefined ? paramIndexFor(name) : undefined,
    paramType: name !== undefined ? firstParamType(name) : undefined,
    typeIs: typeIsIds(raw),
  };
}
