// The filter's one error type: a usage error (exit 2) that knows the column it points at and prints
// the expression with a caret under that column.

import { UsageError } from '../cli/errors.js';

/** Longest stretch of the expression shown on the caret line. */
const WINDOW = 72;

export class FilterError extends UsageError {
  override name = 'FilterError';
  /** the bare reason, without position or expression */
  readonly reason: string;

  constructor(
    reason: string,
    /** 1-based column (character index + 1) in the expression */
    readonly column: number,
    readonly expr: string,
  ) {
    super(formatFilterError(reason, column, expr));
    this.reason = reason;
  }
}

/** "filter error at column N: reason" + the expression (or a window of it) + a caret line. */
export function formatFilterError(reason: string, column: number, expr: string): string {
  const col = Math.max(1, Math.min(column, expr.length + 1));
  // blanks and control characters are shown as spaces so the caret stays aligned
  const flat = expr.replace(/[\x00-\x1f\x7f]/g, ' ');
  let start = 0;
  let end = flat.length;
  if (flat.length > WINDOW) {
    start = Math.max(0, col - 1 - Math.floor(WINDOW / 2));
    end = Math.min(flat.length, start + WINDOW);
    start = Math.max(0, end - WINDOW);
  }
  const pre = start > 0 ? '...' : '';
  const post = end < flat.length ? '...' : '';
  const shown = pre + flat.slice(start, end) + post;
  const caret = ' '.repeat(pre.length + col - 1 - start) + '^';
  return `filter error at column ${col}: ${reason}\n  ${shown}\n  ${caret}`;
}
