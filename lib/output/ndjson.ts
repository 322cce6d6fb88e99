// The lossless NDJSON form (formats/ndjson.md): one object per block. Section records carry their
// decoded fields and the raw block; events carry the resolved default fields and the raw block.
// 64-bit integers are written as JSON strings so they stay exact.

import { DataError } from '../cli/errors.js';
import { streamModule } from '../cli/lazy.js';
import type { HeaderBlock } from '../scap/reader.js';
import type { EventView } from '../scap/event.js';
import type { EventInfo } from '../events/table.js';
import type { StateEngine } from '../state/engine.js';
import { BlockKind } from '../scap/blocks.js';
import { evtArgs, evtType } from '../fields/evt.js';
import type { TextOut } from './writer.js';
import { copies, openInput, type InputSource } from '../scap/input.js';
import {
  decodeFdList,
  decodeInterfaces,
  decodeMachineInfo,
  decodeProcList,
  decodeSectionHeader,
  decodeUsers,
} from '../scap/records.js';
import { ipv4ToString, ipv6ToString } from '../events/render.js';

/** The decoded record of a header block, as a JSON-ready value (64-bit values as decimal strings). */
function decodedRecord(b: HeaderBlock): unknown {
  const body = b.buf.subarray(b.start + 8, b.end - 4);
  const base = b.offset + 8;
  switch (b.kind) {
    case BlockKind.Section: {
      const h = decodeSectionHeader(body, b.offset);
      return { major: h.major, minor: h.minor, options: h.options.length > 0 ? h.options.toString('base64') : undefined };
    }
    case BlockKind.MachineInfo:
      return decodeMachineInfo(body, base);
    case BlockKind.Interfaces:
      return decodeInterfaces(body, b.version, base).map((i) => ({
        type: i.type,
        name: i.name,
        addr: addrText(i.addr),
        netmask: addrText(i.netmask),
        bcast: addrText(i.bcast),
        linkspeed: i.linkspeed,
      }));
    case BlockKind.Users:
      return decodeUsers(body, b.version, base);
    case BlockKind.ProcList:
      return decodeProcList(body, b.version, base).map((p) => ({ ...p, args: nulList(p.args), env: nulList(p.env), cgroups: nulList(p.cgroups) }));
    case BlockKind.FdList: {
      const l = decodeFdList(body, b.version, base);
      return {
        tid: l.tid,
        fds: l.fds.map((f) => ({ fd: f.fd, type: f.type, name: f.name, ino: f.ino, sip: addrText(f.sip), dip: addrText(f.dip), sport: f.sport, dport: f.dport, l4proto: f.l4proto })),
      };
    }
    default:
      return undefined;
  }
}

function addrText(b: Buffer | undefined): string | undefined {
  if (!b || b.length === 0) return undefined;
  return b.length === 4 ? ipv4ToString(b, 0) : b.length === 16 ? ipv6ToString(b, 0) : b.toString('hex');
}

function nulList(b: Buffer): string[] {
  const out = b.toString('latin1').split('\0');
  if (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

function jsonValue(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? Buffer.from(x).toString('base64') : x));
}

const KIND_NAMES: Record<number, string> = {
  [BlockKind.Section]: 'section',
  [BlockKind.MachineInfo]: 'machine',
  [BlockKind.ProcList]: 'procs',
  [BlockKind.FdList]: 'fds',
  [BlockKind.Interfaces]: 'interfaces',
  [BlockKind.Users]: 'users',
  [BlockKind.Unknown]: 'unknown',
};

export class NdjsonWriter {
  constructor(
    private readonly out: TextOut,
    private readonly engine: StateEngine,
  ) {}

  header(b: HeaderBlock): void {
    const raw = b.buf.toString('base64', b.start, b.end);
    const rec = decodedRecord(b);
    const recJson = rec === undefined ? '' : `,"record":${jsonValue(rec)}`;
    this.out.line(`{"block":"${KIND_NAMES[b.kind] ?? 'unknown'}","type":${b.type},"version":${b.version},"offset":${b.offset}${recJson},"raw":"${raw}"}\n`);
  }

  event(ev: EventView, info: EventInfo | undefined): void {
    const hdr = ev.flags !== 0 || ev.blockType === 0x208 || ev.blockType === 0x217 || ev.blockType === 0x222 ? 14 : 10;
    const start = ev.off - hdr;
    const len = ev.buf.readUInt32LE(start + 4);
    const raw = ev.buf.toString('base64', start, start + len);
    let fields = '';
    if (info) {
      const e = this.engine;
      const t = e.thread;
      fields =
        `,"evt.num":${ev.num},"evt.rawtime":"${ev.ts}","evt.cpu":${ev.cpu},"evt.dir":"${(ev.type & 1) === 0 ? '>' : '<'}"` +
        `,"evt.type":${JSON.stringify(evtType(e))},"thread.tid":${ev.tid}` +
        `,"proc.name":${t ? JSON.stringify(t.comm) : 'null'},"proc.pid":${t ? t.pid : 'null'}` +
        `,"fd.num":${e.fdNum},"fd.name":${e.fd ? JSON.stringify(e.fd.name) : 'null'}` +
        `,"evt.args":${JSON.stringify(evtArgs(e))}`;
    }
    this.out.line(`{"block":"event","type":${ev.blockType},"state_only":${(ev.flags & 1) !== 0}${fields},"raw":"${raw}"}\n`);
  }
}

/** Read tdig's NDJSON and yield the scap bytes it carries, block by block. Errors name the line. */
export async function* readNdjson(src: InputSource, onRaw?: (n: number) => void): AsyncGenerator<Buffer> {
  // NDJSON may itself be gzip or lz4 compressed
  const stream = openInput(src, { onRaw });
  let lineNo = 0;
  const parts: Buffer[] = [];
  let size = 0;
  // the bytes of a line that goes on in the next chunk: kept as bytes and decoded once the line is whole
  // (a UTF-8 character may straddle two chunks, and joining the text again at every chunk took time in
  // the square of a long line's length)
  const open: Buffer[] = [];
  let openLen = 0;
  const take = (line: string): void => {
    lineNo++;
    if (line.trim() === '') return;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (e) {
      throw new DataError(`NDJSON syntax error: ${(e as Error).message}`, `line ${lineNo}`);
    }
    const raw = typeof o === 'object' && o !== null ? (o as { raw?: unknown }).raw : undefined;
    if (typeof raw !== 'string') throw new DataError('NDJSON record without a "raw" block', `line ${lineNo}`);
    const b = Buffer.from(raw, 'base64');
    if (b.length < 12 || b.readUInt32LE(4) !== b.length) throw new DataError('NDJSON "raw" is not one whole block', `line ${lineNo}`);
    parts.push(b);
    size += b.length;
  };
  for await (const chunk of stream) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    let from = 0;
    for (let nl = b.indexOf(0x0a); nl !== -1; nl = b.indexOf(0x0a, from)) {
      if (openLen === 0) take(b.toString('utf8', from, nl));
      else {
        open.push(b.subarray(from, nl));
        take(Buffer.concat(open).toString('utf8'));
        open.length = 0;
        openLen = 0;
      }
      from = nl + 1;
    }
    if (from < b.length) {
      openLen += b.length - from;
      if (openLen > MAX_LINE) throw new DataError(`NDJSON line longer than ${MAX_LINE >> 20} MiB (no tdig record is)`, `line ${lineNo + 1}`);
      open.push(b.subarray(from));
    }
    if (size > 1 << 20) {
      yield Buffer.concat(parts);
      parts.length = 0;
      size = 0;
    }
  }
  if (openLen !== 0) take(Buffer.concat(open).toString('utf8'));
  if (parts.length) yield Buffer.concat(parts);
}

/**
 * The longest NDJSON line read: a record of the largest block scap allows (64 MiB, in base64) with its
 * fields fits several times over.
 */
const MAX_LINE = 256 << 20;

/**
 * Open a capture that is scap or tdig's NDJSON (either may be gzip or lz4 compressed), told apart by the
 * first non-blank byte: '{' starts NDJSON, and no scap stream starts so. Yields scap bytes either way;
 * `ndjson` says which it was. Chunks of a plain file come from a small ring of reused buffers (a reader
 * copies what it keeps of an event before it pulls again); the NDJSON decoder reads ahead, so it gets copies.
 */
export async function openCapture(src: InputSource, onRaw?: (n: number) => void): Promise<{ ndjson: boolean; chunks: AsyncIterable<Buffer> }> {
  const it = openInput(src, { reuseChunks: true, onRaw })[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return { ndjson: false, chunks: (async function* () {})() };
  const head = first.value;
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  const rest = (async function* (): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })();
  if (head[i] === 0x7b /* { */) {
    return { ndjson: true, chunks: readNdjson(streamModule().Readable.from(copies(rest))) };
  }
  return { ndjson: false, chunks: rest };
}
