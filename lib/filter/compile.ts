// Syntax trees to predicates: every check becomes a closure over a field extractor from the registry
// and a comparator prepared at compile time (parsed numbers, IP addresses, sets, regular expressions).
// Nothing is turned into source text. Comparison rules follow libsinsp: a missing field fails every
// operator (`!=` included); values are parsed by the field's type; operators a type does not take are
// compile errors (current libs' flt_is_comparable).

import { readFileSync } from 'node:fs';
import type { CheckExpr, Expr, FieldExpr, ListExpr, TransformerExpr, TransformerListExpr, ValueExpr } from './ast.js';
import { FilterError } from './error.js';
import { Glob, globMatch } from '../fields/glob.js';
import { Re2, RegexError } from './re2.js';
import { PathPrefixes } from './pmatch.js';
import { allFields, fieldByName, resolveField, type ResolvedField } from '../fields/registry.js';
import { NUMBER_TYPES, type Ctx, type FieldDef, type FieldType, type FieldValue } from '../fields/types.js';
import { valueText } from '../fields/format.js';
import { EVENT_MAX, eventInfo, eventName, eventTypeNames, PT } from '../events/table.js';
import { evtType } from '../fields/evt.js';

export type Pred = (ctx: Ctx) => boolean;
type Getter = (ctx: Ctx) => FieldValue;
type Many = (ctx: Ctx) => FieldValue[] | undefined;

const PROC_PID = fieldByName('proc.pid')!;

/**
 * sysdig 0.29.3 compiles `F in (a, b)` on a field whose type is not CHARBUF into (F=a or F=b), each a new
 * check that keeps the field but not what the argument of its name set up (filter.cpp parse_check, through
 * filter_check_list::new_filter_check_from_another), in memory that starts at zero: proc.apid and
 * proc.apid[N] read the ancestor at index 0, the process itself; evt.type.is.NAME compares with event type 0
 * (generic enter events). evt.rawarg.NAME of a text parameter keeps its check, but matches only a list of
 * one value (as measured: the extracted text is measured with its NUL, so a set of two never holds it).
 * The operand that comparison reads instead, or undefined for any other field. (evt.rawarg.NAME of any
 * other parameter loses the parameter it names, and sysdig 0.29.3 crashes on the first event: tdig compares
 * it as current libs do, each value with '='.)
 */
function inWithoutArgument(left: Operand, values: readonly ValueExpr[]): Operand | undefined {
  const f = left.field;
  if (f === undefined) return undefined;
  switch (f.def.name) {
    case 'proc.apid': {
      const pid = PROC_PID.extract;
      return { ...left, get: (c) => pid(c, undefined), many: undefined, manyNe: undefined };
    }
    case 'evt.type.is':
      return { ...left, get: (c) => (c.ev.type === 0 ? 1 : 0) };
    case 'evt.rawarg':
      if (f.arg?.paramType !== PT.CHARBUF) return undefined;
      return new Set(values.map((v) => v.value)).size > 1 ? { ...left, get: () => undefined } : undefined;
    default:
      return undefined;
  }
}

/** How values of a type compare. 'raw' = decided per event by the value (evt.rawarg). */
type Kind = 'num' | 'bool' | 'str' | 'buf' | 'ip' | 'net' | 'raw';

function kindOf(t: FieldType): Kind {
  if (NUMBER_TYPES.has(t)) return 'num';
  switch (t) {
    case 'BOOL': return 'bool';
    case 'BYTEBUF': return 'buf';
    case 'IPV4ADDR': case 'IPV6ADDR': case 'IPADDR': return 'ip';
    case 'IPNET': case 'IPV4NET': case 'IPV6NET': return 'net';
    default: return 'str';
  }
}

/** Operators each kind takes (current libs; `==` is `=`). */
const OPS: Record<Kind, readonly string[]> = {
  num: ['=', '==', '!=', '<', '<=', '>', '>=', 'in', 'intersects', 'exists'],
  bool: ['=', '==', '!=', 'in', 'intersects', 'exists'],
  ip: ['=', '==', '!=', 'in', 'intersects', 'exists'],
  net: ['=', '==', '!=', 'in', 'intersects', 'exists'],
  str: ['=', '==', '!=', '<', '<=', '>', '>=', 'contains', 'icontains', 'startswith', 'endswith', 'glob', 'iglob', 'regex', 'in', 'intersects', 'pmatch', 'exists'],
  buf: ['=', '==', '!=', 'contains', 'startswith', 'endswith', 'bcontains', 'bstartswith', 'in', 'intersects', 'exists'],
  raw: ['=', '==', '!=', '<', '<=', '>', '>=', 'contains', 'icontains', 'startswith', 'endswith', 'glob', 'iglob', 'regex', 'in', 'intersects', 'pmatch', 'exists'],
};

/** An operand: a field (maybe transformed) and how to read it. */
interface Operand {
  get: Getter;
  /** filter-only multi-value matching (fd.ip, fd.port, proc.aname...) */
  many?: Many;
  manyNe?: 'all' | 'any';
  kind: Kind;
  type: FieldType;
  def: FieldDef | undefined;
  /** text for messages */
  text: string;
  /** the plain field, when there is no transformer */
  field?: ResolvedField;
  cost: number;
  /**
   * A list of strings (current libs' EPF_IS_LIST: a transformer list, getopt's result, join's and
   * getopt's arguments), undefined when an element is missing. `get` is not read for such an operand.
   */
  seq?: (ctx: Ctx) => string[] | undefined;
}

export interface Compiled {
  test: Pred;
  fields: ResolvedField[];
  /** the test reads only the event itself (no thread or fd state) */
  stateless: boolean;
}

/** Fields read from the event's own bytes and the event table, never from the thread and fd tables. */
const STATELESS_FIELDS = new Set([
  'evt.type', 'evt.dir', 'evt.num', 'evt.cpu', 'evt.buffer', 'evt.rawtime', 'evt.rawtime.s', 'evt.rawtime.ns',
  'evt.is_io', 'evt.is_io_read', 'evt.is_io_write', 'evt.is_wait', 'evt.count',
]);

/** Whether a field reads only the event itself (no thread or fd state). */
export function isStatelessField(name: string): boolean {
  return STATELESS_FIELDS.has(name);
}

/**
 * `lateOperators`: compile as sysdig 0.29.3 does, where an operator that the field's type does not take
 * passes the compile and fails only when an event is compared ("'contains' not supported for numeric
 * filters", filter_compare.cpp of its libsinsp): such a check compiles to one that never matches. Only for
 * telling whether sysdig takes some words as a filter (a chisel's arguments, lib/chisels/cli.ts).
 */
export function compileExpr(root: Expr, src: string, lateOperators = false): Compiled {
  return new Compiler(src, lateOperators).run(root);
}

class Compiler {
  readonly fields: ResolvedField[] = [];
  private sideEffects = false;

  constructor(
    private readonly src: string,
    private readonly lateOperators: boolean,
  ) {}

  private fail(reason: string, col: number): never {
    throw new FilterError(reason, col, this.src);
  }

  run(root: Expr): Compiled {
    // checks have no side effects, except fields that remember the previous event
    this.sideEffects = hasStatefulField(root);
    const test = this.expr(root).pred;
    return { test, fields: this.fields, stateless: this.fields.every((f) => STATELESS_FIELDS.has(f.def.name)) };
  }

  /** Iterative over the tree's and/or/not spine is not needed: the parser bounds the depth. */
  private expr(e: Expr): Part {
    switch (e.kind) {
      case 'and':
      case 'or': {
        let parts = e.children.map((c) => this.expr(c));
        // the checks decided by the event type alone become one table (evt.is_io=true and evt.dir=<), tested
        // first (not with fields that remember the previous event: the order of the checks is kept then)
        const tables = parts.filter((p) => p.byType !== undefined);
        if (tables.length > 1 && !this.sideEffects) {
          const t = new Uint8Array(EVENT_MAX + 1);
          for (let id = 0; id <= EVENT_MAX; id++) {
            t[id] = e.kind === 'and' ? (tables.every((p) => p.byType![id] === 1) ? 1 : 0) : tables.some((p) => p.byType![id] === 1) ? 1 : 0;
          }
          parts = [byTypePart(t), ...parts.filter((p) => p.byType === undefined)];
        }
        if (parts.length === 1) return parts[0]!;
        if (!this.sideEffects) parts.sort((a, b) => a.cost - b.cost); // stable: cheap, selective checks first
        const preds = parts.map((p) => p.pred);
        const cost = Math.max(...parts.map((p) => p.cost));
        return { pred: e.kind === 'and' ? all(preds) : any(preds), cost };
      }
      case 'not': {
        const p = this.expr(e.child);
        if (p.byType !== undefined) return byTypePart(p.byType.map((v) => v ^ 1));
        const f = p.pred;
        return { pred: (c) => !f(c), cost: p.cost };
      }
      case 'ident':
        return this.fail(`'${e.name}' is not a field check (fields have a class, e.g. proc.name=${e.name}); named macros and lists are not supported`, e.col);
      case 'check':
        return this.check(e);
    }
  }

  // -------------------------------------------------------------------------------------------
  // operands

  private field(f: FieldExpr): Operand {
    const text = f.arg === undefined ? f.name : `${f.name}[${f.arg}]`;
    const r = resolveField(text);
    if (!r) this.unknownField(f, text);
    this.fields.push(r);
    const def = r.def;
    const arg = r.arg;
    const extract = def.extract;
    let get: Getter = (c) => extract(c, arg);
    let kind = kindOf(def.type);
    let cost = CHEAP_FIELDS.has(def.name) ? 0 : EXPENSIVE_FIELDS.has(def.name) ? 3 : 1;
    if (def.name === 'evt.buffer') {
      // libsinsp compares the raw bytes of the data param, whatever the print format
      get = rawData;
      kind = 'buf';
    } else if (def.name === 'evt.rawarg') {
      kind = 'raw';
    } else if (def.name === 'fd.name_changed') {
      // a filter runs before libsinsp's parse sets it (sinsp_parser::process_event, after the filter), so it
      // reads the false that the event's init left: printed, the field has its value
      get = (c) => (extract(c, arg) === undefined ? undefined : false);
    }
    const op: Operand = { get, kind, type: def.type, def, text, field: r, cost };
    if (def.anyOf) {
      const many = def.anyOf.bind(def);
      op.many = (c) => many(c, arg);
      op.manyNe = def.anyOfNe ?? 'any';
    }
    return op;
  }

  private unknownField(f: FieldExpr, text: string): never {
    const def = fieldByName(f.name);
    if (def) {
      if (f.arg === undefined) this.fail(`field ${f.name} needs an argument, e.g. ${f.name}[0]${def.dotArg ? ` or ${f.name}.NAME` : ''}`, f.col);
      this.fail(`field ${f.name} takes no argument`, f.col);
    }
    const near = closestFields(f.name);
    this.fail(`unknown field ${text}${near.length ? `; did you mean ${near.join(', ')}?` : ''}`, f.col);
  }

  private operand(e: FieldExpr | TransformerExpr | ValueExpr | ListExpr): Operand {
    if (e.kind === 'field') return this.field(e);
    if (e.kind !== 'transformer') return this.fail('expected a field or a field transformer', e.col);
    return this.transformer(e);
  }

  private transformer(t: TransformerExpr): Operand {
    if (t.name === 'join' || t.name === 'concat' || t.name === 'getopt') return this.multiTransformer(t);
    if (t.arg !== undefined) this.fail(`transformer '${t.name}' does not support field arguments`, t.col);
    if (t.args.length !== 1) this.fail(`${t.name}( takes exactly one field`, t.col);
    const a = t.args[0]!;
    if (t.name === 'val' && a.kind !== 'field' && a.kind !== 'transformer') this.fail(`val( takes a field, not a ${a.kind === 'value' ? 'value' : 'list'}`, a.col);
    // (a literal is a constant string, as current libs compile it: rawstring_check)
    const inner = this.transformerArgument(a);
    if (t.name === 'val') {
      return { ...inner, text: `val(${inner.text})` };
    }
    if (inner.seq) return this.listTransformer(t.name, inner);
    const ig = inner.get;
    const text = `${t.name}(${inner.text})`;
    if (inner.kind !== 'str' && inner.kind !== 'buf' && inner.kind !== 'raw') {
      this.fail(`${t.name}( takes a string or buffer field; ${inner.text} is ${inner.type}`, a.col);
    }
    const cost = inner.cost + 1;
    switch (t.name) {
      case 'tolower':
      case 'toupper': {
        const up = t.name === 'toupper';
        const get: Getter = (c) => {
          const v = ig(c);
          if (typeof v === 'string') return up ? asciiUpper(v) : asciiLower(v);
          if (Buffer.isBuffer(v)) return up ? asciiUpper(v.toString('latin1')) : asciiLower(v.toString('latin1'));
          return v;
        };
        return { get, kind: 'str', type: 'CHARBUF', def: undefined, text, cost };
      }
      case 'b64': {
        const get: Getter = (c) => {
          const v = ig(c);
          if (v === undefined) return undefined;
          return b64Decode(typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : String(v));
        };
        return { get, kind: 'str', type: 'CHARBUF', def: undefined, text, cost };
      }
      case 'basename': {
        const get: Getter = (c) => {
          const v = ig(c);
          if (v === undefined) return undefined;
          const s = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : String(v);
          return s.slice(s.lastIndexOf('/') + 1);
        };
        return { get, kind: 'str', type: 'CHARBUF', def: undefined, text, cost };
      }
      case 'len': {
        const get: Getter = (c) => {
          const v = ig(c);
          if (v === undefined) return undefined;
          if (typeof v === 'string' || Buffer.isBuffer(v)) return v.length;
          return String(v).length;
        };
        return { get, kind: 'num', type: 'UINT64', def: undefined, text, cost };
      }
    }
  }

  /** A transformer applied to a list: each element transformed (libs' string transformers), or len's count. */
  private listTransformer(name: string, inner: Operand): Operand {
    const seq = inner.seq!;
    const text = `${name}(${inner.text})`;
    const cost = inner.cost + 1;
    if (name === 'len') {
      return { get: (c) => seq(c)?.length, kind: 'num', type: 'UINT64', def: undefined, text, cost };
    }
    const one = (v: string): string | undefined => {
      switch (name) {
        case 'tolower': return asciiLower(v);
        case 'toupper': return asciiUpper(v);
        case 'basename': return v.slice(v.lastIndexOf('/') + 1);
        default: return b64Decode(v);
      }
    };
    const list = (c: Ctx): string[] | undefined => {
      const vs = seq(c);
      if (vs === undefined) return undefined;
      const out: string[] = [];
      for (const v of vs) {
        const r = one(v);
        if (r === undefined) return undefined;
        out.push(r);
      }
      return out;
    };
    return { get: () => undefined, seq: list, kind: 'str', type: 'CHARBUF', def: undefined, text, cost };
  }

  /** An argument of join(, concat( or getopt(: a field, a transformer, a literal or a list. */
  private transformerArgument(a: TransformerExpr['args'][number]): Operand {
    if (a.kind === 'value') {
      const v = a.value;
      return { get: () => v, kind: 'str', type: 'CHARBUF', def: undefined, text: JSON.stringify(v), cost: 0 };
    }
    if (a.kind === 'tlist') return this.listOperand(a);
    return this.operand(a);
  }

  /**
   * `(a, proc.name, 5)`: each element's text in order, a list element's elements in its place; missing when
   * an element is (libs' list_check). A number is written as its field prints it; text stops at a NUL byte.
   */
  private listOperand(l: TransformerListExpr): Operand {
    const parts = l.items.map((i) => this.transformerArgument(i));
    const texts = parts.map((p) => p.text);
    const seq = (c: Ctx): string[] | undefined => {
      const out: string[] = [];
      for (const p of parts) {
        if (p.seq) {
          const vs = p.seq(c);
          if (vs === undefined) return undefined;
          for (const v of vs) out.push(v);
          continue;
        }
        const v = textOf(p, c);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    };
    return { get: () => undefined, seq, kind: 'str', type: 'CHARBUF', def: undefined, text: `(${texts.join(', ')})`, cost: parts.reduce((n, p) => n + p.cost, 0) + 1 };
  }

  /** join(SEP, LIST), concat(A, B, ...) and getopt(ARGV, OPTSTRING)[C], as current libs define them. */
  private multiTransformer(t: TransformerExpr): Operand {
    const args = t.args.map((a) => this.transformerArgument(a));
    const text = `${t.name}(${args.map((a) => a.text).join(', ')})${t.arg !== undefined ? `[${t.arg}]` : ''}`;
    const cost = args.reduce((n, a) => n + a.cost, 0) + 1;
    if (t.name !== 'getopt' && t.arg !== undefined) this.fail(`transformer '${t.name}' does not support field arguments`, t.col);
    if (t.name === 'join') {
      if (args.length !== 2) this.fail('join() requires exactly 2 arguments: separator and list', t.col);
      const [sep, list] = args as [Operand, Operand];
      if (sep.seq) this.fail('join() first argument (separator) must be a single value, not a list', t.args[0]!.col);
      if (!list.seq) this.fail('join() second argument must be a list', t.args[1]!.col);
      const seq = list.seq;
      const get: Getter = (c) => {
        const s = textOf(sep, c);
        if (s === undefined) return undefined;
        return seq(c)?.join(s);
      };
      return { get, kind: 'str', type: 'CHARBUF', def: undefined, text, cost };
    }
    if (t.name === 'concat') {
      if (args.length < 2) this.fail('concat() requires at least 2 arguments', t.col);
      args.forEach((a, i) => {
        if (a.seq || a.kind !== 'str') this.fail(`concat() arguments must be strings; ${a.text} is ${a.seq ? 'a list' : a.type}`, t.args[i]!.col);
      });
      const get: Getter = (c) => {
        let out = '';
        for (const a of args) {
          const s = textOf(a, c);
          if (s === undefined) return undefined;
          out += s;
        }
        return out;
      };
      return { get, kind: 'str', type: 'CHARBUF', def: undefined, text, cost };
    }
    // getopt
    if (args.length !== 2) this.fail('getopt() requires exactly 2 arguments: args list and optstring', t.col);
    const [argv, opts] = args as [Operand, Operand];
    if (!argv.seq) this.fail('getopt() first argument must be a list', t.args[0]!.col);
    if (opts.seq) this.fail('getopt() second argument (optstring) must be a single value', t.args[1]!.col);
    if (opts.kind !== 'str') this.fail(`getopt() arguments must be strings; ${opts.text} is ${opts.type}`, t.args[1]!.col);
    if (t.arg !== undefined && t.arg.length !== 1) this.fail('getopt() field argument must be a single option character', t.col);
    const argvSeq = argv.seq;
    const selector = t.arg;
    const constant = t.args[1]!.kind === 'value' ? parseOptstring((t.args[1] as ValueExpr).value) : undefined;
    const run = (c: Ctx): string[] | undefined => {
      let info = constant;
      if (info === undefined) {
        const o = textOf(opts, c);
        if (o === undefined) return undefined;
        info = parseOptstring(o);
      }
      const av = argvSeq(c);
      if (av === undefined) return undefined;
      return getopt(av, info, selector);
    };
    if (selector === undefined) return { get: () => undefined, seq: run, kind: 'str', type: 'CHARBUF', def: undefined, text, cost };
    return { get: (c) => run(c)?.[0], kind: 'str', type: 'CHARBUF', def: undefined, text, cost };
  }

  // -------------------------------------------------------------------------------------------
  // checks

  private check(e: CheckExpr): Part {
    const left = this.operand(e.left);
    const op0 = e.op;
    const [opWord, modifier] = op0.split(' ') as [string, string | undefined];
    const op = opWord === '==' ? '=' : opWord;
    if (left.seq) return this.listCheck(left, op, e);
    if (!OPS[left.kind].includes(op)) {
      if (this.lateOperators) return { pred: () => false, cost: 0 };
      this.fail(`${left.text} (${left.type}) does not take the operator '${opWord}'; it takes: ${OPS[left.kind].filter((o) => o !== '==').join(', ')}`, e.opCol);
    }
    if (left.field?.def.name === 'fd.ip' || left.field?.def.name === 'fd.net') {
      if (op !== '=' && op !== '!=' && op !== 'in' && op !== 'intersects') this.fail(`${left.text} takes only =, !=, in and intersects`, e.opCol);
    }
    const own = left.field?.def.check;
    if (own) {
      // a field with its own comparison rule (evt.around)
      const right = e.right;
      const r = own(op, right?.kind === 'value' ? right.value : undefined, left.field!.arg);
      if (typeof r !== 'function') this.fail(r.error, r.at === 'field' ? e.left.col : r.at === 'op' ? e.opCol : (right?.col ?? e.opCol));
      return { pred: r, cost: left.cost };
    }
    let cost = left.cost;
    if (op === 'exists') {
      const g = left.get;
      const many = left.many;
      const pred: Pred = many
        ? (c) => {
            const arr = many(c);
            if (arr === undefined) return g(c) !== undefined;
            return arr.length > 0 && (arr as Vetoed).veto === undefined;
          }
        : (c) => g(c) !== undefined;
      return { pred, cost };
    }
    const right = e.right!;
    let cmp: (v: Exclude<FieldValue, undefined>) => boolean;
    if (right.kind === 'field' || right.kind === 'transformer') {
      // compared with another field, evaluated per event
      const r = this.operand(right);
      if (r.seq) this.fail(`cannot compare ${left.text} with the list ${r.text}`, right.col);
      if (r.kind !== left.kind && !(left.kind === 'raw' || r.kind === 'raw') && !(left.kind === 'str' && r.kind === 'buf') && !(left.kind === 'buf' && r.kind === 'str')) {
        this.fail(`cannot compare ${left.text} (${left.type}) with ${r.text} (${r.type})`, right.col);
      }
      if (op === 'in' || op === 'intersects' || op === 'pmatch') this.fail(`'${op}' takes a list (v1, v2, ...)`, right.col);
      // libs compiles a pattern once, when the filter is made (sinsp_filtercheck.cpp add_filter_value)
      if (op === 'regex') this.fail(`'regex' takes a pattern, not a field on its right`, right.col);
      return { pred: this.dynamic(left, op, r), cost: Math.max(cost, r.cost) + 1 };
    }
    if (right.kind === 'list') {
      if (right.ident !== undefined) this.fail(`list '${right.ident}' is not defined: write the values, e.g. (a, b)`, right.col);
      const isList = op === 'in' || op === 'intersects' || op === 'pmatch';
      if (!isList && modifier === undefined) this.fail(`'${opWord}' takes one value, not a list`, right.col);
      this.validateValues(left, op, right.values);
      const lost = op === 'in' ? inWithoutArgument(left, right.values) : undefined;
      if (lost !== undefined) return { pred: wrap(lost, op, this.listCmp(lost, op, right.values)), cost };
      const f = left.field;
      if (op === 'in' && f !== undefined && f.def.type !== 'CHARBUF' && (left.many !== undefined || f.def.instance !== undefined)) {
        // sysdig 0.29.3's 'or' of one check per value (filter.cpp parse_check), which shows where a field
        // matches over several values with a veto (evtin.span.*: the veto per value), or keeps state per use
        // (evt.deltatime*, thread.exectime: each value's check is a new filtercheck, allocate_new, with its own
        // state, and the 'or' stops at the first that passes, so a later value's check last saw the last event
        // the earlier ones refused)
        const inst = f.def.instance;
        const each = (v: ValueExpr): Pred => {
          let own = left;
          if (inst !== undefined) {
            const extract = inst();
            own = { ...left, get: (c) => extract(c, f.arg) };
          }
          return wrap(own, '=', this.valueCmp(own, '=', v));
        };
        return { pred: any(right.values.map(each)), cost };
      }
      if (isList) cmp = this.listCmp(left, op, right.values);
      else {
        const each = right.values.map((v) => this.valueCmp(left, op, v));
        // current libs' modifiers (sinsp_filtercheck.cpp compare_rhs_with_mod): oneof, exactly one value
        // compares true; anyof, one or more; allof, every one
        if (modifier === 'allof') cmp = (v) => each.every((f) => f(v));
        else if (modifier === 'oneof') cmp = (v) => each.filter((f) => f(v)).length === 1;
        else cmp = (v) => each.some((f) => f(v));
      }
    } else {
      if (op === 'in' || op === 'intersects' || op === 'pmatch') this.fail(`'${op}' takes a list (v1, v2, ...)`, right.col);
      this.validateValues(left, op, [right]);
      if (right.value.length === 0 && left.kind !== 'str' && left.kind !== 'buf' && left.kind !== 'raw' && !(left.type === 'PORT')) {
        this.fail(`${left.text} needs a value after '${opWord}'`, right.col);
      }
      cmp = this.valueCmp(left, op, right);
      if (op === 'regex' || op === 'glob' || op === 'iglob') cost += 1;
    }
    // evt.type: answered from a table indexed by event type id
    if (left.field && left.field.def.name === 'evt.type' && (op === '=' || op === '!=' || op === 'in' || op === 'intersects')) {
      return { pred: typeTable(cmp), cost: 0 };
    }
    if (left.field && left.field.arg === undefined && BY_TYPE_FIELDS.has(left.field.def.name)) return byTypePart(byTypeTable(wrap(left, op, cmp)));
    return { pred: wrap(left, op, cmp), cost };
  }

  /**
   * A check of a list (getopt's result, a transformer list): exists; `in`, every element in the set;
   * `intersects`, one element in it (current libs' compare_rhs of an EPF_IS_LIST field).
   */
  private listCheck(left: Operand, op: string, e: CheckExpr): Part {
    const seq = left.seq!;
    if (op === 'exists') return { pred: (c) => seq(c) !== undefined, cost: left.cost };
    if (op !== 'in' && op !== 'intersects') this.fail(`${left.text} is a list: it takes only exists, in and intersects`, e.opCol);
    const right = e.right;
    if (right === undefined || right.kind !== 'list' || right.ident !== undefined) {
      return this.fail(`'${op}' takes a list (v1, v2, ...)`, right?.col ?? e.opCol);
    }
    const set = new Set(right.values.map((v) => v.value));
    const pred: Pred = op === 'in'
      ? (c) => {
          const vs = seq(c);
          if (vs === undefined) return false;
          for (const v of vs) if (!set.has(v)) return false;
          return true;
        }
      : (c) => {
          const vs = seq(c);
          if (vs === undefined) return false;
          for (const v of vs) if (set.has(v)) return true;
          return false;
        };
    return { pred, cost: left.cost + 1 };
  }

  /** evt.type values must be event or syscall names (0.29.3 validate_filter_value). */
  private validateValues(left: Operand, op: string, values: ValueExpr[]): void {
    if (!left.field || left.field.def.name !== 'evt.type' || op === 'regex' || op === 'iglob') return;
    const names = typeNames();
    for (const v of values) if (!names.has(v.value)) this.fail(`unknown event type ${v.value}`, v.col);
  }

  private listCmp(left: Operand, op: string, values: ValueExpr[]): (v: Exclude<FieldValue, undefined>) => boolean {
    if (op === 'pmatch') {
      if (left.kind !== 'str' && left.kind !== 'raw') this.fail(`pmatch takes string fields; ${left.text} is ${left.type}`, values[0]?.col ?? 1);
      // sysdig 0.29.3 takes pmatch on CHARBUF fields only ("pmatch requires all charbuf arguments",
      // filter.cpp); evt.rawarg.NAME has the type of the parameter it names
      if (left.kind === 'raw') {
        const t = left.field?.arg?.paramType;
        if (t !== PT.CHARBUF) this.fail(`pmatch takes text fields; ${left.text} names a parameter that is not text`, values[0]?.col ?? 1);
      }
      const paths = new PathPrefixes(values.map((v) => v.value));
      return (v) => paths.match(typeof v === 'string' ? v : asText(left, v));
    }
    if (left.kind === 'str') {
      const set = new Set(values.map((v) => v.value));
      return (v) => set.has(typeof v === 'string' ? v : asText(left, v));
    }
    const each = values.map((v) => this.valueCmp(left, '=', v));
    if (each.length === 1) return each[0]!;
    return (v) => {
      for (const f of each) if (f(v)) return true;
      return false;
    };
  }

  /** A comparator of extracted values with one constant value. */
  private valueCmp(left: Operand, op: string, ve: ValueExpr): (v: Exclude<FieldValue, undefined>) => boolean {
    const text = ve.value;
    switch (left.kind) {
      case 'num': {
        const n = this.parseNumber(left, text, ve.col);
        return numCmp(op, n);
      }
      case 'bool': {
        if (text !== 'true' && text !== 'false') this.fail(`unrecognized boolean value ${text}: ${left.text} takes true or false`, ve.col);
        const want = text === 'true';
        return op === '=' ? (v) => truthy(v) === want : (v) => truthy(v) !== want;
      }
      case 'ip': {
        const ip = parseIp(text);
        if (!ip) this.fail(`unrecognized IP address ${text}`, ve.col);
        const eq = ipEq(ip);
        return op === '=' ? eq : (v) => !eq(v);
      }
      case 'net': {
        const net = parseNet(text);
        if (!net) this.fail(`unrecognized IP network ${text}: write a.b.c.d/len or an IPv6 prefix`, ve.col);
        const inn = inNet(net);
        return op === '=' ? inn : (v) => !inn(v);
      }
      case 'buf': {
        let needle: Buffer;
        if (op === 'bcontains' || op === 'bstartswith') {
          if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) this.fail(`${op} takes an even number of hex digits, not ${text}`, ve.col);
          needle = Buffer.from(text, 'hex');
        } else needle = Buffer.from(text, 'latin1');
        return bufCmp(op, needle);
      }
      case 'str':
        return this.strCmp(left, op, text, ve.col);
      case 'raw': {
        // evt.rawarg: numbers compare as numbers, text as text, bytes as bytes
        const n = /^[+-]?\d+$|^0[xX][0-9a-fA-F]+$/.test(text) ? numCmp(op, toNum(text)) : undefined;
        const s = op === '<' || op === '<=' || op === '>' || op === '>=' || OPS.str.includes(op) ? this.strCmp(left, op, text, ve.col) : undefined;
        const b = OPS.buf.includes(op) && op !== 'bcontains' && op !== 'bstartswith' ? bufCmp(op, Buffer.from(text, 'latin1')) : undefined;
        return (v) => {
          if (typeof v === 'number' || typeof v === 'bigint') return n !== undefined && n(v);
          if (typeof v === 'string') return s !== undefined && s(v);
          if (Buffer.isBuffer(v)) return b !== undefined && b(v);
          return false;
        };
      }
    }
  }

  private strCmp(left: Operand, op: string, s: string, col: number): (v: Exclude<FieldValue, undefined>) => boolean {
    const str = (v: Exclude<FieldValue, undefined>): string => (typeof v === 'string' ? v : asText(left, v));
    switch (op) {
      case '=': return (v) => str(v) === s;
      case '!=': return (v) => str(v) !== s;
      case '<': return (v) => str(v) < s;
      case '<=': return (v) => str(v) <= s;
      case '>': return (v) => str(v) > s;
      case '>=': return (v) => str(v) >= s;
      case 'contains': return (v) => str(v).includes(s);
      case 'icontains': {
        const l = asciiLower(s);
        return (v) => asciiLower(str(v)).includes(l);
      }
      case 'startswith': return (v) => str(v).startsWith(s);
      case 'endswith': return (v) => str(v).endsWith(s);
      case 'glob':
      case 'iglob': {
        const re = new Glob(s, op === 'iglob');
        return (v) => re.test(str(v));
      }
      case 'regex': {
        // RE2 with POSIX syntax, matching the whole value, in linear time (re2.ts)
        let re: Re2;
        try {
          re = new Re2(s);
        } catch (e) {
          if (!(e instanceof RegexError)) throw e;
          return this.fail(`invalid regex pattern: ${e.message}`, col);
        }
        return (v) => re.test(str(v));
      }
      default:
        return this.fail(`operator ${op} does not apply to strings`, col);
    }
  }

  private parseNumber(left: Operand, text: string, col: number): number | bigint {
    if (left.type === 'PORT' && !/^[0-9]+$/.test(text) && !/^0[xX][0-9a-fA-F]+$/.test(text)) {
      if (text === '') return 0;
      const p = servicePort(text);
      if (p === undefined) this.fail(`unrecognized protocol ${text}: not a port number or a service name in /etc/services`, col);
      return p;
    }
    if (left.type === 'DOUBLE' && /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return Number(text);
    if (!/^[+-]?\d+$/.test(text) && !/^0[xX][0-9a-fA-F]+$/.test(text)) this.fail(`${text} is not a valid number (${left.text} is ${left.type})`, col);
    return toNum(text);
  }

  /** Field against field (val(), transformers on the right): both sides are read per event. */
  private dynamic(left: Operand, op: string, right: Operand): Pred {
    const lg = left.get;
    const rg = right.get;
    const kind = left.kind === 'raw' ? right.kind : left.kind;
    const lt = left;
    return (c) => {
      const v = lg(c);
      if (v === undefined) return false;
      const r = rg(c);
      if (r === undefined) return false;
      return compareValues(kind, op, v, r, lt);
    };
  }
}

// ---------------------------------------------------------------------------------------------
// predicates

function all(ps: Pred[]): Pred {
  if (ps.length === 2) {
    const [a, b] = ps as [Pred, Pred];
    return (c) => a(c) && b(c);
  }
  if (ps.length === 3) {
    const [a, b, d] = ps as [Pred, Pred, Pred];
    return (c) => a(c) && b(c) && d(c);
  }
  return (c) => {
    for (let i = 0; i < ps.length; i++) if (!ps[i]!(c)) return false;
    return true;
  };
}

function any(ps: Pred[]): Pred {
  if (ps.length === 2) {
    const [a, b] = ps as [Pred, Pred];
    return (c) => a(c) || b(c);
  }
  if (ps.length === 3) {
    const [a, b, d] = ps as [Pred, Pred, Pred];
    return (c) => a(c) || b(c) || d(c);
  }
  return (c) => {
    for (let i = 0; i < ps.length; i++) if (ps[i]!(c)) return true;
    return false;
  };
}

/** Missing values fail; multi-value fields match when any value does (all values, for fd.ip-like `!=`). */
function wrap(left: Operand, op: string, cmp: (v: Exclude<FieldValue, undefined>) => boolean): Pred {
  const g = left.get;
  const many = left.many;
  if (!many) {
    return (c) => {
      const v = g(c);
      return v !== undefined && cmp(v);
    };
  }
  const every = op === '!=' && left.manyNe === 'all';
  return (c) => {
    const arr = many(c);
    if (arr === undefined) {
      const v = g(c);
      return v !== undefined && cmp(v);
    }
    if (every) {
      if (arr.length === 0) return false;
      for (const v of arr) if (v === undefined || !cmp(v)) return false;
      return true;
    }
    const veto = (arr as Vetoed).veto;
    if (veto !== undefined && cmp(veto)) return false;
    for (const v of arr) if (v !== undefined && cmp(v)) return true;
    return false;
  };
}

/** anyOf values that carry a veto: when it compares true, the comparison fails (see FieldDef.anyOf) */
type Vetoed = FieldValue[] & { veto?: FieldValue };

let typeNameCache: Set<string> | undefined;
function typeNames(): Set<string> {
  return (typeNameCache ??= eventTypeNames());
}

/** evt.type checks: precomputed per event type id; generic events (ids 0 and 1) are named by their syscall. */
function typeTable(cmp: (v: Exclude<FieldValue, undefined>) => boolean): Pred {
  const tbl = new Uint8Array(EVENT_MAX + 1);
  for (let id = 2; id <= EVENT_MAX; id++) {
    const name = eventName(id);
    if (name !== undefined && cmp(name)) tbl[id] = 1;
  }
  return (c) => {
    const t = c.ev.type;
    if (t > 1) return tbl[t] === 1;
    return cmp(evtType(c));
  };
}

/** Fields whose value the event's type id and table entry decide alone. */
export const BY_TYPE_FIELDS: ReadonlySet<string> = new Set(['evt.dir', 'evt.is_io', 'evt.is_io_read', 'evt.is_io_write', 'evt.io_dir', 'evt.is_wait']);

/** A compiled part of the filter; `byType`: its verdict for each event type id, when the type alone decides it. */
interface Part {
  pred: Pred;
  cost: number;
  byType?: Uint8Array;
}

/** The verdicts of a check of BY_TYPE_FIELDS, for every event type id the table knows (0 for the rest). */
function byTypeTable(pred: Pred): Uint8Array {
  const t = new Uint8Array(EVENT_MAX + 1);
  const ctx = { ev: { type: 0 }, info: undefined } as unknown as { ev: { type: number }; info: unknown };
  for (let id = 0; id <= EVENT_MAX; id++) {
    const info = eventInfo(id);
    if (info === undefined) continue;
    ctx.ev.type = id;
    ctx.info = info;
    if (pred(ctx as unknown as Ctx)) t[id] = 1;
  }
  return t;
}

/** A check answered by its table: one load per event instead of extracting the field and comparing it. */
function byTypePart(t: Uint8Array): Part {
  return { pred: (c) => t[c.ev.type] === 1, cost: 0, byType: t };
}

function numCmp(op: string, n: number | bigint): (v: Exclude<FieldValue, undefined>) => boolean {
  // number and bigint compare exactly with the relational operators and loose equality
  type N = number;
  const w = n as N;
  const num = (v: Exclude<FieldValue, undefined>): N => (typeof v === 'boolean' ? (v ? 1 : 0) : (v as N));
  switch (op) {
    case '=': return (v) => num(v) == w;
    case '!=': return (v) => num(v) != w;
    case '<': return (v) => num(v) < w;
    case '<=': return (v) => num(v) <= w;
    case '>': return (v) => num(v) > w;
    case '>=': return (v) => num(v) >= w;
    default: return () => false;
  }
}

function toNum(text: string): number | bigint {
  let b: bigint;
  if (/^0[xX]/.test(text)) b = BigInt(text);
  else b = BigInt(text.replace(/^\+/, ''));
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

/**
 * true, 1 or 1n. Tested by type first: `v === 1` and `v === 1n` on a boolean went through V8's generic
 * comparison (two calls an event for evt.is_io=true on an event that is not I/O).
 */
function truthy(v: Exclude<FieldValue, undefined>): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1;
  return typeof v === 'bigint' && v === 1n;
}

function bufCmp(op: string, b: Buffer): (v: Exclude<FieldValue, undefined>) => boolean {
  const buf = (v: Exclude<FieldValue, undefined>): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1'));
  switch (op) {
    case '=': return (v) => buf(v).equals(b);
    case '!=': return (v) => !buf(v).equals(b);
    case 'contains':
    case 'bcontains':
      return (v) => buf(v).indexOf(b) !== -1;
    case 'startswith':
    case 'bstartswith':
      return (v) => {
        const x = buf(v);
        return x.length >= b.length && x.compare(b, 0, b.length, 0, b.length) === 0;
      };
    case 'endswith':
      return (v) => {
        const x = buf(v);
        return x.length >= b.length && x.compare(b, 0, b.length, x.length - b.length, x.length) === 0;
      };
    default:
      return () => false;
  }
}

/**
 * IP equality as sysdig 0.29.3 compares: the value is stored in a zeroed 16-byte slot, and an extracted
 * address is compared with as many bytes of the slot as it has (so `fd.ip=::1` matches 0.0.0.0).
 */
function ipEq(ip: Buffer): (v: Exclude<FieldValue, undefined>) => boolean {
  const slot = Buffer.alloc(16);
  ip.copy(slot);
  const w = slot.readUInt32LE(0);
  return (v) => {
    if (!Buffer.isBuffer(v)) return false;
    if (v.length === 4) return v.readUInt32LE(0) === w;
    return v.length === 16 && v.equals(slot);
  };
}

/**
 * A network. `cidr` = a proper prefix (IPv6 a::b/len, current libs); otherwise sysdig 0.29.3's storage:
 * an IPv4 net is {ip, netmask} in a zeroed 16-byte slot, an IPv6 "net" is an address whose first 64 bits
 * make the subnet. A 4-byte value is matched against the slot read as {ip, netmask}; a 16-byte value
 * against the slot's first 8 bytes.
 */
interface Net {
  slot: Buffer;
  cidr?: { addr: Buffer; bits: number };
}

function inNet(net: Net): (v: Exclude<FieldValue, undefined>) => boolean {
  if (net.cidr) {
    const { addr, bits } = net.cidr;
    return (v) => {
      if (!Buffer.isBuffer(v) || v.length !== addr.length) return false;
      let b = bits;
      for (let i = 0; b > 0; i++, b -= 8) {
        const mask = b >= 8 ? 0xff : (0xff << (8 - b)) & 0xff;
        if ((v[i]! & mask) !== (addr[i]! & mask)) return false;
      }
      return true;
    };
  }
  const slot = net.slot;
  const ip = slot.readUInt32LE(0);
  const mask = slot.readUInt32LE(4);
  return (v) => {
    if (!Buffer.isBuffer(v)) return false;
    if (v.length === 4) return ((v.readUInt32LE(0) & mask) >>> 0) === ((ip & mask) >>> 0);
    return v.length === 16 && v.compare(slot, 0, 8, 0, 8) === 0;
  };
}

/** Per-event comparison of two extracted values (val() and transformers on the right). */
function compareValues(kind: Kind, op: string, v: Exclude<FieldValue, undefined>, r: Exclude<FieldValue, undefined>, left: Operand): boolean {
  switch (kind) {
    case 'num':
    case 'bool': {
      const a = (typeof v === 'boolean' ? (v ? 1 : 0) : v) as number;
      const b = (typeof r === 'boolean' ? (r ? 1 : 0) : r) as number;
      if (typeof a === 'object' || typeof b === 'object') return false;
      switch (op) {
        case '=': return a == b;
        case '!=': return a != b;
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        case '>=': return a >= b;
      }
      return false;
    }
    case 'ip':
    case 'net':
    case 'buf': {
      const a = Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'latin1');
      const b = Buffer.isBuffer(r) ? r : Buffer.from(String(r), 'latin1');
      if (op === '=' || op === '!=') return a.equals(b) === (op === '=');
      return bufCmp(op, b)(a);
    }
    default: {
      const a = typeof v === 'string' ? v : asText(left, v);
      const b = typeof r === 'string' ? r : Buffer.isBuffer(r) ? r.toString('latin1') : String(r);
      switch (op) {
        case '=': return a === b;
        case '!=': return a !== b;
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        case '>=': return a >= b;
        case 'contains': return a.includes(b);
        case 'icontains': return asciiLower(a).includes(asciiLower(b));
        case 'startswith': return a.startsWith(b);
        case 'endswith': return a.endsWith(b);
        case 'glob': return globMatch(b, a);
        case 'iglob': return globMatch(b, a, true);
      }
      return false;
    }
  }
}

function asText(left: Operand, v: Exclude<FieldValue, undefined>): string {
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  return left.def ? valueText(left.def, v) : String(v);
}

// ---------------------------------------------------------------------------------------------
// values

/** The raw bytes of the event's `data` param, looked up once per event type. */
const dataIdx = new Int16Array(EVENT_MAX + 1).fill(-2);
function rawData(c: Ctx): FieldValue {
  const t = c.ev.type;
  let i = dataIdx[t]!;
  if (i === -2) {
    i = -1;
    const ps = eventInfo(t)?.params ?? [];
    for (let k = 0; k < ps.length; k++) if (ps[k]!.name === 'data') i = k;
    dataIdx[t] = i;
  }
  if (i < 0 || i >= c.ev.nparams) return undefined;
  return c.ev.paramBytes(i);
}

export function parseIp(text: string): Buffer | undefined {
  if (text.includes('.') && !text.includes(':')) return parseIpv4(text);
  return parseIpv6(text);
}

function parseIpv4(text: string): Buffer | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const b = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(m[i + 1]);
    if (n > 255) return undefined;
    b[i] = n;
  }
  return b;
}

function parseIpv6(text: string): Buffer | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return undefined;
  let tail: Buffer | undefined;
  let s = text;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    tail = parseIpv4(s.slice(lastColon + 1));
    if (!tail) return undefined;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const a = parse(halves[0]!);
  const b = halves.length === 2 ? parse(halves[1]!) : [];
  if (!a || !b) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    if (a.length + b.length > 7) return undefined;
    groups = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  } else {
    if (a.length !== 8) return undefined;
    groups = a;
  }
  const out = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) out.writeUInt16BE(groups[i]!, i * 2);
  if (tail) tail.copy(out, 12);
  return out;
}

function parseNet(text: string): Net | undefined {
  const slash = text.indexOf('/');
  const slot = Buffer.alloc(16);
  if (slash < 0) {
    // sysdig 0.29.3: an IPv6 address without a length stands for its /64 network; IPv4 needs a length
    const a = parseIpv6(text);
    if (!a) return undefined;
    a.copy(slot);
    return { slot };
  }
  const addr = parseIp(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!addr || !/^\d{1,3}$/.test(lenText)) return undefined;
  const bits = Number(lenText);
  if (bits > addr.length * 8) return undefined;
  if (addr.length === 16) return { slot, cidr: { addr, bits } };
  addr.copy(slot);
  slot.writeUInt32BE(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0, 4);
  return { slot };
}

let services: Map<string, number> | undefined;
/** getservbyname(name, NULL): the first /etc/services entry with this name or alias. */
function servicePort(name: string): number | undefined {
  if (!services) {
    services = new Map();
    let text = '';
    try {
      text = readFileSync('/etc/services', 'latin1');
    } catch {
      text = 'http 80/tcp www\nhttps 443/tcp\nssh 22/tcp\ndomain 53/udp\nftp 21/tcp\nsmtp 25/tcp\n';
    }
    for (const line of text.split('\n')) {
      const l = line.replace(/#.*/, '').trim();
      if (!l) continue;
      const parts = l.split(/\s+/);
      const m = /^(\d+)\//.exec(parts[1] ?? '');
      if (!m) continue;
      for (const n of [parts[0]!, ...parts.slice(2)]) if (!services.has(n)) services.set(n, Number(m[1]));
    }
  }
  return services.get(name);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * base64 text decoded (as latin1), undefined when it is not base64 (b64 then fails the check). As current
 * libs decode it (base64.h decodeWithoutPadding): up to two '=' at the end, padding optional, no other
 * character outside the alphabet, and the bits the last character carries past the data all zero.
 */
function b64Decode(s: string): string | undefined {
  if (s === '') return '';
  let n = s.length;
  if (s[n - 1] === '=') {
    n--;
    if (n > 0 && s[n - 1] === '=') n--;
  }
  if (n === 0 || n % 4 === 1) return undefined;
  for (let i = 0; i < n; i++) if (B64.indexOf(s[i]!) < 0) return undefined;
  const last = B64.indexOf(s[n - 1]!);
  if ((n % 4 === 2 && (last & 0xf) !== 0) || (n % 4 === 3 && (last & 0x3) !== 0)) return undefined;
  return Buffer.from(s.slice(0, n), 'base64').toString('latin1');
}

/** An operand's value as the text join, concat and getopt take (a number as its field prints it). */
function textOf(o: Operand, c: Ctx): string | undefined {
  const v = o.get(c);
  if (v === undefined) return undefined;
  return cString(typeof v === 'string' ? v : asText(o, v));
}

/** Text as a C string holds it: up to its first NUL (join and concat append their values so). */
function cString(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

interface Optstring {
  valid: Set<string>;
  withArg: Set<string>;
}

/** getopt(3)'s option string: the option characters, and which take a value (followed by ':'). */
function parseOptstring(os: string): Optstring {
  const valid = new Set<string>();
  const withArg = new Set<string>();
  for (let i = os.startsWith(':') ? 1 : 0; i < os.length; i++) {
    const o = os[i]!;
    if (o === ':') continue;
    valid.add(o);
    if (os[i + 1] === ':') {
      withArg.add(o);
      i++;
    }
  }
  return { valid, withArg };
}

/**
 * getopt(ARGV, OPTSTRING) as current libs define it (sinsp_filtercheck_multivalue_transformer.cpp): short
 * options in order, each followed by its value when it takes one; '?' for an unknown option; '' for an
 * option whose value is missing. It stops at "--", at the first word that is not an option, and at "-";
 * long options (--x) are skipped. With a selector C: the value (or the option) of the last -C alone, and
 * no result when there is no -C.
 */
function getopt(argv: readonly string[], info: Optstring, selector: string | undefined): string[] | undefined {
  const out: string[] = [];
  let selected: string | undefined;
  const emit = (name: string, value: string | undefined): void => {
    if (selector !== undefined) selected = value ?? name;
    else {
      out.push(name);
      if (value !== undefined) out.push(value);
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.length > 2 && a.startsWith('--')) continue;
    if (a.length < 2 || a[0] !== '-') break;
    for (let k = 1; k < a.length; k++) {
      const o = a[k]!;
      if (o === ':' || !info.valid.has(o)) {
        if (selector === undefined) out.push('?');
        continue;
      }
      const match = selector === undefined || o === selector;
      if (!info.withArg.has(o)) {
        if (match) emit(o, undefined);
        continue;
      }
      let value: string | undefined;
      if (k + 1 < a.length) value = a.slice(k + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      if (match) {
        if (value === undefined) emit('', undefined);
        else emit(o, value);
      }
      break;
    }
  }
  if (selector !== undefined) return selected === undefined ? undefined : [selected];
  return out;
}

function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function asciiUpper(s: string): string {
  return /[a-z]/.test(s) ? s.replace(/[a-z]+/g, (m) => m.toUpperCase()) : s;
}

// ---------------------------------------------------------------------------------------------
// costs and names

/** Fields read straight from the event header or the table: tested first. */
const CHEAP_FIELDS = new Set(['evt.type', 'evt.dir', 'evt.cpu', 'evt.num', 'thread.tid', 'evt.is_io', 'evt.is_io_read', 'evt.is_io_write', 'evt.is_wait', 'evt.count']);
/** Fields that render text or walk lists: tested last. */
const EXPENSIVE_FIELDS = new Set(['evt.buffer', 'evt.args', 'evt.info', 'evt.arg', 'evt.rawarg', 'proc.args', 'proc.cmdline', 'proc.env', 'proc.aname', 'proc.apid', 'fdlist.names', 'fdlist.cips', 'fdlist.sips', 'fdlist.cports', 'fdlist.sports', 'evt.time', 'evt.datetime', 'evt.time.s', 'evt.datetime.s', 'evt.time.iso8601']);

/** Fields whose value depends on the events seen before (no reordering then). */
function hasStatefulField(e: Expr): boolean {
  const stack: Expr[] = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.kind === 'and' || x.kind === 'or') stack.push(...x.children);
    else if (x.kind === 'not') stack.push(x.child);
    else if (x.kind === 'check') {
      const names: string[] = [];
      const collect = (o: unknown): void => {
        if (!o || typeof o !== 'object') return;
        const n = o as { kind?: string; name?: string; args?: unknown[] };
        if (n.kind === 'field' && n.name) names.push(n.name);
        if (n.args) n.args.forEach(collect);
      };
      collect(x.left);
      collect(x.right);
      // (a field that keeps state per use, or changes what later fields read: evt.deltatime, thread.exectime,
      // thread.cpu, evt.abspath)
      if (names.some((n) => {
        const d = fieldByName(n) ?? resolveField(n)?.def;
        return d !== undefined && (d.instance !== undefined || d.sideEffects === true);
      })) return true;
    }
  }
  return false;
}

export function closestFields(name: string, max = 3): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  const scored: [number, string][] = [];
  for (const f of allFields()) {
    const d = editDistance(name, f.name, limit);
    if (d <= limit) scored.push([d, f.name]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.slice(0, max).map((s) => s[1]);
}

/** Levenshtein distance, giving up (returning limit + 1) once it exceeds limit. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (cur[j]! < rowMin) rowMin = cur[j]!;
    }
    if (rowMin > limit) return limit + 1;
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}
