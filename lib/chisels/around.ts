// around (tdig-echo), and the dump_file_name/dump_range_ms arguments of spy_logs and spy_syslog: the
// events around each match, on the match's thread, written to a scap file.
//
// sysdig 0.29.3 remembers each match (its timestamp TS and thread.tid TID) and, at the end of the capture,
// runs itself again on the capture file: sysdig -F -r CAPTURE -w FILE "(evt.around[TS]=MS and
// thread.tid=TID) or ...". What its file holds follows from that filter (checked on the test captures):
// - every event whose header tid is a match's TID and whose timestamp is within MS ms of that match's,
//   both ends included (libsinsp: TS-MS*10^6 <= ts <= TS+MS*10^6); windows of one thread that overlap give
//   each event once; the other threads of the same process are left out;
// - every other event, and every event that was state-only in the input (libsinsp counts those as filtered
//   out): with -F (fatfile) written state-only (flag 1) when it changes state (EF_MODIFIES_STATE), else
//   written with no flags when it is internal (EC_INTERNAL: procinfo, container, ...; sinsp_evt::
//   get_dump_flags never drops those), else left out;
// - the events' bytes and CPU unchanged (v2 event blocks, also for v1 input), in input order; header blocks
//   that describe the state at the start of the capture (tdig copies the section's own).
// tdig computes the same set in one pass over a stream: it holds the events of the last MS ms (by
// timestamp) and decides on each once no later match can reach it, so it also reads a pipe, which sysdig
// cannot re-read. Deliberate differences (man/tdig-echo.1):
// - with no match sysdig's filter is empty and its file holds the whole capture; tdig's holds the header
//   blocks and the state-only events, as the rule says;
// - the file is created 0600 (sysdig: 0644 under umask 022), before the input is read, and never over an input;
// - dump_range_ms must be a whole number (sysdig pastes it into the filter: "abc" fails the second run
//   after the chisel's output, "-1" wraps around);
// - each event keeps its original number in tdig's trailer, as with tdig-filter (sysdig ignores it);
// - every section keeps its own header blocks (sysdig's copy keeps the first section's only, and its copy of
//   some captures, curl_google.scap, has an interface list it cannot read back);
// - input whose timestamps go back by more than MS can miss a window (sysdig re-reads the whole file).

import { rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { RuntimeError } from '../cli/errors.js';
import { EC, EF } from '../events/table.js';
import { MAX_EVENT_BLOCK_BODY, portableHeader } from '../scap/blocks.js';
import type { EventView } from '../scap/event.js';
import { openOutput, type ScapSink } from '../scap/output.js';
import { numberTrailer, type HeaderBlock } from '../scap/reader.js';
import { eventBlock } from '../scap/writer.js';
import type { StateEngine } from '../state/engine.js';
import { DESCS } from './descs.js';
import { luaField, luaText } from './lua.js';
import { ChiselError } from './types.js';
import type { ChiselDef, ChiselHost, EventTap } from './types.js';

/** SCAP_DF_STATE_ONLY */
const STATE_ONLY = 1;
const TRAILER = 16;
const CHUNK = 1 << 20;

/** One block waiting for its verdict: a header block, or an event copied out of the input chunk. */
interface Pending {
  /** the header block's bytes, or the event's (v2 header) */
  bytes: Buffer;
  header: boolean;
  ts: bigint;
  tid: number;
  cpu: number;
  flags: number;
  large: boolean;
  num: number;
  /** what becomes of it outside every window (or when it was state-only in the input) */
  dropped: Dropped;
}

/** What sysdig's fatfile dump does with an event its filter drops. */
const enum Dropped {
  Skip = 0,
  /** EF_MODIFIES_STATE: written with the state-only flag */
  StateOnly = 1,
  /** EC_INTERNAL: written with no flags */
  Plain = 2,
}

/** The match timestamps of one thread, oldest first; `from` skips those no window can use any more. */
interface ThreadMatches {
  ts: bigint[];
  from: number;
}

/** dump_range_ms: sysdig's default is 1000; anything but a whole number is refused. */
export function parseRange(chisel: string, v: string | undefined): bigint {
  if (v === undefined) return 1000n;
  if (!/^\d+$/.test(v)) throw new ChiselError(`${chisel}: dump_range_ms must be a whole number of milliseconds, not "${v}"`);
  return BigInt(v);
}

/**
 * The file of a dump: the events of each match's thread within rangeMs of it, and the other events sysdig's
 * fatfile dump keeps (state-only, internal), written as they leave a look-back window of rangeMs.
 */
export class WindowDump implements EventTap {
  private readonly rangeNs: bigint;
  private readonly sink: ScapSink;
  /** blocks in input order; those before `head` are written (and cleared) */
  private readonly queue: (Pending | undefined)[] = [];
  private head = 0;
  private readonly matchesByTid = new Map<number, ThreadMatches>();
  private watermark = -1n;
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private full = false;
  private closed = false;
  /** matches so far (sysdig's #entrylist) */
  count = 0;

  constructor(
    private readonly chisel: string,
    readonly file: string,
    rangeMs: bigint,
    inputs: string[] = [],
  ) {
    this.rangeNs = rangeMs * 1_000_000n;
    refuseInput(chisel, file, inputs);
    try {
      this.sink = openOutput({ path: file, compression: 'plain' });
    } catch (e) {
      throw new RuntimeError(`${chisel}: cannot write ${file}: ${reason(e)}`);
    }
  }

  /** Remember a match on the current event: its thread's events within the range go to the file. */
  match(ev: EventView): void {
    this.count++;
    let m = this.matchesByTid.get(ev.tid);
    if (!m) this.matchesByTid.set(ev.tid, (m = { ts: [], from: 0 }));
    m.ts.push(ev.ts);
  }

  header(b: HeaderBlock): void {
    this.queue.push({ bytes: portableHeader(b.buf, b.start, b.end, b.kind), header: true, ts: 0n, tid: 0, cpu: 0, flags: 0, large: false, num: 0, dropped: Dropped.Skip });
    this.release(false);
  }

  event(ev: EventView, ctx: StateEngine): void {
    const ts = ev.ts;
    if (ts > this.watermark) this.watermark = ts;
    // a match comes at or after the newest timestamp: what is older than the range before it is decided
    this.release(false);
    this.queue.push({
      bytes: ev.copyBytes(),
      header: false,
      ts,
      tid: ev.tid,
      cpu: ev.cpu,
      flags: ev.flags,
      large: ev.lenSize === 4,
      num: ev.num,
      dropped: (ctx.info.flags & EF.MODIFIES_STATE) !== 0 ? Dropped.StateOnly : (ctx.info.category & EC.INTERNAL) !== 0 ? Dropped.Plain : Dropped.Skip,
    });
  }

  ready(): Promise<void> | undefined {
    if (!this.full) return undefined;
    this.full = false;
    return this.sink.drain().catch((e: unknown) => {
      throw this.writeError(e);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.release(true);
      this.flush();
      await this.sink.close();
      // no section was read (an empty or missing input): leave no file that is not a capture
      if (this.sink.bytesIn === 0) rmSync(this.file, { force: true });
    } catch (e) {
      throw this.writeError(e);
    }
  }

  /** Write the blocks at the head of the queue whose verdict is known (all of them at the end). */
  private release(all: boolean): void {
    const q = this.queue;
    const limit = this.watermark - this.rangeNs;
    while (this.head < q.length) {
      const p = q[this.head]!;
      if (!p.header && !all && p.ts >= limit) break;
      q[this.head++] = undefined;
      this.write(p);
    }
    if (this.head > 4096 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
  }

  private inWindow(p: Pending): boolean {
    const m = this.matchesByTid.get(p.tid);
    if (!m) return false;
    const ts = m.ts;
    const lo = p.ts - this.rangeNs;
    const hi = p.ts + this.rangeNs;
    // matches older than this event's window serve no later event of the thread
    while (m.from < ts.length && ts[m.from]! < lo) m.from++;
    // matches arrive in time order: the first one not before the window decides
    return m.from < ts.length && ts[m.from]! <= hi;
  }

  private write(p: Pending): void {
    let block: Buffer;
    if (p.header) block = p.bytes;
    else {
      let flags: number;
      if ((p.flags & STATE_ONLY) === 0 && this.inWindow(p)) flags = p.flags;
      else if (p.dropped === Dropped.StateOnly) flags = STATE_ONLY;
      else if (p.dropped === Dropped.Plain) flags = 0;
      else return;
      const body = 2 + (flags !== 0 ? 4 : 0) + p.bytes.length + TRAILER;
      const trailer = p.large || body <= MAX_EVENT_BLOCK_BODY ? numberTrailer(p.num) : undefined;
      block = eventBlock(p.cpu, flags, p.bytes, p.large, trailer);
    }
    this.chunks.push(block);
    this.chunkBytes += block.length;
    if (this.chunkBytes >= CHUNK) this.flush();
  }

  private flush(): void {
    if (this.chunkBytes === 0) return;
    const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.chunkBytes);
    this.chunks = [];
    this.chunkBytes = 0;
    try {
      if (!this.sink.write(buf)) this.full = true;
    } catch (e) {
      throw this.writeError(e);
    }
  }

  private writeError(e: unknown): Error {
    if (e instanceof RuntimeError) return e;
    return new RuntimeError(`${this.chisel}: cannot write ${this.file}: ${reason(e)}`);
  }
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err && err.code === 'ENOENT') return 'no such directory';
  if (err && err.code === 'EACCES') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

/** Never truncate a capture being read: the dump file may not be one of the inputs. */
function refuseInput(chisel: string, file: string, inputs: string[]): void {
  let out;
  try {
    out = statSync(file);
  } catch {
    return;
  }
  for (const f of inputs) {
    try {
      const s = statSync(f);
      if (s.dev === out.dev && s.ino === out.ino) throw new ChiselError(`${chisel}: the dump file ${file} is also an input (${resolve(f)})`);
    } catch (e) {
      if (e instanceof ChiselError) throw e;
    }
  }
}

/** spy_logs and spy_syslog: the dump when dump_file_name is given (dump_range_ms alone does nothing, as in sysdig). */
export function optionalDump(chisel: string, args: (string | undefined)[], host: ChiselHost): WindowDump | undefined {
  const file = args[0];
  if (file === undefined) return undefined;
  const range = parseRange(chisel, args[1]);
  if (file === '') throw new ChiselError(`${chisel}: dump_file_name is empty`);
  return new WindowDump(chisel, file, range, host.inputs);
}

/**
 * around: prints "TIME PROC(TID)" for each event the user's filter matches and writes the events around each
 * to dump_file_name. As sysdig, it needs a filter ("no filter specified", then an init failure) and ends with
 * "\nSaving events around N syslog entries to FILE" (sic), after the colour reset on a terminal.
 */
const around: ChiselDef = {
  ...DESCS['around']!,
  kind: 'echo',
  create(args, host) {
    const N = 'around';
    if (host.filter === undefined || host.filter.trim() === '') {
      host.print('no filter specified');
      throw new RuntimeError(`${N}: init() for chisel ${N} failed.`);
    }
    const file = args[0]!;
    const range = parseRange(N, args[1]);
    if (file === '') throw new ChiselError(`${N}: dump_file_name is empty`);
    const tty = (host as { colors?: boolean }).colors === true;
    const pname = luaField('proc.name', N);
    const tid = luaField('thread.tid', N);
    const etime = luaField('evt.time', N);
    const dump = new WindowDump(N, file, range, host.inputs);
    return {
      tap: dump,
      event(ctx) {
        const t = tid(ctx);
        if (t === undefined) throw new ChiselError(`${N}: attempt to concatenate local 'tid' (a nil value)`);
        host.print(`${luaText(etime(ctx))} ${luaText(pname(ctx) ?? '<NA>')}(${luaText(t)})`);
        dump.match(ctx.ev);
        return true;
      },
      end() {
        if (tty) host.print('\x1b[0m');
        host.print(`\nSaving events around ${dump.count} syslog entries to ${file}`);
      },
    };
  },
};

export const AROUND_CHISELS: ChiselDef[] = [around];
