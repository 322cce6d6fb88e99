// The filter's glob and iglob: libsinsp calls glibc's fnmatch(pattern, value, 0), and FNM_CASEFOLD for
// iglob (userspace/libsinsp/utils.cpp sinsp_utils::glob_match), in the C locale: one byte a character,
// case folded in ASCII only.
//   - `*` matches any run of bytes and `?` any one byte, '/' and a leading '.' included (no FNM_PATHNAME,
//     no FNM_PERIOD); a backslash makes the next character literal, and one at the end matches nothing;
//   - [...] and [!...] or [^...] (negated), ']' first is a member, ranges a-z, classes [:alpha:] (glibc's
//     twelve names); a '[' without its ']' is a literal '['.
// Brackets follow glibc's posix/fnmatch_loop.c scan, quirks included: a class name that glibc does not
// know fails the bracket for every character not matched before it; [= =] and [. .] are not parsed
// (single-character ones mean that character in the C locale).
// Matching is the greedy two-pointer walk that goes back only to the last '*': time at most the value's
// length times the pattern's. (The RegExp tdig used before took time growing as the value's length to the
// power of the number of stars: "*a*a*a*a*a*a*a*a*b" on a 400-byte path did not finish.)

const STAR = -1;
const ANY = -2;
/** a token that matches nothing (a backslash at the end, a bracket whose scan always fails) */
const NEVER = -3;
/** TABLE - i: the bracket whose verdicts are tables[i] */
const TABLE = -4;

const CLASSES: Record<string, (c: number) => boolean> = {
  alnum: (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a),
  alpha: (c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a),
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: (c) => c >= 0x30 && c <= 0x39,
  graph: (c) => c > 0x20 && c < 0x7f,
  lower: (c) => c >= 0x61 && c <= 0x7a,
  print: (c) => c >= 0x20 && c < 0x7f,
  punct: (c) => (c > 0x20 && c < 0x30) || (c > 0x39 && c < 0x41) || (c > 0x5a && c < 0x61) || (c > 0x7a && c < 0x7f),
  space: (c) => c === 0x20 || (c >= 0x09 && c <= 0x0d),
  upper: (c) => c >= 0x41 && c <= 0x5a,
  xdigit: (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66),
};

/** glibc's CHAR_CLASS_MAX_LENGTH */
const CLASS_NAME_MAX = 256;

/** a character no bracket holds (beyond every character code), for a scan of the bracket's shape */
const NO_CHAR = 0x110000;

const fold = (c: number, icase: boolean): number => (icase && c >= 0x41 && c <= 0x5a ? c + 32 : c);

/** What glibc's bracket scan says for one character. */
const enum Scan {
  In = 1,
  Out = 2,
  /** the bracket is not terminated: its '[' is compared as a literal */
  Literal = 3,
  /** FNM_NOMATCH from inside the bracket, whatever the character */
  Dead = 4,
}

/**
 * glibc's scan of the bracket at pat[start] ('[') for the character ch. Returns the verdict and, for
 * In and Out, the index after the closing ']'.
 */
function scanBracket(pat: string, start: number, ch: number, icase: boolean): [Scan, number] {
  const at = (k: number): number => (k < pat.length ? pat.charCodeAt(k) : 0);
  let p = start + 1;
  const not = at(p) === 0x21 || at(p) === 0x5e;
  if (not) p++;
  const fn = fold(ch, icase);
  let c = at(p++);
  let matched = false;
  for (;;) {
    let single = -1;
    if (c === 0x5c) {
      if (at(p) === 0) return [Scan.Dead, 0];
      single = fold(at(p), icase);
      p++;
    } else if (c === 0x5b && at(p) === 0x3a) {
      const startp = p;
      let name = '';
      let isName = true;
      for (;;) {
        if (name.length === CLASS_NAME_MAX) return [Scan.Dead, 0];
        c = at(++p);
        if (c === 0x3a && at(p + 1) === 0x5d) {
          p += 2;
          break;
        }
        if (c < 0x61 || c >= 0x7a) {
          // not a class name: the '[' is a member like any other
          p = startp;
          isName = false;
          break;
        }
        name += String.fromCharCode(c);
      }
      if (isName) {
        const test = CLASSES[name];
        if (test === undefined) return [Scan.Out, -1];
        if (test(ch)) {
          matched = true;
          break;
        }
        c = at(p++);
        if (c === 0x5d) break;
        continue;
      }
      single = 0x5b;
    } else if (c === 0) {
      return [Scan.Literal, 0];
    } else single = fold(c, icase);
    // a member, or the start of a range
    const isRange = at(p) === 0x2d && at(p + 1) !== 0 && at(p + 1) !== 0x5d;
    if (!isRange && single === fn) {
      matched = true;
      break;
    }
    const cold = single;
    c = at(p++);
    if (c === 0x2d && at(p) !== 0x5d) {
      let cend = at(p++);
      if (cend === 0x5c) cend = at(p++);
      if (cend === 0) return [Scan.Dead, 0];
      cend = fold(cend, icase);
      if (cold <= fn && fn <= cend) {
        matched = true;
        break;
      }
      c = at(p++);
    }
    if (c === 0x5d) break;
  }
  if (!matched) return [not ? Scan.In : Scan.Out, p];
  // skip the rest of the bracket (glibc does not check class names here); its end not found, the '['
  // is a literal after all
  for (;;) {
    c = at(p++);
    if (c === 0x5d) break;
    if (c === 0) return [Scan.Literal, 0];
    if (c === 0x5c) {
      if (at(p) === 0) return [Scan.Dead, 0];
      p++;
    } else if (c === 0x5b && at(p) === 0x3a) {
      const startp = p;
      let n = 0;
      for (;;) {
        c = at(++p);
        if (++n === CLASS_NAME_MAX) return [Scan.Dead, 0];
        if (c === 0x3a && at(p + 1) === 0x5d) {
          p += 2;
          break;
        }
        if (c < 0x61 || c >= 0x7a) {
          p = startp;
          break;
        }
      }
    }
  }
  return [not ? Scan.Out : Scan.In, p];
}

/** A compiled glob: test(value) says whether fnmatch would match the whole value. */
export class Glob {
  /** per token: a character (folded for iglob), STAR, ANY, NEVER, or TABLE - i for tables[i] */
  private readonly tokens: number[] = [];
  private readonly tables: Uint8Array[] = [];

  constructor(
    pattern: string,
    private readonly icase: boolean,
  ) {
    const t = this.tokens;
    for (let i = 0; i < pattern.length; ) {
      const c = pattern.charCodeAt(i);
      if (c === 0x2a) {
        if (t[t.length - 1] !== STAR) t.push(STAR);
        i++;
      } else if (c === 0x3f) {
        t.push(ANY);
        i++;
      } else if (c === 0x5c) {
        if (i + 1 >= pattern.length) {
          t.push(NEVER);
          break;
        }
        t.push(fold(pattern.charCodeAt(i + 1), icase));
        i += 2;
      } else if (c === 0x5b) {
        // the bracket's shape first, from a scan for a character that is no member. Unterminated or dead:
        // only a literal '[' can match there, if glibc's scan for '[' says so. Else each byte is scanned,
        // and each scan stops at the bracket's ']' (an unterminated bracket costs a scan to the pattern's
        // end: a pattern of n unterminated '[' costs n^2 steps, not n^2 * 256)
        const [shape, shapeEnd] = scanBracket(pattern, i, NO_CHAR, icase);
        const table = new Uint8Array(256);
        let end = -1;
        if (shape !== Scan.Literal && shape !== Scan.Dead) {
          end = shapeEnd;
          for (let ch = 0; ch < 256; ch++) {
            const [r, e] = scanBracket(pattern, i, ch, icase);
            if (r === Scan.In) table[ch] = 1;
            if ((r === Scan.In || r === Scan.Out) && e > end) end = e;
          }
        }
        if (end < 0) {
          // no ']' ends it: '[' is compared as a character, unless glibc's scan for it fails outright
          const [r] = scanBracket(pattern, i, 0x5b, icase);
          if (r !== Scan.Literal) {
            t.push(NEVER);
            break;
          }
          t.push(0x5b);
          i++;
        } else {
          t.push(TABLE - this.tables.length);
          this.tables.push(table);
          i = end;
        }
      } else {
        t.push(fold(c, icase));
        i++;
      }
    }
  }

  private one(tok: number, ch: number): boolean {
    if (tok === ANY) return true;
    if (tok <= TABLE) return ch < 256 && this.tables[TABLE - tok]![ch] === 1;
    return tok >= 0 && tok === fold(ch, this.icase);
  }

  test(value: string): boolean {
    const t = this.tokens;
    let p = 0;
    let i = 0;
    let starP = -1;
    let starI = 0;
    const n = value.length;
    while (i < n) {
      const tok = p < t.length ? t[p]! : NEVER;
      if (tok === STAR) {
        starP = p++;
        starI = i;
        continue;
      }
      if (p < t.length && this.one(tok, value.charCodeAt(i))) {
        p++;
        i++;
        continue;
      }
      if (starP < 0) return false;
      p = starP + 1;
      i = ++starI;
    }
    while (p < t.length && t[p] === STAR) p++;
    return p === t.length;
  }
}

/** the last pattern compiled for globMatch, per case mode */
const lastGlob: [Glob | undefined, Glob | undefined] = [undefined, undefined];
const lastPattern: [string, string] = ['', ''];

/**
 * fnmatch(pattern, s) for a pattern known only per event (a container's mount path, a field compared with
 * another): the last pattern's compiled form is kept, so a run of events compiles it once.
 */
export function globMatch(pattern: string, s: string, icase = false): boolean {
  const k = icase ? 1 : 0;
  let g = lastGlob[k];
  if (g === undefined || lastPattern[k] !== pattern) {
    lastGlob[k] = g = new Glob(pattern, icase);
    lastPattern[k] = pattern;
  }
  return g.test(s);
}
