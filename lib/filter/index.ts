// sysdig's filter language: compileFilter(expr) parses (grammar in parser.ts) and compiles to closures.

import type { Ctx } from '../fields/types.js';
import type { ResolvedField } from '../fields/registry.js';
import { parseFilter } from './parser.js';
import { compileExpr } from './compile.js';
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
  return { test: opts.invert ? (ctx) => !t(ctx) : t, fields: c.fields, expr, stateless: c.stateless };
}
