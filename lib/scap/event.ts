// A reusable view over one event's bytes. Nothing is decoded until a field asks for it.
// Header layout (formats/scap.md): u64 ts, i64 tid, u32 len, u16 type, [u32 nparams], then lengths, then values.

import { EVENT_HEADER_V1, EVENT_HEADER_V2 } from './blocks.js';

export const MAX_PARAMS = 32;

/**
 * Copy `n` bytes from `src` at `so` to `dst` at `d`, given DataViews over both. An event is mostly a few
 * dozen bytes: those go four at a time through the views. Buffer.copy spends ~65 ns on every call before
 * it copies a byte and a byte loop ~1.3 ns a byte, four-byte words ~0.6 (Node 20, measured); long copies
 * go to Buffer.copy.
 */
export function copyBytes(src: Buffer, sdv: DataView, so: number, dst: Buffer, ddv: DataView, d: number, n: number): void {
  if (n > 160) {
    src.copy(dst, d, so, so + n);
    return;
  }
  let i = 0;
  for (; i + 4 <= n; i += 4) ddv.setUint32(d + i, sdv.getUint32(so + i, true), true);
  for (; i < n; i++) ddv.setUint8(d + i, sdv.getUint8(so + i));
}

/**
 * The first value of a numeric field that may later hold a number beyond 31 bits (a timestamp's low word,
 * a byte offset, a nanosecond span). V8 stores a field the way its first value needs: a field that starts
 * as a small integer (0) and later takes 2^31 or more changes the map of its objects, and V8 then throws
 * away every optimized function that has seen them and compiles them again. On a capture whose
 * timestamps' low word first crosses 2^31 after the warm-up, that was a second warm-up mid-run (on a web
 * server's capture, starting wide made tdig-echo echo_fds ~13% and tdig-agg topconns ~10% faster). -0 is
 * not a small integer, so the field holds any number from the start; the constructor then sets it to 0
 * (the field stays wide), so no -0 is ever read.
 */
export const WIDE = -0;

/**
 * The i64 thread id at `o`. A 32-bit one is read as a small integer: the sum of its two halves, as V8
 * computes it before optimizing, is a heap number whatever its value, and the view's tid field then held
 * every tid boxed as a double, unboxed and converted back at each read (the per-event reset's thread lookup
 * among them). With this and readI64, -2.8% main-thread instructions for topconns on the curl capture.
 */
export function tidAt(dv: DataView, o: number): number {
  return i64Of(dv.getInt32(o, true), dv.getInt32(o + 4, true));
}

/** The i64 whose halves are the int32s lo and hi: a small integer when it fits 32 bits (see tidAt). */
function i64Of(lo: number, hi: number): number {
  return (hi === 0 && lo >= 0) || (hi === -1 && lo < 0) ? lo : (lo >>> 0) + hi * 4294967296;
}

/** A DataView over a Buffer's bytes (for copyBytes and the block readers and writers). */
export function viewOf(b: Buffer): DataView {
  return new DataView(b.buffer, b.byteOffset, b.length);
}

const EMPTY_BUF = Buffer.alloc(0);
const EMPTY_DV = new DataView(EMPTY_BUF.buffer, EMPTY_BUF.byteOffset, 0);

export class EventView {
  buf: Buffer = EMPTY_BUF;
  /** a DataView over `buf` (header and lengths are read through it: no per-byte bounds checks) */
  dv: DataView = EMPTY_DV;
  /** offset of the event header in buf */
  off = 0;
  len = 0;
  type = 0;
  tid = 0;
  /** parameter count found in the event (v1 events: rebuilt from the lengths) */
  nparams = 0;
  /** 2 or 4: size of each entry of the length array */
  lenSize = 2;
  /** block fields */
  cpu = 0;
  flags = 0;
  blockType = 0;
  /** offset of the block in the (decompressed) input stream */
  streamOffset = WIDE;
  /** the low and high 32 bits of the timestamp (ns since the epoch) */
  tsLo = WIDE;
  tsHi = 0;
  /** evt.num: 1-based count of the events read in this stream (past 2^31 after some 2 billion events) */
  num = WIDE;
  /** offset of the length array */
  lensOff = 0;
  /** its trailer says a filter kept it although a reader without one hides it (reader.ts SHOWN_OPTION) */
  shown = false;
  private decodedFor = -1;
  private readonly pOff = new Int32Array(MAX_PARAMS);
  private readonly pLen = new Int32Array(MAX_PARAMS);
  /** changes whenever the view points at another event: its parameters are found again on first use */
  serial = 0;

  constructor() {
    // wide fields (WIDE): 0 from here on
    this.streamOffset = 0;
    this.tsLo = 0;
    this.num = 0;
  }

  /** Point the view at an event. `v1` = header without nparams. `tableNparams` rebuilds v1 counts. */
  set(buf: Buffer, off: number, v1: boolean, large: boolean, tableNparams: number): void {
    let dv = this.dv;
    if (buf !== this.buf) {
      this.buf = buf;
      this.dv = dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    }
    this.off = off;
    this.tsLo = dv.getUint32(off, true);
    this.tsHi = dv.getUint32(off + 4, true);
    this.tid = tidAt(dv, off + 8);
    const len = (this.len = dv.getUint32(off + 16, true));
    this.type = dv.getUint16(off + 20, true);
    this.lenSize = large ? 4 : 2;
    this.serial++;
    if (v1) {
      this.lensOff = off + EVENT_HEADER_V1;
      this.nparams = v1Nparams(dv, off, len, tableNparams);
    } else {
      this.lensOff = off + EVENT_HEADER_V2;
      this.nparams = dv.getUint32(off + 22, true);
    }
  }

  /** Timestamp as a bigint (exact). */
  get ts(): bigint {
    return (BigInt(this.tsHi) << 32n) | BigInt(this.tsLo);
  }

  /** Timestamp as a double (approximate, for coarse comparisons only). */
  get tsApprox(): number {
    return this.tsHi * 4294967296 + this.tsLo;
  }

  private decode(): void {
    const n = Math.min(this.nparams, MAX_PARAMS);
    // the lengths through the view's DataView, and the arrays in locals: byte loads and field loads in the
    // loop made it ~56 instructions a parameter
    const dv = this.dv;
    const pOff = this.pOff;
    const pLen = this.pLen;
    const ls = this.lenSize;
    let lp = this.lensOff;
    let vp = lp + this.nparams * ls;
    const end = this.off + this.len;
    for (let i = 0; i < n; i++) {
      let l = ls === 2 ? dv.getUint16(lp, true) : dv.getUint32(lp, true);
      lp += ls;
      if (vp + l > end) l = end > vp ? end - vp : 0;
      pOff[i] = vp;
      pLen[i] = l;
      vp += l;
    }
    this.decodedFor = this.serial;
  }

  /** Offset of parameter i's value; call only for i < nparams. */
  paramOff(i: number): number {
    if (this.decodedFor !== this.serial) this.decode();
    return this.pOff[i]!;
  }

  paramLen(i: number): number {
    if (this.decodedFor !== this.serial) this.decode();
    return this.pLen[i]!;
  }

  /** u32 of parameter i when it holds at least 4 bytes; else, and past nparams, 0 */
  paramU32(i: number): number {
    if (i >= this.nparams) return 0;
    if (this.decodedFor !== this.serial) this.decode();
    return this.pLen[i]! >= 4 ? u32(this.buf, this.pOff[i]!) : 0;
  }

  paramBytes(i: number): Buffer {
    const o = this.paramOff(i);
    return this.buf.subarray(o, o + this.pLen[i]!);
  }

  /** Integer parameter of 1, 2, 4 or 8 bytes, signed by `signed`. 8-byte values come back as numbers (exact below 2^53). */
  paramInt(i: number, signed = true): number {
    const o = this.paramOff(i);
    const l = this.pLen[i]!;
    const b = this.buf;
    switch (l) {
      case 1:
        return signed ? b.readInt8(o) : b[o]!;
      case 2:
        return signed ? b.readInt16LE(o) : b.readUInt16LE(o);
      case 4:
        return signed ? b.readInt32LE(o) : b.readUInt32LE(o);
      case 8:
        return signed ? readI64(b, o) : readU64(b, o);
      default:
        return 0;
    }
  }

  /** Copy the whole event out of the shared chunk, always with a v2 header (nparams included). */
  copyBytes(): Buffer {
    const out = Buffer.allocUnsafe(this.copiedSize());
    this.copyInto(out, viewOf(out));
    return out;
  }

  /** Size of the copy made by copyBytes / copyInto. */
  copiedSize(): number {
    return this.lensOff - this.off === EVENT_HEADER_V2 ? this.len : this.len + 4;
  }

  /** copyBytes into `out` (at least copiedSize() bytes), from its start; `outDv` is a DataView over `out`. */
  copyInto(out: Buffer, outDv: DataView): void {
    const b = this.buf;
    const off = this.off;
    if (this.lensOff - off === EVENT_HEADER_V2) {
      copyBytes(b, this.dv, off, out, outDv, 0, this.len);
      return;
    }
    // v1: the header gains nparams (u32 after the type) and the length grows by 4
    for (let i = 0; i < EVENT_HEADER_V1; i++) out[i] = b[off + i]!;
    putU32(out, 16, this.len + 4);
    putU32(out, 22, this.nparams);
    const rest = off + this.len - this.lensOff;
    if (rest <= 40) for (let i = 0, s = this.lensOff; i < rest; i++) out[EVENT_HEADER_V2 + i] = b[s + i]!;
    else b.copy(out, EVENT_HEADER_V2, this.lensOff, off + this.len);
  }
}

/** Unsigned 32-bit little-endian, without the bounds checks of readUInt32LE (callers check lengths). */
export function u32(b: Buffer, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
}

function putU32(b: Buffer, o: number, v: number): void {
  b[o] = v;
  b[o + 1] = v >>> 8;
  b[o + 2] = v >>> 16;
  b[o + 3] = v >>> 24;
}

/**
 * Signed 64-bit little-endian as a number (exact when |v| < 2^53). One that fits 32 bits comes back as a
 * small integer (see tidAt): fds and results, stored in a thread's fields, then stay unboxed.
 */
export function readI64(b: Buffer, o: number): number {
  return i64Of(b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24), b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24));
}

export function readU64(b: Buffer, o: number): number {
  const lo = b.readUInt32LE(o);
  const hi = b.readUInt32LE(o + 4);
  return hi * 4294967296 + lo;
}

/** v1 events carry no nparams: count down from the table's until the lengths add up to the event length. */
export function v1Nparams(dv: DataView, off: number, len: number, tableN: number): number {
  for (let n = tableN; n > 0; n--) {
    const lensEnd = EVENT_HEADER_V1 + 2 * n;
    if (lensEnd > len) continue;
    let sum = lensEnd;
    for (let p = off + EVENT_HEADER_V1, e = off + lensEnd; p < e; p += 2) sum += dv.getUint16(p, true);
    if (sum === len) return n;
  }
  return 0;
}
