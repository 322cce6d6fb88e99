// Token recognisers for the filter grammar (see parser.ts). The lexer is a cursor over the expression:
// each method tries one token kind at the cursor, consumes it and returns true, or leaves the cursor.

import { FilterError } from './error.js';

const FIELD_NAME = /[a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+/y;
const IDENTIFIER = /[a-zA-Z]+[a-zA-Z0-9_]*/y;
const FIELD_ARG_BARE = /[^\][" '\t\n\r\b\f\v]+/y;
const HEX_NUM = /0[xX][0-9a-fA-F]+/y;
const NUMBER = /[+-]?[0-9]+\.?[0-9]*(?:[eE][+-][0-9]+)?/y;
// bare strings: the current grammar's set, plus '=' after the first character (sysdig 0.29.3 takes
// `evt.args contains fd=3`)
const BARE_STR = /[^()"'\s=,][^()"'\s,]*/y;
const NOT_BLANK = /not\s+/y;
const BLANKS = /[ \t\r\n\b]+/y;

export const UNARY_OPS = ['exists'];
export const NUM_OPS = ['<=', '<', '>=', '>'];
/** a trailing blank marks operators that must be followed by one */
export const STR_OPS = ['==', '=', '!=', 'glob ', 'iglob ', 'contains ', 'icontains ', 'bcontains ', 'startswith ', 'bstartswith ', 'endswith ', 'regex '];
export const STR_OP_MODIFIERS = ['oneof ', 'anyof ', 'allof '];
export const LIST_OPS = ['intersects', 'in', 'pmatch'];
export const TRANSFORMERS = ['tolower(', 'toupper(', 'b64(', 'basename(', 'len(', 'join(', 'concat(', 'getopt('];

/**
 * Filter values are compared with capture bytes, which tdig holds as latin1 strings (one char per
 * byte): text typed in the expression becomes its UTF-8 bytes the same way.
 */
export function byteString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

export class Lexer {
  /** 0-based cursor */
  i = 0;
  /** text of the last token consumed (quoted strings: unescaped, without quotes) */
  last = '';

  constructor(readonly src: string) {}

  /** 1-based column of the cursor */
  get col(): number {
    return this.i + 1;
  }

  atEnd(): boolean {
    return this.i >= this.src.length;
  }

  peek(): string {
    return this.src[this.i] ?? '';
  }

  fail(reason: string, col = this.col): never {
    throw new FilterError(reason, col, this.src);
  }

  /** Skip blanks; true when there were any. Does not change `last`. */
  blank(): boolean {
    BLANKS.lastIndex = this.i;
    if (BLANKS.test(this.src)) {
      this.i = BLANKS.lastIndex;
      return true;
    }
    return false;
  }

  private rx(re: RegExp): boolean {
    re.lastIndex = this.i;
    const m = re.exec(this.src);
    if (!m) return false;
    this.last = m[0];
    this.i += m[0].length;
    return true;
  }

  str(s: string): boolean {
    if (this.src.startsWith(s, this.i)) {
      this.last = s;
      this.i += s.length;
      return true;
    }
    return false;
  }

  strList(list: readonly string[]): boolean {
    for (const s of list) if (this.str(s)) return true;
    return false;
  }

  /** An operator from `list`; entries ending in a blank need a blank after the word. */
  operator(list: readonly string[]): boolean {
    for (const op of list) {
      if (!op.endsWith(' ')) {
        if (this.str(op)) return true;
        continue;
      }
      const save = this.i;
      if (this.str(op.slice(0, -1))) {
        if (this.blank()) {
          this.last = op.slice(0, -1);
          return true;
        }
        this.i = save;
      }
    }
    return false;
  }

  notBlank(): boolean {
    return this.rx(NOT_BLANK);
  }
  fieldName(): boolean {
    return this.rx(FIELD_NAME);
  }
  identifier(): boolean {
    return this.rx(IDENTIFIER);
  }
  fieldArgBare(): boolean {
    return this.rx(FIELD_ARG_BARE);
  }
  number(): boolean {
    return this.rx(HEX_NUM) || this.rx(NUMBER);
  }
  bareStr(): boolean {
    return this.rx(BARE_STR);
  }

  /** A quoted string ('...' or "..."); `last` gets the unescaped contents. Unclosed quotes are an error. */
  quoted(): boolean {
    const q = this.peek();
    if (q !== '"' && q !== "'") return false;
    const start = this.i;
    let out = '';
    let j = start + 1;
    const s = this.src;
    for (;;) {
      if (j >= s.length) this.fail(`unclosed quote ${q}`, start + 1);
      const c = s[j]!;
      if (c === q) break;
      if (c !== '\\') {
        const cp = s.codePointAt(j)!;
        if (cp < 0x80) out += c;
        else out += byteString(String.fromCodePoint(cp));
        j += cp > 0xffff ? 2 : 1;
        continue;
      }
      const e = s[j + 1];
      if (e === undefined) this.fail(`unclosed quote ${q}`, start + 1);
      j += 2;
      switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case ' ': out += '\\'; break;
        case '"': out += '"'; break;
        case "'": out += "'"; break;
        case 'x': {
          const h = s.slice(j, j + 2);
          if (!/^[0-9a-fA-F]{2}$/.test(h)) this.fail(`invalid \\x escape: \\x${h}`, j - 1);
          out += String.fromCharCode(parseInt(h, 16));
          j += 2;
          break;
        }
        default:
          // sysdig 0.29.3 keeps an unknown escape as it is
          out += '\\' + e;
      }
    }
    this.i = j + 1;
    this.last = out;
    return true;
  }
}
