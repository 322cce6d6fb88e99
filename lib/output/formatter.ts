// sysdig's output formats: "%field" tokens with optional widths and a leading "*"
// (libsinsp eventformatter.cpp). Renders one event to a line of text or to a JSON object.

import { UsageError } from '../cli/errors.js';
import { allFields, fieldArg, ownInstance } from '../fields/registry.js';
import { valueJson, valueText } from '../fields/format.js';
import { BufferFormat } from '../fields/types.js';
import type { Ctx, FieldArg, FieldDef, FieldValue } from '../fields/types.js';
import { longestParamPrefix, paramIndexFor, PT } from '../events/table.js';
import { DOT_BYTES } from '../events/render.js';
import type { TextOut } from './writer.js';

export const DEFAULT_FORMAT = '*%evt.num %evt.outputtime %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.info';

interface Token {
  /** raw text, or undefined for a field */
  text?: string;
  def?: FieldDef;
  arg?: FieldArg;
  name?: string;
  width: number;
}

const NAMES_BY_LENGTH = allFields()
  .map((f) => f.name)
  .sort((a, b) => b.length - a.length);

/** Fields whose JSON value is the raw timestamp (sysdig -j; sinsp_filter_check_gen_event::extract_as_js). */
const JSON_TS_FIELDS = new Set(['evt.time', 'evt.outputtime', 'evt.datetime', 'evt.time.s', 'evt.time.iso8601', 'evt.datetime.s']);
/** the data parameter, looked up by name once per event type */
const DATA = paramIndexFor('data');

export class Formatter {
  readonly requireAll: boolean;
  private readonly tokens: Token[] = [];
  private readonly jsonFields: Token[];
  /** per-token values of the event being formatted */
  private readonly values: Exclude<FieldValue, undefined>[] = [];
  /** the field tokens in the order textAll extracts them: the last one found missing goes first */
  private order: number[] | undefined;
  /** no field of the format has side effects: textAll may reorder, json() may take each name once */
  private readonly orderFree: boolean;
  /** the format is "%evt.arg.data" alone (echo_fds): writeLine copies the bytes */
  private readonly dataOnly: boolean;

  constructor(format: string) {
    let f = format;
    this.requireAll = true;
    if (f.startsWith('*')) {
      this.requireAll = false;
      f = f.slice(1);
    }
    let lit = '';
    for (let j = 0; j < f.length; j++) {
      if (f[j] !== '%') {
        lit += f[j];
        continue;
      }
      if (lit) this.tokens.push({ text: lit, width: 0 });
      lit = '';
      if (j === f.length - 1) throw new UsageError('invalid formatting syntax: formatting cannot end with a %');
      let width = 0;
      while (j + 1 < f.length && f[j + 1]! >= '0' && f[j + 1]! <= '9') {
        width = width * 10 + Number(f[j + 1]);
        j++;
      }
      const rest = f.slice(j + 1);
      const name = NAMES_BY_LENGTH.find((n) => rest.startsWith(n));
      if (!name) throw new UsageError(`invalid formatting token ${rest}`);
      const def = ownInstance(allFields().find((d) => d.name === name)!);
      // (sinsp_filter_check::parse_field_name refuses a filter-only field in a format, naming the rest of the
      // format from it; evt.around's own parser never gets there, and prints nothing)
      if (def.filterOnly === true && name !== 'evt.around') throw new UsageError(`${rest} is filter only and cannot be used as a display field`);
      let used = name.length;
      let arg: FieldArg | undefined;
      if (name === 'evt.type.is') {
        // sysdig prints no value for it (a number printed as PF_NA: <NA>), takes only .NAME, and takes the
        // name only where it ends the format (the rest of the format is the name it looks up): elsewhere the
        // field consumes nothing and its name stays as text (sinsp_filter_check_event::extract_type)
        if (rest[used] !== '.') throw new UsageError(`filter syntax error: ${rest}`);
        if (def.dotArgValid!(rest.slice(used + 1))) used = rest.length;
        else used = 0;
        this.tokens.push({ def: { ...def, extract: () => undefined }, name: rest.slice(0, used), width });
        j += used;
        continue;
      }
      // (a field that takes no argument leaves a [...] after it as text, as sysdig's parser does)
      if (rest[used] === '[' && def.dotArgNoIndex !== true && def.arg !== undefined && def.arg !== 'none') {
        const close = rest.indexOf(']', used);
        if (close < 0) throw new UsageError(`invalid formatting token ${rest}`);
        const raw = rest.slice(used + 1, close);
        arg = fieldArg(raw, /^-?\d+$/.test(raw));
        used = close + 1;
      } else if (def.dotArg && rest[used] === '.') {
        const after = rest.slice(used + 1);
        // (a field with its own dotted names takes the one the text starts with; the rest is text)
        const param = name === 'evt.arg' || name === 'evt.rawarg';
        // (evt.arg.NAME takes the longest parameter name the rest starts with, whatever follows it)
        const m =
          def.dotArgNames !== undefined
            ? def.dotArgNames.filter((n) => after.startsWith(n)).map((n) => [n] as const)[0]
            : def.dotArgRest === true && after !== ''
              ? ([after] as const)
              : param
                ? ([longestParamPrefix(after) ?? after] as const)
                : /^[A-Za-z0-9_]+/.exec(after);
        if (m && def.dotArgValid !== undefined && !def.dotArgValid(m[0])) throw new UsageError(`unknown event argument ${after}`);
        if (m) {
          arg = fieldArg(m[0], /^\d+$/.test(m[0]));
          used += 1 + m[0].length;
        }
      }
      if (def.arg === 'required' && !arg) throw new UsageError(`invalid formatting token ${rest}: ${name} needs an argument`);
      // proc.aname and proc.apid without [N] take their name only at the end of the format; elsewhere their
      // parser consumes nothing (sinsp_filter_check_thread::parse_field_name), so the name stays as text
      // after the value, and the token's name, -j's key, is empty
      if (arg === undefined && (name === 'proc.aname' || name === 'proc.apid') && rest.length !== used) used = 0;
      this.tokens.push({ def, arg, name: rest.slice(0, used), width });
      j += used;
    }
    if (lit) this.tokens.push({ text: lit, width: 0 });
    this.orderFree = !this.tokens.some((t) => t.def?.sideEffects === true);
    const t0 = this.tokens[0];
    this.dataOnly = this.requireAll && this.tokens.length === 1 && t0!.def?.name === 'evt.arg' && t0!.arg?.name === 'data' && t0!.width === 0;
    this.jsonFields = this.tokens.filter((t) => t.def).sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
  }

  /**
   * Writes the line for this event and its newline to `out`; false when a required field is missing (then
   * nothing is written). A data buffer in the normal format, uncut, goes into `out` byte by byte, as the
   * text would.
   */
  writeLine(ctx: Ctx, out: TextOut): boolean {
    if (this.dataOnly && ctx.bufferFormat === BufferFormat.Normal && ctx.maxBufLen === 0) {
      const i = ctx.paramIndex(DATA);
      if (i < 0) return false;
      if (ctx.info.params[i]!.type === PT.BYTEBUF) {
        const ev = ctx.ev;
        out.mappedNl(ev.buf, ev.paramOff(i), ev.paramLen(i), DOT_BYTES);
        return true;
      }
    }
    const line = this.text(ctx);
    if (line === undefined) return false;
    out.lineNl(line);
    return true;
  }

  /** The line for this event, or undefined when a required field is missing. */
  text(ctx: Ctx): string | undefined {
    if (this.requireAll) return this.textAll(ctx);
    let out = '';
    for (const t of this.tokens) {
      if (t.text !== undefined) {
        out += t.text;
        continue;
      }
      const v = t.def!.extract(ctx, t.arg);
      let s: string;
      if (v === undefined) {
        if (this.requireAll) return undefined;
        s = '<NA>';
      } else s = valueText(t.def!, v);
      if (t.width !== 0) s = s.length >= t.width ? s.slice(0, t.width) : s.padEnd(t.width, ' ');
      out += s;
    }
    return out;
  }

  /** Without "*": extract every field first, and format only when none is missing. */
  private textAll(ctx: Ctx): string | undefined {
    const vals = this.values;
    const toks = this.tokens;
    // most extractions have no side effects, so their order is free: trying the field that failed last
    // first drops most events of a format like "%evt.num %proc.name %fd.name" after one extraction. A
    // format with a field that has some (FieldDef.sideEffects) extracts every field in order, as
    // sysdig's formatter does.
    const order = (this.order ??= toks.flatMap((t, i) => (t.def !== undefined ? [i] : [])));
    if (!this.orderFree) {
      // sysdig extracts every field, in order, before it drops the line (eventformatter.cpp)
      let missing = false;
      for (let i = 0; i < toks.length; i++) {
        const t = toks[i]!;
        if (t.def === undefined) continue;
        const v = t.def.extract(ctx, t.arg);
        if (v === undefined) missing = true;
        else vals[i] = v;
      }
      if (missing) return undefined;
    } else for (let k = 0; k < order.length; k++) {
      const i = order[k]!;
      const t = toks[i]!;
      const v = t.def!.extract(ctx, t.arg);
      if (v === undefined) {
        if (k !== 0) {
          order[k] = order[0]!;
          order[0] = i;
        }
        return undefined;
      }
      vals[i] = v;
    }
    let out = '';
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i]!;
      if (t.text !== undefined) {
        out += t.text;
        continue;
      }
      let s = valueText(t.def!, vals[i]!);
      if (t.width !== 0) s = s.length >= t.width ? s.slice(0, t.width) : s.padEnd(t.width, ' ');
      out += s;
    }
    return out;
  }

  /** The JSON object for this event (keys sorted), or undefined when a required field is missing. */
  json(ctx: Ctx): string | undefined {
    if (!this.orderFree) return this.jsonInOrder(ctx);
    let out = '{';
    let first = true;
    const fields = this.jsonFields;
    for (let i = 0; i < fields.length; i++) {
      const t = fields[i]!;
      // a name given twice keeps its last value (a JSON object in libsinsp's formatter)
      if (i + 1 < fields.length && fields[i + 1]!.name === t.name) continue;
      const v = t.def!.extract(ctx, t.arg);
      if (v === undefined && this.requireAll) return undefined;
      const j = JSON_TS_FIELDS.has(t.def!.name) && v !== undefined ? ctx.ev.ts.toString() : valueJson(t.def!, v);
      out += (first ? '"' : ',"') + t.name + '":' + j;
      first = false;
    }
    return out + '}';
  }

  /**
   * json() for a format with a field that has side effects, as sysdig's formatter goes: every field in
   * the format's order, each extracted once, and once more for its value unless the line is already
   * dropped (so evt.deltatime is 0 there); a name given twice keeps its last value.
   */
  private jsonInOrder(ctx: Ctx): string | undefined {
    const byName = new Map<string, string>();
    let dropped = false;
    for (const t of this.tokens) {
      if (t.def === undefined) continue;
      const v = t.def.extract(ctx, t.arg);
      if (dropped) continue;
      if (v === undefined && this.requireAll) {
        dropped = true;
        continue;
      }
      const w = t.def.extract(ctx, t.arg);
      byName.set(t.name!, JSON_TS_FIELDS.has(t.def.name) && w !== undefined ? ctx.ev.ts.toString() : valueJson(t.def, w));
    }
    if (dropped) return undefined;
    let out = '{';
    for (const name of [...byName.keys()].sort()) out += (out.length === 1 ? '"' : ',"') + name + '":' + byName.get(name)!;
    return out + '}';
  }
}
