// The lossless NDJSON form (formats/ndjson.md): one object per block. Section records carry their
// decoded fields and the raw block; events carry the resolved default fields and the raw block.
// 64-bit integers are written as JSON strings so they stay exact.

import { DataError } from '../cli/errors.js';
import type { HeaderBlock } from '../scap/reader.js';
import type { EventView } from '../scap/event.js';
import type { EventInfo } from '../events/table.js';
import type { StateEngine } from '../state/engine.js';
import { BlockKind } from '../scap/blocks.js';
import { evtArgs, evtType } from '../fields/evt.js';
import type { TextOut } from './writer.js';
import { openInput } from '../scap/input.js';

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
    this.out.line(`{"block":"${KIND_NAMES[b.kind] ?? 'unknown'}","type":${b.type},"version":${b.version},"offset":${b.offset},"raw":"${raw}"}\n`);
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
export async function* readNdjson(src: string | NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  // NDJSON may itself be gzip or lz4 compressed
  const stream = openInput(src);
  let rest = '';
  let lineNo = 0;
  const parts: Buffer[] = [];
  let size = 0;
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
    const s = rest + (typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'));
    const lines = s.split('\n');
    rest = lines.pop()!;
    for (const l of lines) take(l);
    if (size > 1 << 20) {
      yield Buffer.concat(parts);
      parts.length = 0;
      size = 0;
    }
  }
  if (rest !== '') take(rest);
  if (parts.length) yield Buffer.concat(parts);
}
