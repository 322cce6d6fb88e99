// Parameter rendering as sysdig 0.29.3 prints it: the plain text and the resolved text of each
// parameter (libsinsp event.cpp get_param_as_str, utils.cpp address and path helpers).

import { printfG } from './printf.js';
import type { EventView } from '../scap/event.js';
import { readI64 } from '../scap/event.js';
import { BufferFormat } from '../fields/types.js';
import type { ParamText } from '../fields/types.js';
import {
  FD_DIRECTORY,
  FD_IPV4_SERVSOCK,
  FD_IPV4_SOCK,
  FD_IPV6_SERVSOCK,
  FD_IPV6_SOCK,
  L4_ICMP,
  L4_RAW,
  L4_TCP,
  L4_UDP,
  L4_UNKNOWN,
} from '../state/model.js';
import type { Fd, StateTables, Thread } from '../state/model.js';
import type { EventInfo, ParamInfo } from './table.js';
import { dynamicTable, errnoName, flagTable, PF, PT, syscallName } from './table.js';
import { portText } from './ports.js';

export const AT_FDCWD = -100;
const PPM_AF_UNIX = 1;
const PPM_AF_INET = 2;
const PPM_AF_INET6 = 10;

/** Everything a parameter's rendering may look at besides its bytes. */
export interface RenderScope {
  ev: EventView;
  info: EventInfo;
  thread: Thread | undefined;
  /** the event's fd (used for the l4 protocol of -R port names only) */
  fd: Fd | undefined;
  tables: StateTables;
  bufferFormat: BufferFormat;
  /** cut for BYTEBUF text in the normal format; 0 = no cut (sysdig: 80, 0 under -v or chisels) */
  maxBufLen: number;
}

const SIGNALS: readonly (string | undefined)[] = [
  undefined, 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL',
  'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT',
  'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF',
  'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
];

export function signalName(n: number): string | undefined {
  return SIGNALS[n];
}

/** isprint in the C locale */
export function isPrint(c: number): boolean {
  return c >= 0x20 && c < 0x7f;
}

/** sanitize_string: drop every byte that is not printable ASCII. */
export function sanitize(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) return s.replace(/[^\x20-\x7e]/g, '');
  }
  return s;
}

/** A NUL-terminated string inside a parameter (bytes up to the first NUL), as latin1 text. */
export function cString(b: Buffer, off: number, len: number): string {
  const end = off + len;
  let i = off;
  while (i < end && b[i] !== 0) i++;
  return b.toString('latin1', off, i);
}

/** strcpy_sanitized over at most `len` bytes: stops at NUL, drops non-printable bytes. */
function sanitizedCString(b: Buffer, off: number, len: number): string {
  return sanitize(cString(b, off, len));
}

export function ipv4ToString(b: Buffer, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** inet_ntop(AF_INET6) text: RFC 5952 compression, lower case, IPv4-mapped/compatible tails as glibc prints them. */
/** the eight 16-bit words of the address ipv6ToString is printing */
const WORDS = new Uint16Array(8);

export function ipv6ToString(b: Buffer, off = 0): string {
  if (off < 0 || off + 16 > b.length) throw new RangeError(`IPv6 address at ${off} past the end of ${b.length} bytes`);
  const w = WORDS;
  for (let i = 0, p = off; i < 8; i++, p += 2) w[i] = (b[p]! << 8) | b[p + 1]!;
  // glibc prints ::ffff:a.b.c.d and ::a.b.c.d (when the first 6 words are 0 and word 6 != 0 or word 7 > 1)
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] === 0) {
      let j = i;
      while (j < 8 && w[j] === 0) j++;
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    } else i++;
  }
  if (bestLen < 2) bestStart = -1;
  // glibc prints an IPv4 tail for ::a.b.c.d (but not ::1) and ::ffff:a.b.c.d
  const v4tail = bestStart === 0 && (bestLen === 6 || (bestLen === 7 && w[7] !== 1) || (bestLen === 5 && w[5] === 0xffff));
  const limit = v4tail ? 6 : 8;
  let out = '';
  for (let i = 0; i < limit; i++) {
    if (i === bestStart) {
      out += i === 0 ? '::' : ':';
      i += bestLen - 1;
      continue;
    }
    out += w[i]!.toString(16);
    if (i < limit - 1) out += ':';
  }
  if (v4tail) {
    if (!out.endsWith(':')) out += ':';
    out += ipv4ToString(b, off + 12);
  }
  return out;
}

export function isIpv4MappedIpv6(b: Buffer, off: number): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  if (b[off + 10] === 0xff && b[off + 11] === 0xff) return true;
  return b[off + 10] === 0 && b[off + 11] === 0 && b[off + 12] === 0 && b[off + 13] === 0 && b[off + 14] === 0 && b[off + 15] === 0;
}

/** sockinfo_to_str for an fd's union (lib/state/model.ts SOCK layout). */
export function sockinfoToString(fd: Fd): string {
  const s = fd.sock;
  if (fd.type === FD_IPV4_SOCK) {
    const l4 = s[12]!;
    if (l4 === L4_TCP || l4 === L4_UDP) {
      return `${ipv4ToString(s, 0)}:${portText(s.readUInt16LE(8), l4)}->${ipv4ToString(s, 4)}:${portText(s.readUInt16LE(10), l4)}`;
    }
    if (l4 === L4_ICMP || l4 === L4_RAW) return `${ipv4ToString(s, 0)}->${ipv4ToString(s, 4)}`;
    return '<unknown>';
  }
  if (fd.type === FD_IPV6_SOCK) {
    const l4 = s[36]!;
    if (l4 === L4_TCP || l4 === L4_UDP) {
      if (isIpv4MappedIpv6(s, 0) && isIpv4MappedIpv6(s, 16)) {
        // the 0.29.3 code reads the IPv4 member's ports here (offsets 8 and 10), and its l4 protocol (12)
        const l4v4 = s[12]!;
        return `${ipv4ToString(s, 12)}:${portText(s.readUInt16LE(8), l4v4)}->${ipv4ToString(s, 28)}:${portText(s.readUInt16LE(10), l4v4)}`;
      }
      return `${ipv6ToString(s, 0)}:${portText(s.readUInt16LE(32), l4)}->${ipv6ToString(s, 16)}:${portText(s.readUInt16LE(34), l4)}`;
    }
    if (l4 === L4_ICMP) {
      if (isIpv4MappedIpv6(s, 0) && isIpv4MappedIpv6(s, 16)) return `${ipv4ToString(s, 12)}->${ipv4ToString(s, 28)}`;
      return `${ipv6ToString(s, 0)}->${ipv6ToString(s, 16)}`;
    }
    return '<unknown>';
  }
  return '';
}

/** Name of an fd seeded from a socket record or set by bind: ip:port or ip:port->ip:port. */
export function servsockName(fd: Fd): string {
  const s = fd.sock;
  if (fd.type === FD_IPV4_SERVSOCK) return `${ipv4ToString(s, 0)}:${portText(s.readUInt16LE(4), s[6]!)}`;
  if (fd.type === FD_IPV6_SERVSOCK) return `${ipv6ToString(s, 0)}:${portText(s.readUInt16LE(16), s[18]!)}`;
  return '';
}

/** ipv4tuple_to_string / ipv6tuple_to_string of the union, whatever the l4 protocol. */
export function tupleName(fd: Fd): string {
  const s = fd.sock;
  if (fd.type === FD_IPV4_SOCK) return `${ipv4ToString(s, 0)}:${portText(s.readUInt16LE(8), s[12]!)}->${ipv4ToString(s, 4)}:${portText(s.readUInt16LE(10), s[12]!)}`;
  return `${ipv6ToString(s, 0)}:${portText(s.readUInt16LE(32), s[36]!)}->${ipv6ToString(s, 16)}:${portText(s.readUInt16LE(34), s[36]!)}`;
}

// ---------------------------------------------------------------------------
// paths

/** copy_and_sanitize_path + concatenate_paths (utils.cpp): join, resolve . and .., drop a trailing /. */
export function concatenatePaths(base: string, path: Buffer | string): string {
  if (typeof path !== 'string') return concatenatePathBytes(base, path, 0, path.length, new DataView(path.buffer, path.byteOffset, path.length));
  if (base.length + path.length + 1 > 1024) return '/PATH_TOO_LONG';
  if (path.length !== 0 && path.charCodeAt(0) !== 0x2f) return sanitizePath(base, path);
  return sanitizePath('', path);
}

/**
 * Paths joined by concatenatePathBytes: a process opens the same files again and again (libraries,
 * configuration, /proc entries). A path found here costs one comparison of its bytes, instead of a string
 * made from them (a call into Node), the scan for "." and "//", and the join: an open's exit took ~2,300
 * instructions for its path before, ~4% of topconns on a capture of curl runs. The join is a function of
 * its base and of the bytes up to the NUL alone, so a path found here is what the join would make again.
 * Entries are found by a hash of the parameter's length and a few of its bytes, and each is checked byte
 * for byte. Bounded: at most JOINED_CHAIN paths share a hash, and past JOINED_MAX paths it starts over.
 */
interface Joined {
  /** the base it was joined with ('' for an absolute path, which ignores the base) */
  base: string;
  /** the path's bytes up to its NUL, as latin1 text */
  path: string;
  /** the same bytes four at a time (little-endian), but for the last path.length % 4 */
  words: Int32Array;
  value: string;
  /** the next path with the same hash */
  next: Joined | undefined;
}
const JOINED_MAX = 4096;
const JOINED_CHAIN = 8;
const joined = new Map<number, Joined>();

/** concatenatePaths with the path as the bytes b[off, off + len) (up to a NUL); `dv` views b (viewOf). */
export function concatenatePathBytes(base: string, b: Buffer, off: number, len: number, dv: DataView): string {
  if (base.length + len + 1 > 1024) return '/PATH_TOO_LONG';
  // the C code tests the parameter's byte length, so a lone NUL still joins with the base
  if (len === 0) return sanitizePath('', '');
  const from = b[off] === 0x2f ? '' : base;
  // the length and bytes at the start, the middle and the end (a path's NUL is mostly its last byte)
  const mid = off + (len >> 1);
  const last = off + len - 1;
  let h = Math.imul(len, 0x01000193) ^ (b[off + (len > 1 ? 1 : 0)]! << 8) ^ b[mid]! ^ (b[mid - (len > 2 ? 1 : 0)]! << 16);
  h = Math.imul(h ^ b[last]! ^ (b[last - (len > 1 ? 1 : 0)]! << 8) ^ (b[last - (len > 2 ? 2 : 0)]! << 16) ^ from.length, 0x01000193);
  // (a key within V8's small integers: a larger one is a heap number, which the map hashes slowly)
  h &= 0x3fffffff;
  const first = joined.get(h);
  let chain = 0;
  for (let e = first; e !== undefined; e = e.next) {
    chain++;
    const p = e.path;
    const n = p.length;
    if (n > len || e.base !== from) continue;
    // the entry's bytes hold no NUL: equal bytes and a NUL (or the end) after them are the same C string.
    // Four bytes a read (byte by byte, with the text's charCodeAt, a path cost ~1,700 instructions).
    const w = e.words;
    const nw = w.length;
    let j = 0;
    while (j < nw && dv.getInt32(off + 4 * j, true) === w[j]) j++;
    if (j < nw) continue;
    let k = 4 * nw;
    while (k < n && p.charCodeAt(k) === b[off + k]) k++;
    if (k === n && (n === len || b[off + n] === 0)) return e.value;
  }
  let i = off;
  const end = off + len;
  while (i < end && b[i] !== 0) i++;
  const path = b.toString('latin1', off, i);
  const value = sanitizePath(from, path);
  const words = new Int32Array((i - off) >> 2);
  for (let q = 0; q < words.length; q++) words[q] = dv.getInt32(off + 4 * q, true);
  if (joined.size >= JOINED_MAX) joined.clear();
  joined.set(h, { base: from, path, words, value, next: joined.size === 0 || chain >= JOINED_CHAIN ? undefined : first });
  return value;
}

/**
 * Nothing to resolve: printable, no doubled or trailing "/", and no "." or ".." that ends where a "/" or
 * the path's end follows. sanitizePath acts on those wherever they are, not only at a segment's start:
 * "a../x" resolves to "x" and "a./x" to "ax", as sysdig resolves them. A name such as ".htaccess" or
 * "a..b" is plain.
 */
function plainPath(p: string): boolean {
  const n = p.length;
  let prev = 0x2f;
  for (let i = 0; i < n; i++) {
    const c = p.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) return false;
    if (c === 0x2f && prev === 0x2f && i !== 0) return false;
    if (c === 0x2e) {
      const d = i + 1 < n ? p.charCodeAt(i + 1) : 0x2f;
      if (d === 0x2f || (d === 0x2e && (i + 2 >= n || p.charCodeAt(i + 2) === 0x2f))) return false;
    }
    prev = c;
  }
  return prev !== 0x2f || n === 1;
}

function sanitizePath(base: string, p: string): string {
  if ((base === '' || base.charCodeAt(base.length - 1) === 0x2f) && p.length > 0 && plainPath(p)) {
    // a relative path after a base ending in '/', or an absolute path: the join is the concatenation
    if (base === '' || p.charCodeAt(0) !== 0x2f) return base + p;
  }
  // target holds the base followed by the copied path; `floor` is the start of the whole target
  const t: number[] = [];
  for (let i = 0; i < base.length; i++) t.push(base.charCodeAt(i));
  let pc = 0;
  const n = p.length;
  const at = (i: number): number => (i < n ? p.charCodeAt(i) : 0);
  const rewind = (delta: number): void => {
    if (t.length <= 1) {
      pc += delta;
      return;
    }
    t.pop();
    while (t.length >= 1 && t[t.length - 1] !== 0x2f) t.pop();
    pc += delta;
  };
  for (;;) {
    const c = at(pc);
    if (c === 0) {
      if (t.length > 1 && t[t.length - 1] === 0x2f) t.pop();
      break;
    }
    if (c < 0x20 || c >= 0x7f) {
      t.push(0x2e);
      pc++;
    } else if (c === 0x2e && at(pc + 1) === 0x2e && at(pc + 2) === 0x2f) {
      rewind(3);
    } else if (c === 0x2e && at(pc + 1) === 0x2e) {
      if (at(pc + 2) === 0) rewind(2);
      else {
        t.push(0x2e, 0x2e);
        pc += 2;
      }
    } else if (c === 0x2e && at(pc + 1) === 0x2f) {
      pc += 2;
    } else if (c === 0x2e) {
      if (at(pc + 1) === 0) pc++;
      else {
        t.push(c);
        pc++;
      }
    } else if (c === 0x2f) {
      if (t.length > 0 && t[t.length - 1] === 0x2f) pc++;
      else {
        t.push(c);
        pc++;
      }
    } else {
      t.push(c);
      pc++;
    }
  }
  return String.fromCharCode(...t);
}

// ---------------------------------------------------------------------------
// buffers

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Render a data buffer in one of sysdig's buffer formats (event.cpp binary_buffer_to_*). */
export function renderBuffer(b: Buffer, off: number, len: number, fmt: BufferFormat): string {
  if (len === 0) return '';
  switch (fmt) {
    case BufferFormat.Hex:
    case BufferFormat.HexAscii:
      return hexDump(b, off, len, fmt === BufferFormat.HexAscii);
    case BufferFormat.Base64:
      return b.toString('base64', off, off + len);
    case BufferFormat.Ascii:
      return asciiOnly(b, off, len);
    default:
      return dots(b, off, len);
  }
}

/** scratch bytes for dots() */
let dotsBuf = Buffer.allocUnsafe(4096);

/**
 * Each byte as the normal buffer format prints it: itself when printable (0x20-0x7e), else '.'. A table
 * lookup rather than a test: payloads (TLS, binary files) mix the two at random, and a branch on each
 * byte mispredicts.
 */
export const DOT_BYTES: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = c < 0x20 || c >= 0x7f ? 0x2e : c;
  return t;
})();

function dots(b: Buffer, off: number, len: number): string {
  let i = 0;
  while (i < len) {
    const c = b[off + i]!;
    if (c < 0x20 || c >= 0x7f) break;
    i++;
  }
  if (i === len) return b.toString('latin1', off, off + len);
  // a non-printable byte: copy with every such byte as '.', then decode once
  if (dotsBuf.length < len) dotsBuf = Buffer.allocUnsafe(Math.max(len, dotsBuf.length * 2));
  const d = dotsBuf;
  if (i > 64) b.copy(d, 0, off, off + i);
  else for (let j = 0; j < i; j++) d[j] = b[off + j]!;
  for (; i < len; i++) d[i] = DOT_BYTES[b[off + i]!]!;
  return d.toString('latin1', 0, len);
}

function asciiOnly(b: Buffer, off: number, len: number): string {
  let out = '\n';
  for (let j = 0; j < len; j++) {
    const c = b[off + j]!;
    if (isPrint(c)) out += String.fromCharCode(c);
    else if (c === 0x0d) out += '\n';
    else if (c === 0x0a) {
      if (j > 0 && b[off + j - 1] !== 0x0d) out += '\n';
    }
  }
  return out;
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

function hexDump(b: Buffer, off: number, len: number, ascii: boolean): string {
  let out = '';
  for (let j = 0; j < len; j += 16) {
    let row = `\n\t0x${hex4(j)}:`;
    let chunks = 0;
    let p = j;
    while (chunks < 8 && p < len) {
      if (p === len - 1) row += ' ' + b[off + p]!.toString(16).padStart(2, '0');
      else row += ' ' + hex4((b[off + p]! << 8) | b[off + p + 1]!);
      chunks++;
      p += 2;
    }
    if (ascii) {
      while (chunks < 8) {
        row += '     ';
        chunks++;
      }
      row += '  ';
      for (let q = j; q < j + 16 && q < len; q++) {
        const c = b[off + q]!;
        row += isPrint(c) ? String.fromCharCode(c) : '.';
      }
    }
    out += row;
  }
  return out + '\n';
}

export { B64 };

// ---------------------------------------------------------------------------
// numbers

function numFmt(v: number | bigint, fmt: number, hexWidthBits: number): string {
  if (fmt === PF.OCT) {
    if (v === 0 || v === 0n) return '0';
    return '0' + (typeof v === 'bigint' ? BigInt.asUintN(hexWidthBits, v) : unsigned(v, hexWidthBits)).toString(8);
  }
  if (fmt === PF.HEX) {
    return (typeof v === 'bigint' ? BigInt.asUintN(hexWidthBits, v) : unsigned(v, hexWidthBits)).toString(16).toUpperCase();
  }
  if (fmt === PF['10_PADDED_DEC']) {
    const s = v.toString();
    return s.startsWith('-') ? '-' + s.slice(1).padStart(8, '0') : s.padStart(9, '0');
  }
  return v.toString();
}

/**
 * A 64-bit parameter, read as signed (as sysdig prints them). In decimal, a value within 2^53 (the usual
 * case: results, sizes) prints from a number: the same digits, without a BigInt to make and print.
 */
function int64Text(b: Buffer, off: number, len: number, fmt: number): string {
  if (len < 8) return numFmt(0n, fmt, 64);
  if (fmt !== PF.OCT && fmt !== PF.HEX && fmt !== PF['10_PADDED_DEC']) {
    const hi = b.readInt32LE(off + 4);
    if (hi >= -0x200000 && hi < 0x200000) return String(readI64(b, off));
  }
  return numFmt(b.readBigInt64LE(off), fmt, 64);
}

/** C promotes 8 and 16-bit values to int before %X/%o: negative values print as 32-bit. */
function unsigned(v: number, bits: number): number | bigint {
  if (v >= 0) return v;
  if (bits <= 32) return v >>> 0;
  return BigInt.asUintN(64, BigInt(v));
}

// ---------------------------------------------------------------------------
// the renderer

/**
 * The length of the last data buffer rendered as text, by any event (libsinsp keeps it in its one event
 * object, m_rawbuf_str_len, set only where a PT_BYTEBUF param is rendered: event.cpp). evt.buffer prints a
 * data param of another type (ptrace's exit, PT_DYN) cut to it (filterchecks.cpp, TYPE_BUFFER).
 */
export const lastBytebuf = { len: 0 };

/**
 * Render parameter i of the event. `simple` drops the fd type char (PF_SIMPLE, used when naming fds).
 */
export function renderParam(scope: RenderScope, i: number, simple = false): ParamText {
  const ev = scope.ev;
  let pinfo: ParamInfo | { type: number; fmt: number; info: string | number | null; name: string } = scope.info.params[i]!;
  const fmtOfTable = pinfo.fmt;
  let off = ev.paramOff(i);
  let len = ev.paramLen(i);
  const b = ev.buf;
  if (pinfo.type === PT.DYN && typeof pinfo.info === 'string' && len !== 0) {
    const idx = b[off]!;
    const table = dynamicTable(pinfo.info);
    if (table && idx < table.length) {
      off += 1;
      len -= 1;
      const d = table[idx]!;
      pinfo = { type: d.type, fmt: d.fmt, info: null, name: pinfo.name };
    }
  }
  const type = pinfo.type;
  switch (type) {
    case PT.INT8:
      return plain(numFmt(len >= 1 ? b.readInt8(off) : 0, fmtOfTable, 32));
    case PT.INT16:
      return plain(numFmt(len >= 2 ? b.readInt16LE(off) : 0, fmtOfTable, 32));
    case PT.INT32:
      return plain(numFmt(len >= 4 ? b.readInt32LE(off) : 0, fmtOfTable, 32));
    case PT.INT64:
      return plain(int64Text(b, off, len, fmtOfTable));
    case PT.UINT8:
      return plain(numFmt(len >= 1 ? b[off]! : 0, fmtOfTable, 32));
    case PT.UINT16:
      return plain(numFmt(len >= 2 ? b.readUInt16LE(off) : 0, fmtOfTable, 32));
    case PT.UINT32:
      // printed with a signed conversion (PRId32) in decimal
      return plain(numFmt(len >= 4 ? (fmtOfTable === PF.HEX || fmtOfTable === PF.OCT ? b.readUInt32LE(off) : b.readInt32LE(off)) : 0, fmtOfTable, 32));
    case PT.UINT64:
      return plain(int64Text(b, off, len, fmtOfTable));
    case PT.FD: {
      const fd = len >= 8 ? readI64(b, off) : 0;
      return renderFd(scope, fd, simple);
    }
    case PT.PID: {
      const pid = len >= 8 ? readI64(b, off) : 0;
      const t = scope.tables.threads.get(pid);
      return { text: String(pid), resolved: t ? t.comm : '' };
    }
    case PT.ERRNO: {
      const v = len >= 8 ? readI64(b, off) : 0;
      let resolved = '';
      if (v < 0) resolved = errnoName((v | 0) === v ? v : Number(BigInt.asIntN(32, BigInt(v)))) ?? '';
      return { text: String(v), resolved };
    }
    case PT.CHARBUF:
    // (only tracer events hold these; the engine stores them as the text get_param_as_str makes)
    case PT.CHARBUFARRAY:
    case PT.CHARBUF_PAIR_ARRAY:
      return plain(cString(b, off, len));
    case PT.FSPATH:
    case PT.FSRELPATH: {
      const text = sanitizedCString(b, off, len);
      const t = scope.thread;
      if (t && len > 0) {
        if (b.toString('latin1', off, off + Math.min(4, len)) !== '<NA>') {
          const base = baseDir(scope, i, t);
          const full = concatenatePathBytes(base, b, off, len, ev.dv);
          return { text, resolved: isAbsoluteParam(b, off, len) ? '' : full };
        }
        return { text, resolved: '' };
      }
      return { text, resolved: text };
    }
    case PT.BYTEBUF: {
      let s = renderBuffer(b, off, len, scope.bufferFormat);
      if (scope.maxBufLen !== 0 && scope.bufferFormat === BufferFormat.Normal && s.length > scope.maxBufLen) {
        s = s.slice(0, scope.maxBufLen - 3) + '...';
      }
      lastBytebuf.len = s.length;
      return plain(s);
    }
    case PT.SOCKADDR:
      return plain(renderSockaddr(b, off, len, scope.fd !== undefined ? scope.fd.l4() : L4_UNKNOWN));
    case PT.SOCKTUPLE:
      return plain(renderSocktuple(b, off, len, scope.fd !== undefined ? scope.fd.l4() : L4_UNKNOWN));
    case PT.FDLIST: {
      const t = scope.thread;
      if (!t || len < 2) return plain('');
      const n = b.readUInt16LE(off);
      const parts: string[] = [];
      let pos = off + 2;
      for (let j = 0; j < n && pos + 10 <= off + len; j++) {
        const fdn = readI64(b, pos);
        const f = scope.tables.getFd(t, fdn);
        const flags = b.readInt16LE(pos + 8);
        const fdText = fdn < 0 ? BigInt.asUintN(64, BigInt(fdn)).toString() : String(fdn);
        parts.push(`${fdText}:${f ? f.typeChar() : '?'}${(flags >>> 0).toString(16)}`);
        pos += 10;
      }
      return plain(parts.join(' '));
    }
    case PT.SYSCALLID: {
      const id = len >= 2 ? b.readUInt16LE(off) : 0;
      return { text: String(id), resolved: syscallName(id) ?? '' };
    }
    case PT.SIGTYPE: {
      const v = len >= 1 ? b[off]! : 0;
      return { text: String(v), resolved: signalName(v) ?? '' };
    }
    case PT.RELTIME: {
      const v = len >= 8 ? b.readBigUInt64LE(off) : 0n;
      if (v === 0xffffffffffffffffn) return plain('none');
      return { text: v.toString(), resolved: `${printfG(Number(v) / 1e9)}s` };
    }
    case PT.FLAGS8:
    case PT.FLAGS16:
    case PT.FLAGS32:
    case PT.MODE:
    case PT.ENUMFLAGS8:
    case PT.ENUMFLAGS16:
    case PT.ENUMFLAGS32: {
      let v: number;
      if (type === PT.FLAGS8 || type === PT.ENUMFLAGS8) v = len >= 1 ? b[off]! : 0;
      else if (type === PT.FLAGS16 || type === PT.ENUMFLAGS16) v = len >= 2 ? b.readUInt16LE(off) : 0;
      else v = len >= 4 ? b.readUInt32LE(off) : 0;
      const origInfo = scope.info.params[i]!.info;
      const table = typeof origInfo === 'string' ? flagTable(origInfo) : undefined;
      const text = type === PT.MODE ? numFmt(v | 0, fmtOfTable, 32) : String(v);
      if (type === PT.ENUMFLAGS8 || type === PT.ENUMFLAGS16 || type === PT.ENUMFLAGS32) {
        const hit = table?.find(([, val]) => val === v);
        return { text, resolved: hit ? hit[0] : '' };
      }
      return { text, resolved: table ? flagNames(table, v) : '' };
    }
    case PT.UID:
    case PT.GID: {
      const v = len >= 4 ? b.readUInt32LE(off) : 0;
      if (v === 0xffffffff) return { text: '-1', resolved: '<NONE>' };
      const name = type === PT.UID ? scope.tables.users.get(v)?.name : scope.tables.groups.get(v)?.name;
      return { text: String(v | 0), resolved: name !== undefined ? sanitize(name) : '<NA>' };
    }
    case PT.SIGSET: {
      const v = len >= 4 ? b.readUInt32LE(off) : 0;
      const names: string[] = [];
      for (let sig = 0; sig < 32; sig++) if (v & (1 << sig)) {
        const n = signalName(sig + 1);
        if (n) names.push(n);
      }
      return plain(names.join(' '));
    }
    case PT.ABSTIME:
    case PT.DYN:
      return plain('INVALID DYNAMIC PARAMETER');
    default:
      return plain('(n.a.)');
  }
}

function plain(text: string): ParamText {
  return { text, resolved: '' };
}

function isAbsoluteParam(b: Buffer, off: number, len: number): boolean {
  return len > 0 && b[off] === 0x2f;
}

/** The flag walk of get_param_as_str: table order, bit groups cleared once matched. */
export function flagNames(table: readonly (readonly [string, number])[], initial: number): string {
  let val = initial;
  let out = '';
  let sep = '';
  let k = 0;
  for (; k < table.length; k++) {
    const [name, fv] = table[k]!;
    if (fv === initial) break;
    if ((fv === 0 && initial === 0) || (fv !== 0 && (val & fv) >>> 0 === fv >>> 0 && val !== 0)) {
      out += sep + name;
      sep = '|';
      val &= ~fv;
    }
  }
  if (k < table.length) out += sep + table[k]![0];
  return out;
}

/** get_base_dir: the cwd, or the directory of the dirfd parameter for FSRELPATH. */
function baseDir(scope: RenderScope, i: number, t: Thread): string {
  const cwd = scope.tables.cwd(t);
  const pinfo = scope.info.params[i]!;
  if (pinfo.type !== PT.FSRELPATH) return cwd;
  const dirIdx = typeof pinfo.info === 'number' ? pinfo.info : 0;
  if (dirIdx >= scope.info.params.length) return cwd;
  if (scope.info.params[dirIdx]!.type !== PT.FD) return cwd;
  if (dirIdx >= scope.ev.nparams) return cwd;
  const dirfd = readI64(scope.ev.buf, scope.ev.paramOff(dirIdx));
  if (dirfd === AT_FDCWD) return cwd;
  const f = scope.tables.getFd(t, dirfd);
  if (!f || f.name === '') return '';
  return sanitize(f.name) + '/';
}

export function renderFd(scope: RenderScope, fd: number, simple: boolean): ParamText {
  const text = String(fd);
  const t = scope.thread;
  if (!t) return plain(text);
  if (fd >= 0) {
    const f = scope.tables.getFd(t, fd);
    if (!f) return plain(text);
    let proto = '';
    if (f.isIp()) {
      switch (f.l4()) {
        case L4_TCP:
          proto = 't';
          break;
        case L4_UDP:
          proto = 'u';
          break;
        case L4_ICMP:
          proto = 'i';
          break;
        case L4_RAW:
          proto = 'r';
          break;
      }
    }
    return { text, resolved: `<${simple ? '' : f.typeChar()}${proto}>${sanitize(f.name)}` };
  }
  if (fd === AT_FDCWD) return { text, resolved: 'AT_FDCWD' };
  return { text, resolved: errnoName((fd | 0) === fd ? fd : Number(BigInt.asIntN(32, BigInt(fd)))) ?? '' };
}

/**
 * A sockaddr parameter as text. `l4`: the l4 protocol of the event's fd (libsinsp: m_fdinfo->get_l4proto(),
 * unknown without one), which names its port under -R.
 */
export function renderSockaddr(b: Buffer, off: number, len: number, l4 = L4_UNKNOWN): string {
  if (len === 0) return 'NULL';
  const fam = b[off]!;
  if (fam === PPM_AF_UNIX) return sanitize(cString(b, off + 1, len - 1));
  if (fam === PPM_AF_INET) {
    if (len === 7) return `${ipv4ToString(b, off + 1)}:${portText(b.readUInt16LE(off + 5), l4)}`;
    return 'INVALID IPv4';
  }
  if (fam === PPM_AF_INET6) {
    if (len === 19) return `${ipv6ToString(b, off + 1)}:${portText(b.readUInt16LE(off + 17), l4)}`;
    return 'INVALID IPv6';
  }
  return `family ${fam}`;
}

/** A socket tuple parameter as text; `l4` as renderSockaddr's. */
export function renderSocktuple(b: Buffer, off: number, len: number, l4 = L4_UNKNOWN): string {
  if (len === 0) return 'NULL';
  const fam = b[off]!;
  if (fam === PPM_AF_INET) {
    if (len === 13) {
      return `${ipv4ToString(b, off + 1)}:${portText(b.readUInt16LE(off + 5), l4)}->${ipv4ToString(b, off + 7)}:${portText(b.readUInt16LE(off + 11), l4)}`;
    }
    return 'INVALID IPv4';
  }
  if (fam === PPM_AF_INET6) {
    if (len === 37) {
      if (isIpv4MappedIpv6(b, off + 1) && isIpv4MappedIpv6(b, off + 19)) {
        return `${ipv4ToString(b, off + 13)}:${portText(b.readUInt16LE(off + 17), l4)}->${ipv4ToString(b, off + 31)}:${portText(b.readUInt16LE(off + 35), l4)}`;
      }
      return `${ipv6ToString(b, off + 1)}:${portText(b.readUInt16LE(off + 17), l4)}->${ipv6ToString(b, off + 19)}:${portText(b.readUInt16LE(off + 35), l4)}`;
    }
    return 'INVALID IPv6';
  }
  if (fam === PPM_AF_UNIX) {
    if (len < 17) return '';
    const a = b.readBigUInt64LE(off + 1).toString(16);
    const c = b.readBigUInt64LE(off + 9).toString(16);
    return `${a}->${c} ${sanitize(cString(b, off + 17, len - 17))}`;
  }
  return `family ${fam}`;
}

export { FD_DIRECTORY };
