// sysdig's filter language: compileFilter(expr) parses (grammar in parser.ts) and compiles to closures.

import type { Ctx } from '../fields/types.js';
import type { ResolvedField } from '../fields/registry.js';
import { parseFilter } from './parser.js';
import { compileExpr } from './compile.js';
import { StatelessCtx } from './run.js';
import { EventView } from '../scap/event.js';
import { eventInfo } from '../events/table.js';
import { tracerEventBytes } from '../state/tracer.js';
export { isStatelessField } from './compile.js';

export { FilterError, formatFilterError } from './error.js';
export { parseFilter, MAX_DEPTH } from './parser.js';
export { filterEvent, filterEventStateless, StatelessCtx, FilterVerdict } from './run.js';
export type { Expr } from './ast.js';

export interface CompiledFilter {
  /** true when the event matches; read the fields of the event the engine is on */
  test(ctx: Ctx): boolean;
  /** the fields the expression reads */
  fields: ResolvedField[];
  /** the expression as given */
  expr: string;
  /**
   * the test reads only the event's own bytes and the event table (evt.type, evt.dir, evt.buffer...):
   * a writer may then decide without running the state engine (see filterEventStateless)
   */
  stateless: boolean;
}

/** Parse and compile a filter expression. Throws FilterError (a UsageError: exit 2) with a column. */
export function compileFilter(expr: string, opts: { invert?: boolean } = {}): CompiledFilter {
  const ast = parseFilter(expr);
  const c = compileExpr(ast, expr);
  const t = c.test;
  const test = opts.invert ? (ctx: Ctx) => !t(ctx) : t;
  return { test, fields: c.fields, expr, stateless: c.stateless && !keepsTracers(test) };
}

/**
 * Whether sysdig 0.29.3 compiles the expression: as compileFilter, but an operator that the field's type does
 * not take is left for the events to fail on, as that version does (see compileExpr).
 */
export function compilesIn0293(expr: string): boolean {
  try {
    compileExpr(parseFilter(expr), expr, true);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a filter that reads only the event would keep a tracer event (evt.type=tracer, evt.dir=>...).
 * Which writes are tracers depends on their fd, so such a filter runs with the state engine.
 */
function keepsTracers(test: (ctx: Ctx) => boolean): boolean {
  const ctx = new StatelessCtx();
  for (const type of [268, 269]) {
    // an empty tracer: id 0, no tags, no args
    const ev = new EventView();
    ev.set(tracerEventBytes(type, 0, Buffer.alloc(0), Buffer.alloc(0)), 0, false, false, 3);
    ctx.ev = ev;
    ctx.info = eventInfo(type)!;
    if (test(ctx)) return true;
  }
  return false;
}
