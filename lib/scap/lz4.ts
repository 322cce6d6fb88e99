// LZ4 frame format codec (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md) and xxHash32,
// in plain TypeScript over Uint8Array/Buffer. No per-byte allocations on the hot paths.
//
// Decoder: streaming (push chunks, get decoded chunks), concatenated and skippable frames, independent
// and linked blocks, 64 KiB..4 MiB blocks, stored (uncompressed) blocks, block and content checksums,
// content size. A dictionary id is rejected as unsupported.
// Encoder: standard frames with independent blocks and a content checksum; greedy hash-table matcher
// in the manner of the reference LZ4_compress_fast (acceleration 1).

import { DataError } from '../cli/errors.js';

// ---------------------------------------------------------------------------------------------
// xxHash32

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;
const P5 = 0x165667b1 | 0;

function tail32(h: number, b: Uint8Array, p: number, end: number): number {
  while (p + 4 <= end) {
    const k = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
    h = (h + Math.imul(k, P3)) | 0;
    h = Math.imul((h << 17) | (h >>> 15), P4);
    p += 4;
  }
  while (p < end) {
    h = (h + Math.imul(b[p]!, P5)) | 0;
    h = Math.imul((h << 11) | (h >>> 21), P1);
    p++;
  }
  h ^= h >>> 15;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  h ^= h >>> 16;
  return h >>> 0;
}

/** xxHash32 of b[start, end) with the given seed, as an unsigned 32-bit number. */
export function xxh32(b: Uint8Array, start = 0, end = b.length, seed = 0): number {
  let p = start;
  let h: number;
  if (end - start >= 16) {
    let v1 = (seed + P1 + P2) | 0;
    let v2 = (seed + P2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P1) | 0;
    const limit = end - 16;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    while (p <= limit) {
      v1 = (v1 + Math.imul(dv.getInt32(p, true), P2)) | 0;
      v1 = Math.imul((v1 << 13) | (v1 >>> 19), P1);
      v2 = (v2 + Math.imul(dv.getInt32(p + 4, true), P2)) | 0;
      v2 = Math.imul((v2 << 13) | (v2 >>> 19), P1);
      v3 = (v3 + Math.imul(dv.getInt32(p + 8, true), P2)) | 0;
      v3 = Math.imul((v3 << 13) | (v3 >>> 19), P1);
      v4 = (v4 + Math.imul(dv.getInt32(p + 12, true), P2)) | 0;
      v4 = Math.imul((v4 << 13) | (v4 >>> 19), P1);
      p += 16;
    }
    h = (((v1 << 1) | (v1 >>> 31)) + ((v2 << 7) | (v2 >>> 25)) + ((v3 << 12) | (v3 >>> 20)) + ((v4 << 18) | (v4 >>> 14))) | 0;
  } else {
    h = (seed + P5) | 0;
  }
  h = (h + (end - start)) | 0;
  return tail32(h, b, p, end);
}

/** Streaming xxHash32 (for the content checksum, computed over many blocks). */
export class Xxh32 {
  private v1 = 0;
  private v2 = 0;
  private v3 = 0;
  private v4 = 0;
  private total = 0;
  private readonly mem = new Uint8Array(16);
  private memLen = 0;

  constructor(private readonly seed = 0) {
    this.reset();
  }

  reset(): void {
    const seed = this.seed;
    this.v1 = (seed + P1 + P2) | 0;
    this.v2 = (seed + P2) | 0;
    this.v3 = seed | 0;
    this.v4 = (seed - P1) | 0;
    this.total = 0;
    this.memLen = 0;
  }

  update(b: Uint8Array, start = 0, end = b.length): void {
    let p = start;
    this.total += end - start;
    const mem = this.mem;
    if (this.memLen > 0) {
      while (this.memLen < 16 && p < end) mem[this.memLen++] = b[p++]!;
      if (this.memLen < 16) return;
      this.stripes(mem, 0, 16);
      this.memLen = 0;
    }
    const n = (end - p) & ~15;
    if (n > 0) {
      this.stripes(b, p, p + n);
      p += n;
    }
    while (p < end) mem[this.memLen++] = b[p++]!;
  }

  private stripes(b: Uint8Array, p: number, end: number): void {
    let v1 = this.v1;
    let v2 = this.v2;
    let v3 = this.v3;
    let v4 = this.v4;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    while (p < end) {
      v1 = (v1 + Math.imul(dv.getInt32(p, true), P2)) | 0;
      v1 = Math.imul((v1 << 13) | (v1 >>> 19), P1);
      v2 = (v2 + Math.imul(dv.getInt32(p + 4, true), P2)) | 0;
      v2 = Math.imul((v2 << 13) | (v2 >>> 19), P1);
      v3 = (v3 + Math.imul(dv.getInt32(p + 8, true), P2)) | 0;
      v3 = Math.imul((v3 << 13) | (v3 >>> 19), P1);
      v4 = (v4 + Math.imul(dv.getInt32(p + 12, true), P2)) | 0;
      v4 = Math.imul((v4 << 13) | (v4 >>> 19), P1);
      p += 16;
    }
    this.v1 = v1;
    this.v2 = v2;
    this.v3 = v3;
    this.v4 = v4;
  }

  digest(): number {
    let h: number;
    if (this.total >= 16) {
      const { v1, v2, v3, v4 } = this;
      h = (((v1 << 1) | (v1 >>> 31)) + ((v2 << 7) | (v2 >>> 25)) + ((v3 << 12) | (v3 >>> 20)) + ((v4 << 18) | (v4 >>> 14))) | 0;
    } else {
      h = (this.seed + P5) | 0;
    }
    // The length is added modulo 2^32.
    h = (h + (this.total % 0x100000000)) | 0;
    return tail32(h, this.mem, 0, this.memLen);
  }
}

// ---------------------------------------------------------------------------------------------
// Block codec

const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const MAX_DISTANCE = 65535;
const HASH_LOG = 16;
const HASH_SHIFT = 32 - HASH_LOG;
const HASH_MUL = 0x9e3779b1 | 0;
/** Copy with a native call above this many bytes; a byte loop below. */
const COPY_NATIVE = 16;

/**
 * Decodes one LZ4 block src[sp, sEnd) into dst starting at dp, writing at most up to dLimit.
 * Matches may reach back to `low` (the start of the usable history). Returns the new output
 * position, or -1 if the block is malformed.
 */
export function decodeBlock(src: Uint8Array, sp: number, sEnd: number, dst: Uint8Array, dp: number, dLimit: number, low: number): number {
  for (;;) {
    if (sp >= sEnd) return -1;
    const token = src[sp++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (sp >= sEnd) return -1;
        b = src[sp++]!;
        lit += b;
      } while (b === 255);
    }
    if (lit > 0) {
      if (sp + lit > sEnd || dp + lit > dLimit) return -1;
      if (lit < COPY_NATIVE) {
        const e = sp + lit;
        while (sp < e) dst[dp++] = src[sp++]!;
      } else {
        dst.set(src.subarray(sp, sp + lit), dp);
        sp += lit;
        dp += lit;
      }
    }
    if (sp === sEnd) return dp; // the last sequence has literals only
    if (sp + 2 > sEnd) return -1;
    const off = src[sp]! | (src[sp + 1]! << 8);
    sp += 2;
    let m = dp - off;
    if (off === 0 || m < low) return -1;
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (sp >= sEnd) return -1;
        b = src[sp++]!;
        len += b;
      } while (b === 255);
    }
    len += MIN_MATCH;
    const e = dp + len;
    if (e > dLimit) return -1;
    if (len < COPY_NATIVE) {
      while (dp < e) dst[dp++] = dst[m++]!;
    } else if (off >= len) {
      dst.copyWithin(dp, m, m + len);
      dp = e;
    } else {
      // Overlapping: the copyable span doubles each round.
      while (dp < e) {
        const n = Math.min(dp - m, e - dp);
        dst.copyWithin(dp, m, m + n);
        dp += n;
      }
    }
  }
}

/** Worst-case compressed size of n bytes. */
export function compressBound(n: number): number {
  return n + ((n / 255) | 0) + 16;
}

function writeLiterals(src: Uint8Array, from: number, n: number, dst: Uint8Array, dp: number): number {
  if (n < COPY_NATIVE) {
    const e = from + n;
    while (from < e) dst[dp++] = src[from++]!;
  } else {
    dst.set(src.subarray(from, from + n), dp);
    dp += n;
  }
  return dp;
}

/**
 * Compresses src[start, end) as one independent LZ4 block into dst at dp (dst needs
 * compressBound(end - start) bytes free). `table` is a hash table of HASH_LOG bits; stale
 * entries are harmless (every candidate is verified). Returns the new output position.
 */
export function compressBlock(src: Uint8Array, start: number, end: number, dst: Uint8Array, dp: number, table: Int32Array): number {
  let anchor = start;
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  if (end - start >= MF_LIMIT + 1) {
    const mfLimit = end - MF_LIMIT;
    const matchLimit = end - LAST_LITERALS;
    let ip = start;
    outer: for (;;) {
      // Find a match.
      let seq = dv.getInt32(ip, true);
      let h = Math.imul(seq, HASH_MUL) >>> HASH_SHIFT;
      let attempts = 1 << 6;
      let c: number;
      for (;;) {
        c = table[h]!;
        table[h] = ip;
        if (c >= start && c < ip && ip - c <= MAX_DISTANCE && dv.getInt32(c, true) === seq) break;
        ip += attempts++ >> 6;
        if (ip > mfLimit) break outer;
        seq = dv.getInt32(ip, true);
        h = Math.imul(seq, HASH_MUL) >>> HASH_SHIFT;
      }
      // Extend backwards over pending literals.
      while (ip > anchor && c > start && src[ip - 1] === src[c - 1]) {
        ip--;
        c--;
      }
      for (;;) {
        // Extend forwards.
        let me = ip + MIN_MATCH;
        let cm = c + MIN_MATCH;
        while (me + 4 <= matchLimit && dv.getInt32(me, true) === dv.getInt32(cm, true)) {
          me += 4;
          cm += 4;
        }
        while (me < matchLimit && src[me] === src[cm]) {
          me++;
          cm++;
        }
        // Emit the sequence: token, literal length, literals, offset, match length.
        const lit = ip - anchor;
        let ml = me - ip - MIN_MATCH;
        const tokenPos = dp++;
        let token: number;
        if (lit >= 15) {
          token = 15 << 4;
          let r = lit - 15;
          while (r >= 255) {
            dst[dp++] = 255;
            r -= 255;
          }
          dst[dp++] = r;
        } else {
          token = lit << 4;
        }
        dp = writeLiterals(src, anchor, lit, dst, dp);
        const off = ip - c;
        dst[dp++] = off & 255;
        dst[dp++] = off >>> 8;
        if (ml >= 15) {
          token |= 15;
          ml -= 15;
          while (ml >= 255) {
            dst[dp++] = 255;
            ml -= 255;
          }
          dst[dp++] = ml;
        } else {
          token |= ml;
        }
        dst[tokenPos] = token;
        anchor = ip = me;
        if (ip > mfLimit) break outer;
        // Remember ip-2, then try an immediate match at ip.
        const p2 = ip - 2;
        table[Math.imul(dv.getInt32(p2, true), HASH_MUL) >>> HASH_SHIFT] = p2;
        seq = dv.getInt32(ip, true);
        h = Math.imul(seq, HASH_MUL) >>> HASH_SHIFT;
        c = table[h]!;
        table[h] = ip;
        if (c >= start && c < ip && ip - c <= MAX_DISTANCE && dv.getInt32(c, true) === seq) continue;
        ip++;
        if (ip > mfLimit) break outer;
        continue outer;
      }
    }
  }
  // Last literals.
  const lit = end - anchor;
  if (lit >= 15) {
    dst[dp++] = 15 << 4;
    let r = lit - 15;
    while (r >= 255) {
      dst[dp++] = 255;
      r -= 255;
    }
    dst[dp++] = r;
  } else {
    dst[dp++] = lit << 4;
  }
  return writeLiterals(src, anchor, lit, dst, dp);
}

// ---------------------------------------------------------------------------------------------
// Frame format

export const LZ4_FRAME_MAGIC = 0x184d2204;
export const LZ4_SKIPPABLE_MASK = 0xfffffff0;
export const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;
export const LZ4_LEGACY_MAGIC = 0x184c2102;

const HISTORY = 64 * 1024;
const MIN_OUT = 1 << 20;

const enum St {
  Magic,
  SkipSize,
  Skip,
  FrameFlags,
  FrameRest,
  BlockSize,
  BlockData,
  ContentChecksum,
}

function blockMaxSize(id: number): number {
  return 1 << (2 * id + 8); // 4 -> 64 KiB, 5 -> 256 KiB, 6 -> 1 MiB, 7 -> 4 MiB
}

function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/**
 * Streaming LZ4 frame decoder. Feed compressed chunks with push(); decoded data is appended to
 * the `out` array as Buffers (which stay valid: the decoder never writes over bytes it handed out).
 * Call end() when the input ends: it throws a DataError if a frame is incomplete.
 * Byte offsets in errors count from the first byte pushed.
 */
export class Lz4FrameDecoder {
  private st: St = St.Magic;
  /** Absolute input offset of chunk[0]. */
  private base = 0;
  private chunk: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Accumulator for items that straddle chunks. */
  private acc: Buffer = Buffer.alloc(0);
  private accLen = 0;
  /** Absolute input offset of the item being read. */
  private itemAt = 0;

  private skipLeft = 0;
  private flg = 0;
  private bd = 0;
  private blockMax = 0;
  private linked = false;
  private blockChecksum = false;
  private contentChecksum = false;
  private contentSize = -1;
  private frameOut = 0;
  private blockLen = 0;
  private blockRaw = false;
  private readonly hash = new Xxh32();
  private readonly hdr = new Uint8Array(16);

  private out: Buffer = Buffer.alloc(0);
  private outStart = 0;
  private outPos = 0;
  /** Lowest position in `out` that linked-block matches may reference (the frame's start, or the copied history). */
  private frameLow = 0;

  /** Total compressed bytes pushed so far. */
  get bytesIn(): number {
    return this.base + this.pos;
  }

  push(data: Buffer, out: Buffer[]): void {
    this.base += this.chunk.length;
    this.chunk = data;
    this.pos = 0;
    for (;;) {
      switch (this.st) {
        case St.Magic: {
          const p = this.need(4);
          if (p < 0) return this.emit(out);
          const m = u32(this.cur, p);
          if (m === LZ4_FRAME_MAGIC) {
            this.st = St.FrameFlags;
          } else if ((m & LZ4_SKIPPABLE_MASK) >>> 0 === LZ4_SKIPPABLE_MAGIC) {
            this.st = St.SkipSize;
          } else if (m === LZ4_LEGACY_MAGIC) {
            throw new DataError('lz4: legacy frame format is not supported', `byte ${this.itemAt}`);
          } else {
            throw new DataError(`lz4: bad frame magic 0x${m.toString(16).padStart(8, '0')}`, `byte ${this.itemAt}`);
          }
          break;
        }
        case St.SkipSize: {
          const p = this.need(4);
          if (p < 0) return this.emit(out);
          this.skipLeft = u32(this.cur, p);
          this.st = St.Skip;
          break;
        }
        case St.Skip: {
          const n = Math.min(this.skipLeft, this.chunk.length - this.pos);
          this.pos += n;
          this.skipLeft -= n;
          if (this.skipLeft > 0) return this.emit(out);
          this.st = St.Magic;
          break;
        }
        case St.FrameFlags: {
          const p = this.need(2);
          if (p < 0) return this.emit(out);
          const flg = this.cur[p]!;
          const bd = this.cur[p + 1]!;
          const at = this.itemAt;
          if (flg >>> 6 !== 1) throw new DataError(`lz4: unsupported frame version ${flg >>> 6}`, `byte ${at}`);
          if (flg & 0x02 || bd & 0x8f) throw new DataError('lz4: reserved bits set in frame descriptor', `byte ${at}`);
          if (flg & 0x01) throw new DataError('lz4: frames with a dictionary id are not supported', `byte ${at}`);
          const id = (bd >>> 4) & 7;
          if (id < 4) throw new DataError(`lz4: bad block maximum size id ${id}`, `byte ${at + 1}`);
          this.flg = flg;
          this.bd = bd;
          this.blockMax = blockMaxSize(id);
          this.linked = (flg & 0x20) === 0;
          this.blockChecksum = (flg & 0x10) !== 0;
          this.contentChecksum = (flg & 0x04) !== 0;
          this.st = St.FrameRest;
          break;
        }
        case St.FrameRest: {
          const hasSize = (this.flg & 0x08) !== 0;
          const p = this.need(hasSize ? 9 : 1);
          if (p < 0) return this.emit(out);
          const b = this.cur;
          const hdr = this.hdr;
          hdr[0] = this.flg;
          hdr[1] = this.bd;
          let n = 2;
          if (hasSize) {
            for (let i = 0; i < 8; i++) hdr[n++] = b[p + i]!;
            const lo = u32(b, p);
            const hi = u32(b, p + 4);
            if (hi >= 0x200000) throw new DataError('lz4: content size too large', `byte ${this.itemAt}`);
            this.contentSize = hi * 0x100000000 + lo;
          } else {
            this.contentSize = -1;
          }
          const hc = b[p + n - 2]!;
          const want = (xxh32(hdr, 0, n) >>> 8) & 0xff;
          if (hc !== want) throw new DataError('lz4: frame header checksum mismatch', `byte ${this.itemAt + n - 2}`);
          this.frameOut = 0;
          if (this.contentChecksum) this.hash.reset();
          this.beginFrame(out);
          this.st = St.BlockSize;
          break;
        }
        case St.BlockSize: {
          const p = this.need(4);
          if (p < 0) return this.emit(out);
          const v = u32(this.cur, p);
          if (v === 0) {
            if (this.contentChecksum) {
              this.st = St.ContentChecksum;
            } else {
              this.endFrame();
              this.st = St.Magic;
            }
            break;
          }
          this.blockRaw = v >= 0x80000000;
          this.blockLen = v & 0x7fffffff;
          if (this.blockLen > this.blockMax) {
            throw new DataError(`lz4: block size ${this.blockLen} exceeds the frame's maximum ${this.blockMax}`, `byte ${this.itemAt}`);
          }
          this.st = St.BlockData;
          break;
        }
        case St.BlockData: {
          const len = this.blockLen;
          const p = this.need(this.blockChecksum ? len + 4 : len);
          if (p < 0) return this.emit(out);
          this.decodeOne(this.cur, p, len, out);
          this.st = St.BlockSize;
          break;
        }
        case St.ContentChecksum: {
          const p = this.need(4);
          if (p < 0) return this.emit(out);
          const want = u32(this.cur, p);
          const got = this.hash.digest();
          if (want !== got) throw new DataError('lz4: content checksum mismatch', `byte ${this.itemAt}`);
          this.endFrame();
          this.st = St.Magic;
          break;
        }
      }
    }
  }

  /** Call at the end of input: throws a DataError if it ended inside a frame. */
  end(out: Buffer[]): void {
    this.emit(out);
    if (this.st !== St.Magic || this.accLen > 0) {
      throw new DataError('lz4: unexpected end of input (truncated frame)', `byte ${this.bytesIn}`);
    }
  }

  /** Where need() put the item: the chunk or the accumulator. */
  private cur: Buffer = this.chunk;

  /**
   * Makes n contiguous input bytes available: returns their position in this.cur, or -1 if more
   * input is needed (what there is has been saved).
   */
  private need(n: number): number {
    const avail = this.chunk.length - this.pos;
    if (this.accLen === 0) {
      this.itemAt = this.base + this.pos;
      if (avail >= n) {
        const p = this.pos;
        this.pos += n;
        this.cur = this.chunk;
        return p;
      }
      if (this.acc.length < n) this.acc = Buffer.allocUnsafe(Math.max(n, 64));
      this.chunk.copy(this.acc, 0, this.pos);
      this.accLen = avail;
      this.pos += avail;
      return -1;
    }
    if (this.acc.length < n) {
      const a = Buffer.allocUnsafe(n);
      this.acc.copy(a, 0, 0, this.accLen);
      this.acc = a;
    }
    const take = Math.min(n - this.accLen, avail);
    this.chunk.copy(this.acc, this.accLen, this.pos, this.pos + take);
    this.accLen += take;
    this.pos += take;
    if (this.accLen < n) return -1;
    this.accLen = 0;
    this.cur = this.acc;
    return 0;
  }

  private beginFrame(out: Buffer[]): void {
    // A new frame never references an earlier one.
    this.ensureRoom(out, false);
    this.frameLow = this.outPos;
  }

  private endFrame(): void {
    if (this.contentSize >= 0 && this.contentSize !== this.frameOut) {
      throw new DataError(`lz4: frame holds ${this.frameOut} bytes but its header says ${this.contentSize}`, `byte ${this.itemAt}`);
    }
  }

  /** Makes room for one block in `out`, carrying the 64 KiB history across for linked blocks. */
  private ensureRoom(out: Buffer[], keepHistory: boolean): void {
    if (this.outPos + this.blockMax <= this.out.length) return;
    this.emit(out);
    const old = this.out;
    const size = Math.max(this.blockMax, MIN_OUT) + HISTORY;
    const fresh = Buffer.allocUnsafe(size);
    let h = 0;
    if (keepHistory) {
      h = Math.min(HISTORY, this.outPos - this.frameLow);
      old.copy(fresh, 0, this.outPos - h, this.outPos);
    }
    this.out = fresh;
    this.frameLow = 0;
    this.outStart = this.outPos = h;
  }

  private decodeOne(src: Buffer, p: number, len: number, out: Buffer[]): void {
    if (this.blockChecksum) {
      const want = u32(src, p + len);
      if (xxh32(src, p, p + len) !== want) {
        throw new DataError('lz4: block checksum mismatch', `byte ${this.itemAt + len}`);
      }
    }
    this.ensureRoom(out, this.linked);
    const start = this.outPos;
    let end: number;
    if (this.blockRaw) {
      src.copy(this.out, start, p, p + len);
      end = start + len;
    } else {
      const low = this.linked ? this.frameLow : start;
      end = decodeBlock(src, p, p + len, this.out, start, start + this.blockMax, low);
      if (end < 0) throw new DataError('lz4: corrupt block', `byte ${this.itemAt}`);
    }
    if (this.contentChecksum) this.hash.update(this.out, start, end);
    this.outPos = end;
    this.frameOut += end - start;
    if (this.contentSize >= 0 && this.frameOut > this.contentSize) {
      throw new DataError(`lz4: frame holds more than the ${this.contentSize} bytes its header says`, `byte ${this.itemAt}`);
    }
  }

  private emit(out: Buffer[]): void {
    if (this.outPos > this.outStart) {
      out.push(this.out.subarray(this.outStart, this.outPos));
      this.outStart = this.outPos;
    }
  }
}

/** Decodes a stream of LZ4 frames (see Lz4FrameDecoder). */
export async function* lz4Decode(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const dec = new Lz4FrameDecoder();
  const out: Buffer[] = [];
  for await (const chunk of source) {
    dec.push(chunk, out);
    for (const b of out) yield b;
    out.length = 0;
  }
  dec.end(out);
  for (const b of out) yield b;
}

/** Decodes a whole LZ4 input in memory (for tests and small data). */
export function lz4DecodeSync(data: Buffer): Buffer {
  const dec = new Lz4FrameDecoder();
  const out: Buffer[] = [];
  dec.push(data, out);
  dec.end(out);
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

export interface Lz4EncoderOptions {
  /** Maximum block size: 64 KiB, 256 KiB, 1 MiB or 4 MiB (default 4 MiB). */
  blockSize?: 65536 | 262144 | 1048576 | 4194304;
  /** Write a content checksum (default true). */
  contentChecksum?: boolean;
}

/**
 * Streaming LZ4 frame encoder: independent blocks, content checksum. push() returns the compressed
 * pieces ready so far (the frame header first); end() returns the rest of the frame. Input passed to
 * push() is consumed before it returns, so the caller may reuse its buffer.
 */
export class Lz4FrameEncoder {
  private readonly blockSize: number;
  private readonly checksum: boolean;
  private readonly hash = new Xxh32();
  private readonly table = new Int32Array(1 << HASH_LOG);
  private pending: Buffer | null = null;
  private pendingLen = 0;
  private started = false;
  private ended = false;

  constructor(opts: Lz4EncoderOptions = {}) {
    this.blockSize = opts.blockSize ?? 4194304;
    if (![65536, 262144, 1048576, 4194304].includes(this.blockSize)) throw new RangeError(`lz4: bad block size ${this.blockSize}`);
    this.checksum = opts.contentChecksum ?? true;
  }

  private header(): Buffer {
    const h = Buffer.allocUnsafe(7);
    h.writeUInt32LE(LZ4_FRAME_MAGIC, 0);
    const id = (Math.log2(this.blockSize) - 8) / 2;
    h[4] = 0x40 | 0x20 | (this.checksum ? 0x04 : 0); // version 01, independent blocks
    h[5] = id << 4;
    h[6] = (xxh32(h, 4, 6) >>> 8) & 0xff;
    return h;
  }

  private start(out: Buffer[]): void {
    if (this.ended) throw new Error('lz4: write after end');
    if (!this.started) {
      this.started = true;
      out.push(this.header());
    }
  }

  /** Compresses one block src[start, end) and appends it to out. */
  private block(src: Uint8Array, start: number, end: number, out: Buffer[]): void {
    const n = end - start;
    if (n === 0) return;
    if (this.checksum) this.hash.update(src, start, end);
    const buf = Buffer.allocUnsafe(4 + compressBound(n));
    const cEnd = compressBlock(src, start, end, buf, 4, this.table);
    const c = cEnd - 4;
    if (c < n) {
      buf.writeUInt32LE(c, 0);
      out.push(buf.subarray(0, cEnd));
    } else {
      buf.writeUInt32LE((n | 0x80000000) >>> 0, 0);
      buf.set(src.subarray(start, end), 4);
      out.push(buf.subarray(0, 4 + n));
    }
  }

  /** Input bytes held for the block being filled (not yet in any block given out). */
  get buffered(): number {
    return this.pendingLen;
  }

  push(data: Uint8Array, out: Buffer[] = []): Buffer[] {
    this.start(out);
    const bs = this.blockSize;
    let p = 0;
    const len = data.length;
    if (this.pendingLen > 0) {
      const pend = this.pending!;
      const take = Math.min(bs - this.pendingLen, len);
      pend.set(data.subarray(0, take), this.pendingLen);
      this.pendingLen += take;
      p = take;
      if (this.pendingLen < bs) return out;
      this.block(pend, 0, bs, out);
      this.pendingLen = 0;
    }
    while (len - p >= bs) {
      this.block(data, p, p + bs, out);
      p += bs;
    }
    if (p < len) {
      if (this.pending === null) this.pending = Buffer.allocUnsafe(bs);
      this.pending.set(data.subarray(p), 0);
      this.pendingLen = len - p;
    }
    return out;
  }

  /** Emits the buffered input as a (short) block, so everything pushed so far can be decoded. */
  flush(out: Buffer[] = []): Buffer[] {
    this.start(out);
    if (this.pendingLen > 0) {
      this.block(this.pending!, 0, this.pendingLen, out);
      this.pendingLen = 0;
    }
    return out;
  }

  /** Ends the frame: the last block, the end mark and the content checksum. */
  end(out: Buffer[] = []): Buffer[] {
    this.flush(out);
    this.ended = true;
    const tail = Buffer.allocUnsafe(this.checksum ? 8 : 4);
    tail.writeUInt32LE(0, 0);
    if (this.checksum) tail.writeUInt32LE(this.hash.digest(), 4);
    out.push(tail);
    return out;
  }
}

/** Compresses data as one whole LZ4 frame. */
export function lz4EncodeSync(data: Uint8Array, opts: Lz4EncoderOptions = {}): Buffer {
  const enc = new Lz4FrameEncoder(opts);
  const out = enc.push(data);
  enc.end(out);
  return Buffer.concat(out);
}
