// The filter's `regex` operator, as current libs runs it (userspace/libsinsp/sinsp_filtercheck.cpp): the
// pattern is compiled by RE2 with RE2::POSIX options and must match the whole value
// (RE2::Match with ANCHOR_BOTH). JavaScript's RegExp is not used: its syntax and semantics differ, and it
// backtracks, so a pattern like (a|aa)*b takes time exponential in the length of a long path. This is a
// Thompson NFA over the value's UTF-8 runes: time linear in the value times the pattern.
//
// RE2::POSIX syntax (google/re2 re2/re2.cc Options::ParseFlags, re2/parse.cc): posix_syntax without
// perl_classes, word_boundary or one_line, so
//   - literals, `.`, [...], [^...], [[:alpha:]] (POSIX classes, and RE2's [:word:]), ( ), |, * + ?, {n},
//     {n,}, {n,m} (at most 1000 in all, nested counts multiplied), ^ and $;
//   - ^ and $ match at the start and end of any line (one_line is off), `.` matches anything but \n, and a
//     negated class matches \n;
//   - escapes: \n \r \t \a \f \v, \x41, \x{41}, octal \0-\777 (\1-\7 alone would be back-references:
//     refused), and a backslash before any other ASCII character that is not a letter or digit;
//   - Perl's \d \s \w \b \pN, (?i), (?:...), lazy quantifiers, \A \z \Q...\E are errors, as RE2 reports
//     them ("invalid escape sequence: \d", "missing argument to repetition operator: ?");
//   - stacked repetitions fold (a** is a*, a*? is a*).
// Values are byte strings (latin1, one char per byte) and are read as UTF-8: a byte that starts no UTF-8
// sequence (or one cut short) matches nothing; an overlong or out-of-range sequence matches only `.` and
// classes that take every non-ASCII rune, as in RE2's compiled program (re2/compile.cc Add_80_10ffff).

export class RegexError extends Error {}

const RUNE_MAX = 0x10ffff;
const MAX_REPEAT = 1000;
/** program size at which a pattern is refused (RE2 refuses by memory: "pattern too large") */
const MAX_INSTS = 200_000;
/** a rune decoded from an overlong or out-of-range UTF-8 sequence */
const ODD = -2;
/** parentheses nested deeper than this are refused (the parser and compiler recurse) */
const MAX_DEPTH = 1000;
/** a byte that starts no (complete) UTF-8 sequence */
const BAD = -1;

type Node =
  | { k: 'empty' }
  | { k: 'class'; r: number[] }
  | { k: 'bol' }
  | { k: 'eol' }
  | { k: 'cat'; s: Node[] }
  | { k: 'alt'; s: Node[] }
  | { k: 'rep'; min: number; max: number; s: Node; simple: boolean };

const POSIX: Record<string, number[]> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x0, 0x7f],
  blank: [0x9, 0x9, 0x20, 0x20],
  cntrl: [0x0, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x9, 0xd, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

/** Sorted, merged [lo, hi, lo, hi, ...]. */
function normalize(r: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < r.length; i += 2) pairs.push([r[i]!, r[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) out[n - 1] = Math.max(out[n - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function negate(r: number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < r.length; i += 2) {
    if (next < r[i]!) out.push(next, r[i]! - 1);
    next = r[i + 1]! + 1;
  }
  if (next <= RUNE_MAX) out.push(next, RUNE_MAX);
  return out;
}

/** the runes of the value being matched (grown as needed; test() is not re-entered) */
let scratch = new Int32Array(256);

/**
 * Runes of a byte string decoded as UTF-8; `strict` (the pattern) refuses what is not valid UTF-8. With
 * `into`, they go there (it must hold s.length) and the count is the subarray's length.
 */
function runes(s: string, strict: boolean, into?: Int32Array): Int32Array {
  const out = into ?? new Int32Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; ) {
    const b = s.charCodeAt(i) & 0xff;
    let need = 0;
    let r = 0;
    if (b < 0x80) {
      out[n++] = b;
      i++;
      continue;
    }
    if (b >= 0xc2 && b <= 0xdf) (need = 1), (r = b & 0x1f);
    else if (b >= 0xe0 && b <= 0xef) (need = 2), (r = b & 0x0f);
    else if (b >= 0xf0 && b <= 0xf4) (need = 3), (r = b & 0x07);
    let ok = need > 0 && i + need < s.length;
    if (ok) {
      for (let k = 1; k <= need; k++) {
        const c = s.charCodeAt(i + k) & 0xff;
        if ((c & 0xc0) !== 0x80) {
          ok = false;
          break;
        }
        r = (r << 6) | (c & 0x3f);
      }
    }
    if (!ok) {
      if (strict) throw new RegexError('invalid UTF-8');
      out[n++] = BAD;
      i++;
      continue;
    }
    const odd = (need === 2 && r < 0x800) || (need === 3 && (r < 0x10000 || r > RUNE_MAX));
    if (odd && strict) throw new RegexError('invalid UTF-8');
    out[n++] = odd ? ODD : r;
    i += need + 1;
  }
  return out.subarray(0, n);
}

/** The text of pattern runes [from, to), for error messages (back to UTF-8 bytes as latin1 chars). */
function textOf(p: Int32Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to && i < p.length; i++) s += String.fromCodePoint(p[i]!);
  return Buffer.from(s, 'utf8').toString('latin1');
}

class Parser {
  private i = 0;
  constructor(private readonly p: Int32Array) {}

  private fail(what: string, from?: number, to?: number): never {
    throw new RegexError(from === undefined ? what : `${what}: ${textOf(this.p, from, to ?? this.p.length)}`);
  }

  parse(): Node {
    const n = this.alt(0);
    if (this.i < this.p.length) this.fail('unexpected )', 0); // a ')' without its '('
    return n;
  }

  private alt(depth: number): Node {
    const branches: Node[] = [this.cat(depth)];
    while (this.p[this.i] === 0x7c) {
      this.i++;
      branches.push(this.cat(depth));
    }
    return branches.length === 1 ? branches[0]! : { k: 'alt', s: branches };
  }

  private cat(depth: number): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.p[this.i];
      if (c === undefined || c === 0x7c) break;
      if (c === 0x29) {
        if (depth === 0) this.fail('unexpected )', 0);
        break;
      }
      const at = this.i;
      if (c === 0x2a || c === 0x2b || c === 0x3f) {
        this.i++;
        const last = items.length ? items[items.length - 1]! : undefined;
        if (last === undefined) this.fail('missing argument to repetition operator', at, at + 1);
        items[items.length - 1] = this.repeat(last, c === 0x2b ? 1 : 0, c === 0x3f ? 1 : -1, true);
        continue;
      }
      if (c === 0x7b) {
        const r = this.counted();
        if (r !== undefined) {
          const last = items.length ? items[items.length - 1]! : undefined;
          const [lo, hi] = r;
          if ((hi !== -1 && hi < lo) || lo > MAX_REPEAT || hi > MAX_REPEAT) this.fail('invalid repetition size', at, this.i);
          if (last === undefined) this.fail('missing argument to repetition operator', at, this.i);
          const rep = this.repeat(last, lo, hi, false);
          if ((lo >= 2 || hi >= 2) && copies(rep) > MAX_REPEAT) this.fail('invalid repetition size', at, this.i);
          items[items.length - 1] = rep;
          continue;
        }
        this.i++;
        items.push({ k: 'class', r: [0x7b, 0x7b] });
        continue;
      }
      items.push(this.atom(depth));
    }
    return items.length === 0 ? { k: 'empty' } : items.length === 1 ? items[0]! : { k: 'cat', s: items };
  }

  /** x* x+ x? fold into one another when stacked (re2/parse.cc PushRepeatOp); x{n,m} nests. */
  private repeat(x: Node, min: number, max: number, simple: boolean): Node {
    if (simple && x.k === 'rep' && x.simple) {
      if (x.min === min && x.max === max) return x;
      return { k: 'rep', min: 0, max: -1, s: x.s, simple: true };
    }
    return { k: 'rep', min, max, s: x, simple };
  }

  /** {n}, {n,}, {n,m} at the cursor, or undefined (then the brace is a literal). */
  private counted(): [number, number] | undefined {
    const p = this.p;
    let j = this.i + 1;
    // re2/parse.cc ParseInteger: no leading zero, and a count that reaches 10^8 before its last digit
    // makes the brace a literal
    const int = (): number | undefined => {
      const s = j;
      let v = 0;
      while (p[j] !== undefined && p[j]! >= 0x30 && p[j]! <= 0x39) {
        if (v >= 100000000) return undefined;
        v = v * 10 + (p[j]! - 0x30);
        j++;
      }
      if (j === s || (p[s] === 0x30 && j - s > 1)) return undefined;
      return v;
    };
    const lo = int();
    if (lo === undefined) return undefined;
    let hi = lo;
    if (p[j] === 0x2c) {
      j++;
      if (p[j] === 0x7d) hi = -1;
      else {
        const h = int();
        if (h === undefined) return undefined;
        hi = h;
      }
    }
    if (p[j] !== 0x7d) return undefined;
    this.i = j + 1;
    return [lo, hi];
  }

  private atom(depth: number): Node {
    const p = this.p;
    const c = p[this.i]!;
    switch (c) {
      case 0x28: {
        // '(' ... ')': a group (RE2::POSIX has no (?...) syntax: '?' right after '(' has no argument)
        if (depth >= MAX_DEPTH) this.fail('expression nests too deeply');
        this.i++;
        const inner = this.alt(depth + 1);
        if (p[this.i] !== 0x29) this.fail('missing )', 0);
        this.i++;
        return { k: 'cat', s: [inner] };
      }
      case 0x5e:
        this.i++;
        return { k: 'bol' };
      case 0x24:
        this.i++;
        return { k: 'eol' };
      case 0x2e:
        this.i++;
        return { k: 'class', r: [0, 0x9, 0xb, RUNE_MAX] };
      case 0x5b:
        return this.bracket();
      case 0x5c: {
        const r = this.escape();
        return { k: 'class', r: [r, r] };
      }
      default:
        this.i++;
        return { k: 'class', r: [c, c] };
    }
  }

  /** A backslash escape outside or inside a class (re2/parse.cc ParseEscape). */
  private escape(): number {
    const p = this.p;
    const begin = this.i;
    this.i++;
    const c = p[this.i];
    if (c === undefined) this.fail('trailing \\');
    this.i++;
    const bad = (): never => this.fail('invalid escape sequence', begin, this.i);
    if (c < 0x80 && !/[0-9A-Za-z]/.test(String.fromCharCode(c))) return c;
    const oct = (d: number | undefined): boolean => d !== undefined && d >= 0x30 && d <= 0x37;
    const hex = (d: number | undefined): boolean => d !== undefined && /[0-9A-Fa-f]/.test(String.fromCharCode(d));
    if (c >= 0x31 && c <= 0x37 && !oct(p[this.i])) bad();
    if (c >= 0x30 && c <= 0x37) {
      let code = c - 0x30;
      for (let k = 0; k < 2 && oct(p[this.i]); k++) code = code * 8 + (p[this.i++]! - 0x30);
      return code;
    }
    switch (c) {
      case 0x78: {
        // \x41 or \x{...}
        if (p[this.i] === undefined) bad();
        if (p[this.i] === 0x7b) {
          this.i++;
          let code = 0;
          let n = 0;
          while (hex(p[this.i])) {
            code = code * 16 + parseInt(String.fromCharCode(p[this.i++]!), 16);
            n++;
            if (code > RUNE_MAX) bad();
          }
          if (p[this.i] !== 0x7d || n === 0) {
            if (p[this.i] !== undefined) this.i++;
            bad();
          }
          this.i++;
          return code;
        }
        const a = p[this.i];
        const b = p[this.i + 1];
        this.i += b === undefined ? 1 : 2;
        if (!hex(a) || !hex(b)) bad();
        return parseInt(String.fromCharCode(a!, b!), 16);
      }
      case 0x6e: return 0x0a;
      case 0x72: return 0x0d;
      case 0x74: return 0x09;
      case 0x61: return 0x07;
      case 0x66: return 0x0c;
      case 0x76: return 0x0b;
    }
    return bad();
  }

  /** [...] (re2/parse.cc ParseCharClass, without Perl's extensions). */
  private bracket(): Node {
    const p = this.p;
    const whole = this.i;
    this.i++;
    let negated = false;
    if (p[this.i] === 0x5e) {
      negated = true;
      this.i++;
    }
    const r: number[] = [];
    let first = true;
    while (p[this.i] !== undefined && (p[this.i] !== 0x5d || first)) {
      // '-' only first or last, unescaped (Perl allows it anywhere; POSIX syntax does not)
      if (p[this.i] === 0x2d && !first && p[this.i + 1] !== 0x5d) this.fail('invalid character class range', this.i, this.i + 2);
      first = false;
      if (p[this.i] === 0x5b && p[this.i + 1] === 0x3a) {
        // [:name:] or [:^name:]; without a closing ":]" the '[' is a literal
        let q = this.i + 2;
        while (q + 1 < p.length && !(p[q] === 0x3a && p[q + 1] === 0x5d)) q++;
        if (q + 1 < p.length) {
          const name = textOf(p, this.i + 2, q);
          const neg = name.startsWith('^');
          const g = POSIX[neg ? name.slice(1) : name];
          if (g === undefined) this.fail('invalid character class range', this.i, q + 2);
          r.push(...(neg ? negate(g) : g));
          this.i = q + 2;
          continue;
        }
      }
      const from = this.i;
      const lo = this.ccChar(whole);
      let hi = lo;
      if (p[this.i] === 0x2d && p[this.i + 1] !== undefined && p[this.i + 1] !== 0x5d) {
        this.i++;
        hi = this.ccChar(whole);
        if (hi < lo) this.fail('invalid character class range', from, this.i);
      }
      r.push(lo, hi);
    }
    if (p[this.i] === undefined) this.fail('missing ]', whole);
    this.i++;
    const set = normalize(r);
    return { k: 'class', r: negated ? negate(set) : set };
  }

  private ccChar(whole: number): number {
    const c = this.p[this.i];
    if (c === undefined) this.fail('missing ]', whole);
    if (c === 0x5c) return this.escape();
    this.i++;
    return c;
  }
}

/** How many copies of its innermost thing a repetition makes (RE2 allows at most 1000). */
function copies(n: Node): number {
  switch (n.k) {
    case 'rep': {
      const m = n.max >= 0 ? n.max : n.min;
      return Math.max(m, 1) * copies(n.s);
    }
    case 'cat':
    case 'alt':
      return Math.max(1, ...n.s.map(copies));
    default:
      return 1;
  }
}

// The program: instructions in parallel arrays.
const I_CLASS = 0;
const I_SPLIT = 1;
const I_JMP = 2;
const I_BOL = 3;
const I_EOL = 4;
const I_MATCH = 5;

class Program {
  op: number[] = [];
  x: number[] = [];
  y: number[] = [];
  cls: (number[] | undefined)[] = [];

  emit(op: number, x = 0, y = 0, cls?: number[]): number {
    if (this.op.length >= MAX_INSTS) throw new RegexError('pattern too large - compile failed');
    this.op.push(op);
    this.x.push(x);
    this.y.push(y);
    this.cls.push(cls);
    return this.op.length - 1;
  }

  gen(n: Node): void {
    switch (n.k) {
      case 'empty':
        return;
      case 'class':
        this.emit(I_CLASS, 0, 0, n.r);
        return;
      case 'bol':
        this.emit(I_BOL);
        return;
      case 'eol':
        this.emit(I_EOL);
        return;
      case 'cat':
        for (const s of n.s) this.gen(s);
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let k = 0; k < n.s.length; k++) {
          if (k < n.s.length - 1) {
            const split = this.emit(I_SPLIT);
            this.x[split] = split + 1;
            this.gen(n.s[k]!);
            jumps.push(this.emit(I_JMP));
            this.y[split] = this.op.length;
          } else this.gen(n.s[k]!);
        }
        for (const j of jumps) this.x[j] = this.op.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) this.gen(n.s);
        if (n.max === -1) {
          // x*: L: split L+1, out; x; jmp L
          const split = this.emit(I_SPLIT);
          this.x[split] = split + 1;
          this.gen(n.s);
          const j = this.emit(I_JMP);
          this.x[j] = split;
          this.y[split] = this.op.length;
          return;
        }
        const splits: number[] = [];
        for (let k = n.min; k < n.max; k++) {
          const split = this.emit(I_SPLIT);
          this.x[split] = split + 1;
          splits.push(split);
          this.gen(n.s);
        }
        for (const s of splits) this.y[s] = this.op.length;
        return;
      }
    }
  }
}

/** A compiled pattern: test(value) says whether the whole value matches. */
export class Re2 {
  private readonly prog: Program;
  private readonly n: number;
  private readonly odd: Uint8Array;
  private cur: Int32Array;
  private next: Int32Array;
  private readonly mark: Int32Array;
  private stamp = 0;
  /** ASCII text every matching value starts with (the pattern's leading literals) */
  private readonly prefix: string;
  private lastValue: string | undefined = undefined;
  private lastResult = false;
  private readonly stack: Int32Array;

  /** Throws RegexError with RE2's message for a pattern RE2::POSIX refuses. */
  constructor(pattern: string) {
    const tree = new Parser(runes(pattern, true)).parse();
    this.prefix = literalPrefix(tree);
    const prog = new Program();
    prog.gen(tree);
    prog.emit(I_MATCH);
    this.prog = prog;
    this.n = prog.op.length;
    // a class that takes all of 0x80-0x10FFFF also takes what RE2 reads permissively there
    this.odd = new Uint8Array(this.n);
    for (let k = 0; k < this.n; k++) {
      const r = prog.cls[k];
      if (r !== undefined) for (let i = 0; i < r.length; i += 2) if (r[i]! <= 0x80 && r[i + 1]! >= RUNE_MAX) this.odd[k] = 1;
    }
    this.cur = new Int32Array(this.n);
    this.next = new Int32Array(this.n);
    this.mark = new Int32Array(this.n);
    // each instruction is expanded once per step and pushes at most two
    this.stack = new Int32Array(2 * this.n + 2);
  }

  /** Adds pc and what it reaches without reading a rune (at rune position i of text t, tn runes) to list l. */
  private add(l: Int32Array, len: number, pc0: number, t: Int32Array, tn: number, i: number): number {
    const { op, x, y } = this.prog;
    const mark = this.mark;
    const stamp = this.stamp;
    const stack = this.stack;
    let sp = 0;
    stack[sp++] = pc0;
    while (sp > 0) {
      const pc = stack[--sp]!;
      if (mark[pc] === stamp) continue;
      mark[pc] = stamp;
      switch (op[pc]) {
        case I_JMP:
          stack[sp++] = x[pc]!;
          break;
        case I_SPLIT:
          // y first on the stack: x is followed first (order does not change a yes/no answer)
          stack[sp++] = y[pc]!;
          stack[sp++] = x[pc]!;
          break;
        case I_BOL:
          if (i === 0 || t[i - 1] === 0x0a) stack[sp++] = pc + 1;
          break;
        case I_EOL:
          if (i === tn || t[i] === 0x0a) stack[sp++] = pc + 1;
          break;
        default:
          l[len++] = pc;
      }
    }
    return len;
  }

  /** A new mark for the next list (the marks are 32-bit: they start again from 1 before they wrap). */
  private bump(): void {
    if (++this.stamp === 0x7fffffff) {
      this.mark.fill(0);
      this.stamp = 1;
    }
  }

  test(value: string): boolean {
    // the same value again (an fd's name, event after event): the same answer
    if (value === this.lastValue) return this.lastResult;
    const r = this.run(value);
    this.lastValue = value;
    this.lastResult = r;
    return r;
  }

  private run(value: string): boolean {
    if (this.prefix !== '' && !value.startsWith(this.prefix)) return false;
    if (scratch.length < value.length) scratch = new Int32Array(Math.max(value.length, 2 * scratch.length));
    const t = runes(value, false, scratch);
    const tn = t.length;
    const { op, cls } = this.prog;
    let cur = this.cur;
    let next = this.next;
    this.bump();
    let n = this.add(cur, 0, 0, scratch, tn, 0);
    for (let i = 0; i < tn && n > 0; i++) {
      const r = t[i]!;
      this.bump();
      let m = 0;
      for (let k = 0; k < n; k++) {
        const pc = cur[k]!;
        if (op[pc] !== I_CLASS) continue;
        if (r === BAD) continue;
        if (r === ODD ? this.odd[pc] === 1 : inClass(cls[pc]!, r)) m = this.add(next, m, pc + 1, scratch, tn, i + 1);
      }
      const tmp = cur;
      cur = next;
      next = tmp;
      n = m;
    }
    for (let k = 0; k < n; k++) if (op[cur[k]!] === I_MATCH) return true;
    return false;
  }
}

/** The ASCII literals a match must start with: the leading single characters of the top concatenation. */
function literalPrefix(tree: Node): string {
  const items: Node[] = [];
  const flat = (n: Node): boolean => {
    if (n.k === 'cat') {
      for (const s of n.s) if (!flat(s)) return false;
      return true;
    }
    items.push(n);
    return n.k === 'class' || n.k === 'bol';
  };
  flat(tree);
  let i = 0;
  // a ^ at the start matches there
  while (i < items.length && items[i]!.k === 'bol') i++;
  let prefix = '';
  for (; i < items.length; i++) {
    const n = items[i]!;
    if (n.k !== 'class' || n.r.length !== 2 || n.r[0] !== n.r[1] || n.r[0]! >= 0x80) break;
    prefix += String.fromCharCode(n.r[0]!);
  }
  return prefix;
}

function inClass(r: number[], c: number): boolean {
  for (let i = 0; i < r.length; i += 2) {
    if (c < r[i]!) return false;
    if (c <= r[i + 1]!) return true;
  }
  return false;
}
