// Tracers: spans that a program marks by writing text to /dev/null, which sysdig 0.29.3 shows as "tracer"
// events (libsinsp tracers.cpp, parsers.cpp parse_tracer). Two syntaxes:
//   simple   >:ID:TAG.TAG:NAME=VAL,NAME=VAL:      (< for the exit; ID: t, p, pp, g, empty or a number)
//   JSON     [">", ID, ["TAG", "TAG"], [{"NAME":"VAL"}, ...]]
// Parsing works on the bytes as libsinsp does, quirks included: a cut message is kept and the thread's next
// tracer write is appended to it; '0' where the id or the first tag starts counts as cut; a quoted JSON id
// other than "t", "p", "pp", "g" keeps the previous id. Strings are latin1: one char per byte.

/** sinsp_tracerparser::parse_result */
export const enum TracerResult {
  OK = 0,
  COMMA = 1,
  FAILED = 2,
  TRUNCATED = 3,
}

/** settings.h MAX_USER_EVT_BUFFER: a cut message longer than this is dropped */
const MAX_USER_EVT_BUFFER = 65536;
/** the size of libsinsp's pool of open spans (parsers.cpp, simple_lifo_queue of 128) */
const PARTIAL_TRACERS = 128;

const GT = 0x3e; // >
const LT = 0x3c; // <
const COLON = 0x3a;
const DOT = 0x2e;
const EQ = 0x3d;
const COMMA_CH = 0x2c;
const NL = 0x0a;
const BSLASH = 0x5c;
const SPACE = 0x20;
const QUOTE = 0x22;
const LSQ = 0x5b;
const RSQ = 0x5d;
const LCB = 0x7b;
const RCB = 0x7d;
const ZERO_CH = 0x30;

/** 256-entry byte sets */
function bytes(...cs: number[]): Uint8Array {
  const t = new Uint8Array(256);
  for (const c of cs) t[c] = 1;
  return t;
}
// where a tag, an argument name and a value end, and the bytes that make them invalid (parse_simple)
const TAG_END = bytes(DOT, COLON);
const TAG_BAD = bytes(GT, LT, EQ, NL);
const NAME_END = bytes(EQ);
const NAME_BAD = bytes(GT, LT, NL);
const VALUE_END = bytes(COMMA_CH, COLON, EQ);

/** The thread ids a tracer's id may name. */
export interface TracerThread {
  tid: number;
  pid: number;
  ptid: number;
}

/**
 * The bytes of a tracer event (v2 header, three parameters: id, tags, args), as the engine puts one in place
 * of a write: `head` gives its timestamp and thread (the write's first 16 bytes), zeros without one.
 * tags and args are the text get_param_as_str makes of them (joined with '.', "name:value,...").
 */
export function tracerEventBytes(type: number, id: number, tags: Buffer, args: Buffer, head?: Buffer): Buffer {
  const len = 26 + 6 + 8 + tags.length + 1 + args.length + 1;
  const b = Buffer.alloc(len);
  head?.copy(b, 0, 0, 16);
  b.writeUInt32LE(len, 16);
  b.writeUInt16LE(type, 20);
  b.writeUInt32LE(3, 22);
  b.writeUInt16LE(8, 26);
  b.writeUInt16LE(tags.length + 1, 28);
  b.writeUInt16LE(args.length + 1, 30);
  b.writeBigInt64LE(BigInt(id), 32);
  tags.copy(b, 40);
  args.copy(b, 40 + tags.length + 1);
  return b;
}

/** sinsp_partial_tracer: an open span (or the last exit's description). */
export class PartialTracer {
  tid = 0;
  id = 0;
  tags: string[] = [];
  argnames: string[] = [];
  argvals: string[] = [];
  /** the tags as libsinsp packs them: each followed by a NUL, then one more NUL (compared byte for byte) */
  tagsKey = '\0';
  /** timestamp (ns) */
  time = 0n;

  /** sinsp_partial_tracer::compare: the same id and tags */
  same(o: PartialTracer): boolean {
    return this.id === o.id && this.tagsKey === o.tagsKey;
  }
}

/** The engine's open spans: libsinsp's m_partial_tracers_list (newest first) and its pool. */
export class TracerState {
  readonly open: PartialTracer[] = [];
  private readonly pool: PartialTracer[] = [];

  constructor() {
    for (let i = 0; i < PARTIAL_TRACERS; i++) this.pool.push(new PartialTracer());
  }

  pop(): PartialTracer | undefined {
    return this.pool.pop();
  }

  push(p: PartialTracer): void {
    this.pool.push(p);
  }
}

/**
 * Fields that read the spans turn their tracking on for the process, as libsinsp's
 * request_tracer_state_tracking does for its inspector (a command has one engine).
 */
let trackingRequested = false;
export function requestTracerTracking(): void {
  trackingRequested = true;
}
/** For a process that runs several inspections in turn (the tests): forget the fields compiled so far. */
export function resetTracerTracking(): void {
  trackingRequested = false;
}

function cstr(b: Uint8Array, at: number): string {
  let e = at;
  while (b[e] !== 0) e++;
  return Buffer.from(b.buffer, b.byteOffset + at, e - at).toString('latin1');
}

/** sinsp_tracerparser: one per thread that writes tracers. */
export class TracerParser {
  /** '>' or '<' (or the first byte of a JSON type string) */
  typeChar = 0;
  id = 0;
  tags: string[] = [];
  argnames: string[] = [];
  argvals: string[] = [];
  totTaglens = 0;
  /**
   * The tag lengths of the last parse, and the memory of libsinsp's vector of them: span.tags joins each
   * tag cut at its length from that vector, read past its end for an invalid tracer's tag (it holds the
   * lengths of an earlier parse there; a length never stored there leaves the tag whole).
   */
  taglens: number[] = [];
  private readonly taglenMem: number[] = [];
  res: TracerResult = TracerResult.OK;
  enterPae: PartialTracer | null = null;
  readonly exitPae = new PartialTracer();
  private storage = new Uint8Array(256);
  // signedDigits' value
  private digitsValue = 0;
  private fragmentSize = 0;
  private fullFragment: Uint8Array | null = null;
  // the positions of the parsed strings in storage (turned into strings once parsing ends)
  private tagAt: number[] = [];
  private nameAt: number[] = [];
  private valAt: number[] = [];
  private thread!: TracerThread;

  /** sinsp_tracerparser::process_event_data */
  process(data: Uint8Array, ts: bigint, thread: TracerThread, state: TracerState): TracerResult {
    this.thread = thread;
    const storlen = this.fragmentSize + data.length;
    if (this.storage.length < storlen + 1) {
      const s = new Uint8Array(storlen + 1);
      s.set(this.storage.subarray(0, this.fragmentSize));
      this.storage = s;
    }
    const st = this.storage;
    st.set(data, this.fragmentSize);
    st[storlen] = 0;
    if (this.fragmentSize !== 0) {
      let e = 0;
      while (st[e] !== 0) e++;
      this.fullFragment = st.slice(0, e);
    }
    if (storlen > 0) {
      this.res = TracerResult.OK;
      this.tagAt = [];
      this.nameAt = [];
      this.valAt = [];
      this.totTaglens = 0;
      this.taglens = [];
      if (st[0] === GT || st[0] === LT) this.parseSimple();
      else this.parseJson();
      this.tags = this.tagAt.map((a) => cstr(st, a));
      this.argnames = this.nameAt.map((a) => cstr(st, a));
      this.argvals = this.valAt.map((a) => cstr(st, a));
    } else {
      this.res = TracerResult.FAILED;
    }
    if (this.res === TracerResult.FAILED) {
      this.fragmentSize = 0;
      this.fullFragment = null;
      return this.res;
    }
    if ((this.res as TracerResult) === TracerResult.TRUNCATED) {
      if (this.fragmentSize > MAX_USER_EVT_BUFFER) {
        this.fragmentSize = 0;
        return this.res;
      }
      if (this.fullFragment === null || this.fullFragment.length === 0) {
        st.set(data, 0);
        st[data.length] = 0;
        this.fragmentSize += data.length;
      } else {
        st.set(this.fullFragment, 0);
        this.fragmentSize = this.fullFragment.length;
      }
      return this.res;
    }
    this.fragmentSize = 0;
    this.fullFragment = null;
    // the spans are kept only when a field needs them (libsinsp m_track_tracers_state)
    if (trackingRequested === false) return TracerResult.OK;
    if (this.typeChar === GT) {
      const pae = state.pop();
      if (pae === undefined) {
        // every pooled span is open: libsinsp gives them all back and starts afresh
        for (const p of state.open) state.push(p);
        state.open.length = 0;
        return TracerResult.OK;
      }
      this.initPartial(pae);
      pae.time = ts;
      state.open.unshift(pae);
      this.enterPae = pae;
    } else {
      this.initPartial(this.exitPae);
      const open = state.open;
      for (let i = 0; i < open.length; i++) {
        const p = open[i]!;
        if (this.exitPae.same(p)) {
          this.exitPae.time = ts;
          // the enter's span goes back to the pool and stays linked until the next tracer (as in libsinsp)
          this.enterPae = p;
          state.push(p);
          open.splice(i, 1);
          return TracerResult.OK;
        }
      }
      this.enterPae = null;
    }
    return TracerResult.OK;
  }

  private pushTaglen(n: number): void {
    this.taglenMem[this.taglens.length] = n;
    this.taglens.push(n);
    this.totTaglens += n;
  }

  /** span.tags: the tags joined with '.', each cut at its length in the lengths vector (see taglens) */
  tagsText(): string {
    return this.tags.map((t, i) => t.slice(0, this.taglenMem[i] ?? t.length)).join('.');
  }

  /** sinsp_tracerparser::find_parent_enter_pae: the open span whose tags are this span's but the last */
  parentOf(open: readonly PartialTracer[]): PartialTracer | undefined {
    const e = this.enterPae;
    if (e === null) return undefined;
    const key = e.tagsKey;
    // libsinsp starts from the parser's total tag length (without separators), not the end of the tags
    let tse = this.totTaglens;
    if (key.charCodeAt(tse) === 0 && tse > 0) tse--;
    let len = 0;
    while (tse !== 0) {
      if (key.charCodeAt(tse) === 0) {
        len = tse + 1;
        break;
      }
      tse--;
    }
    const prefix = key.slice(0, len);
    return open.find((o) => o.id === e.id && o.tagsKey.length - 1 === len && o.tagsKey.startsWith(prefix));
  }

  private initPartial(p: PartialTracer): void {
    p.tid = this.thread.tid;
    p.id = this.id;
    p.tags = this.tags.slice();
    p.argnames = this.argnames.slice();
    p.argvals = this.argvals.slice();
    p.tagsKey = this.tags.map((t) => t + '\0').join('') + '\0';
  }

  /**
   * The simple syntax's scan of a tag, an argument name or a value: from p to the first byte of `end` (or
   * the end of the text), a backslash dropped and the byte after it taken as it is; -1 at a byte of `bad`
   * first (libsinsp's loops with dont_interpret_next_char).
   */
  private scan(p: number, end: Uint8Array, bad: Uint8Array | null): number {
    const st = this.storage;
    let literal = false;
    while (st[p] !== 0) {
      if (literal) {
        literal = false;
        p++;
        continue;
      }
      const c = st[p]!;
      if (c === BSLASH) {
        literal = true;
        this.deleteChar(p);
        continue;
      }
      if (end[c] === 1) break;
      if (bad !== null && bad[c] === 1) return -1;
      p++;
    }
    return p;
  }

  /** delete_char: drop the byte at p, moving the rest of the string left */
  private deleteChar(p: number): void {
    const st = this.storage;
    while (st[p] !== 0) {
      st[p] = st[p + 1]!;
      p++;
    }
  }

  private parseSimple(): void {
    const st = this.storage;
    let p = 0;
    this.typeChar = st[p++]!;
    if (st[p] !== COLON) {
      this.res = st[p] === 0 ? TracerResult.TRUNCATED : TracerResult.FAILED;
      return;
    }
    st[p] = 0;
    p++;
    // (libsinsp compares with the character '0' here, not with the end of the string)
    if (st[p] === ZERO_CH) {
      this.res = TracerResult.TRUNCATED;
      return;
    }
    let delta: number;
    switch (st[p]) {
      case 0x74: // t
        this.id = this.thread.tid;
        delta = 2;
        break;
      case 0x70: // p
        this.id = this.thread.pid;
        if (st[p + 1] === 0x70) {
          this.id = this.thread.ptid;
          p++;
        }
        delta = 2;
        break;
      case COLON:
        this.id = 0;
        delta = 1;
        break;
      case 0x67: // g
        this.id = 0;
        delta = 2;
        break;
      default: {
        const r = this.numberColEnd(p);
        if (r < 0) {
          this.res = r === -1 ? TracerResult.TRUNCATED : TracerResult.FAILED;
          return;
        }
        delta = r;
        break;
      }
    }
    p += delta;
    if (st[p] === ZERO_CH) {
      this.res = TracerResult.TRUNCATED;
      return;
    }
    if (st[p] !== COLON) {
      for (;;) {
        const start = p;
        this.tagAt.push(p);
        p = this.scan(p, TAG_END, TAG_BAD);
        if (p < 0) {
          this.res = TracerResult.FAILED;
          return;
        }
        this.pushTaglen(p - start);
        if (st[p] === COLON) {
          st[p] = 0;
          break;
        } else if (st[p] === 0) {
          this.res = TracerResult.TRUNCATED;
          return;
        }
        st[p] = 0;
        p++;
      }
    }
    p++;
    if (st[p] === 0) {
      this.res = TracerResult.TRUNCATED;
      return;
    }
    if (st[p] === COLON) return;
    for (;;) {
      this.nameAt.push(p);
      p = this.scan(p, NAME_END, NAME_BAD);
      if (p < 0) {
        this.res = TracerResult.FAILED;
        return;
      }
      if (st[p] === 0) {
        // an argument without a value is refused; otherwise the message is cut
        this.res = p > 0 && st[p - 1] === COLON ? TracerResult.FAILED : TracerResult.TRUNCATED;
        return;
      }
      st[p] = 0;
      p++;
      this.valAt.push(p);
      p = this.scan(p, VALUE_END, null);
      if (st[p] === COLON) {
        st[p] = 0;
        this.res = TracerResult.OK;
        return;
      } else if (st[p] === 0) {
        this.res = TracerResult.TRUNCATED;
        return;
      }
      st[p] = 0;
      p++;
    }
  }

  /** parsenumber_colend: digits up to ':'. The length with the ':', or -1 (cut) / -2 (invalid). */
  private numberColEnd(p: number): number {
    const st = this.storage;
    const end = this.signedDigits(p);
    if (st[end] !== COLON) return st[end] === 0 ? -1 : -2;
    this.id = this.digitsValue;
    return end - p + 1;
  }

  /** The value of the digits at p (an optional '-' first), in digitsValue; returns the position after them. */
  private signedDigits(p: number): number {
    const st = this.storage;
    let neg = false;
    let val = 0;
    if (st[p] === 0x2d) {
      neg = true;
      p++;
    }
    while (st[p]! >= 0x30 && st[p]! <= 0x39) {
      val = val * 10 + (st[p]! - 0x30);
      p++;
    }
    this.digitsValue = neg ? -val : val;
    return p;
  }

  // The JSON syntax. Each step returns a TracerResult and leaves its length in `delta`, as libsinsp's do.
  private delta = 0;

  private parseJson(): void {
    const st = this.storage;
    let p = 0;
    this.res = this.skipSpaces(p);
    if (this.res !== TracerResult.OK) return;
    p += this.delta;
    if (st[p++] !== LSQ) {
      this.res = TracerResult.FAILED;
      return;
    }
    let s = this.parseStr(p);
    this.res = s.res;
    if (this.res !== TracerResult.OK) return;
    this.typeChar = st[s.at]!;
    p += this.delta;
    this.res = this.skipSpacesAndCommas(p, 1);
    if (this.res !== TracerResult.OK) return;
    p += this.delta;
    if (st[p] === QUOTE) {
      switch (st[++p]) {
        case 0x74:
          this.id = this.thread.tid;
          this.delta = 2;
          break;
        case 0x70:
          this.id = this.thread.pid;
          if (st[p + 1] === 0x70) {
            this.id = this.thread.ptid;
            p++;
          }
          this.delta = 2;
          break;
        case COLON:
          this.id = 0;
          this.delta = 1;
          break;
        case 0x67:
          this.id = 0;
          this.delta = 2;
          break;
        default:
          // (libsinsp's failure here is overwritten below, and the id and length stay as they were)
          this.res = TracerResult.FAILED;
          break;
      }
    } else {
      this.res = this.parseNumber(p);
      if (this.res > TracerResult.COMMA) return;
    }
    p += this.delta;
    this.res = this.res === TracerResult.COMMA ? this.skipSpaces(p) : this.skipSpacesAndCommas(p, 1);
    if (this.res !== TracerResult.OK) return;
    p += this.delta;
    this.res = this.skipSpacesAndChar(p, LSQ);
    if (this.res !== TracerResult.OK) return;
    p += this.delta;
    s = this.parseStrNotEnforce(p);
    this.res = s.res;
    if (this.res !== TracerResult.OK) return;
    p += this.delta;
    if (s.at >= 0) {
      this.tagAt.push(s.at);
      this.pushTaglen(this.delta - 2);
      for (;;) {
        this.res = this.skipSpacesAndCommas(p, 0);
        if (this.res !== TracerResult.OK) return;
        p += this.delta;
        if (st[p] === RSQ) break;
        s = this.parseStr(p);
        this.res = s.res;
        if (this.res !== TracerResult.OK) return;
        p += this.delta;
        this.tagAt.push(s.at);
        this.pushTaglen(this.delta - 2);
      }
    }
    this.res = this.skipSpacesCommasAllBrackets(p);
    if (this.res !== TracerResult.OK) return;
    p += this.delta;
    s = this.parseStrNotEnforce(p);
    this.res = s.res;
    if (this.res !== TracerResult.OK) return;
    p += this.delta;
    if (s.at >= 0) {
      this.nameAt.push(s.at);
      this.res = this.skipSpacesAndChar(p, COLON);
      if (this.res !== TracerResult.OK) return;
      p += this.delta;
      s = this.parseStr(p);
      this.res = s.res;
      if (this.res !== TracerResult.OK) return;
      p += this.delta;
      this.valAt.push(s.at);
      for (;;) {
        this.res = this.skipSpacesCommasCurly(p);
        if (this.res !== TracerResult.OK) return;
        p += this.delta;
        if (st[p] === RSQ) {
          p++;
          break;
        }
        s = this.parseStr(p);
        this.res = s.res;
        if (this.res !== TracerResult.OK) return;
        p += this.delta;
        this.nameAt.push(s.at);
        this.res = this.skipSpacesAndChar(p, COLON);
        if (this.res !== TracerResult.OK) return;
        p += this.delta;
        s = this.parseStr(p);
        this.res = s.res;
        if (this.res !== TracerResult.OK) return;
        p += this.delta;
        this.valAt.push(s.at);
      }
    }
    this.res = this.skipSpaces(p);
    if (this.res !== TracerResult.OK) return;
    p += this.delta;
    if (st[p] !== RSQ) {
      this.res = st[p] === 0 ? TracerResult.TRUNCATED : TracerResult.FAILED;
      return;
    }
    this.res = TracerResult.OK;
  }

  private skipSpaces(p: number): TracerResult {
    const st = this.storage;
    const start = p;
    while (st[p] === SPACE) p++;
    this.delta = p - start;
    return TracerResult.OK;
  }

  private skipSpacesAndCommas(p: number, expected: number): TracerResult {
    const st = this.storage;
    const start = p;
    let nc = 0;
    for (;;) {
      const c = st[p];
      if (c === SPACE) {
        p++;
        continue;
      } else if (c === COMMA_CH) nc++;
      else if (c === 0) return TracerResult.TRUNCATED;
      else break;
      p++;
    }
    if (nc < expected) return TracerResult.FAILED;
    this.delta = p - start;
    return TracerResult.OK;
  }

  private skipSpacesAndChar(p: number, ch: number): TracerResult {
    const st = this.storage;
    const start = p;
    let nc = 0;
    while (st[p] === SPACE || st[p] === ch || st[p] === 0) {
      if (st[p] === 0) return TracerResult.TRUNCATED;
      if (st[p] === ch) nc++;
      p++;
    }
    if (nc !== 1) return TracerResult.FAILED;
    this.delta = p - start;
    return TracerResult.OK;
  }

  private skipSpacesCommasCurly(p: number): TracerResult {
    const st = this.storage;
    const start = p;
    let nc = 0;
    let nocb = 0;
    let nccb = 0;
    for (;;) {
      const c = st[p];
      if (c !== SPACE && c !== COMMA_CH && c !== LCB && c !== RCB && c !== 0) break;
      if (c === 0) return TracerResult.TRUNCATED;
      if (c === COMMA_CH) nc++;
      else if (c === LCB) nocb++;
      else if (c === RCB) nccb++;
      p++;
    }
    if (!((nc === 1 && nocb === 1) || (nc === 1 && nccb === 1) || (nccb === 1 && st[p] === RSQ))) return TracerResult.FAILED;
    this.delta = p - start;
    return TracerResult.OK;
  }

  private skipSpacesCommasAllBrackets(p: number): TracerResult {
    const st = this.storage;
    const start = p;
    let nc = 0;
    let nosb = 0;
    let nocb = 0;
    for (;;) {
      const c = st[p];
      if (c !== SPACE && c !== COMMA_CH && c !== LSQ && c !== RSQ && c !== LCB && c !== RCB && c !== 0) break;
      if (c === 0) return TracerResult.TRUNCATED;
      if (c === COMMA_CH) nc++;
      else if (c === LSQ) nosb++;
      else if (c === RSQ) {
        if (nosb !== 0) break;
      } else if (c === LCB) nocb++;
      p++;
    }
    if (nc !== 1 || nosb !== 1) return TracerResult.FAILED;
    if (nocb !== 1 && st[p] !== RSQ) return TracerResult.FAILED;
    this.delta = p - start;
    return TracerResult.OK;
  }

  /** parsestr: a double-quoted string (ended by a quote not after a backslash); `at` is its first byte or -1 */
  private parseStr(p: number): { res: TracerResult; at: number } {
    const st = this.storage;
    const initial = p;
    if (st[p] !== QUOTE) {
      this.delta = 1;
      return { res: st[p] === 0 ? TracerResult.TRUNCATED : TracerResult.FAILED, at: -1 };
    }
    const at = p + 1;
    p++;
    while (!(st[p] === QUOTE && st[p - 1] !== BSLASH)) {
      if (st[p] === 0) {
        this.delta = p - initial + 1;
        return { res: TracerResult.TRUNCATED, at: -1 };
      }
      p++;
    }
    st[p] = 0;
    this.delta = p - initial + 1;
    return { res: TracerResult.OK, at };
  }

  /** parsestr_not_enforce: a string that may be missing (at -1) */
  private parseStrNotEnforce(p: number): { res: TracerResult; at: number } {
    const r = this.parseStr(p);
    if (r.res === TracerResult.TRUNCATED) return r;
    return { res: TracerResult.OK, at: r.res === TracerResult.OK ? r.at : -1 };
  }

  /** parsenumber: digits ended by ',' (COMMA), ' ' (OK), the end (cut) or anything else (invalid) */
  private parseNumber(p: number): TracerResult {
    const st = this.storage;
    const start = p;
    p = this.signedDigits(p);
    let r = TracerResult.OK;
    if (st[p] === COMMA_CH) r = TracerResult.COMMA;
    else if (st[p] !== 0 && st[p] !== SPACE) return TracerResult.FAILED;
    else if (st[p] === 0) return TracerResult.TRUNCATED;
    st[p] = 0;
    this.id = this.digitsValue;
    this.delta = p - start + 1;
    return r;
  }
}
