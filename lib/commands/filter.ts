// tdig-filter: keep the events a filter expression matches. Reads scap (plain, gzip, lz4) or tdig's
// NDJSON; writes scap (or NDJSON). Each written event carries its original number (the 16-byte
// trailer of formats/scap.md), so `tdig-filter F cap | tdig-fmt` prints what `sysdig -r cap F` prints.
// Dropped events that change state are written as state-only events unless --thin.

import { setPortResolution } from '../events/ports.js';
import { createWriteStream } from 'node:fs';
import { UsageError } from '../cli/errors.js';
import { countArg, eventCountArg, expandGetopt, inputSources, refuseOverwrite, refuseScapToTerminal, secondsArg, type GetoptSpec } from '../cli/args.js';
import { counted, DurationLimit } from '../scap/duration.js';
import { suppressedComms, suppressing } from '../state/suppress.js';
import { readBlocks } from '../scap/reader.js';
import type { BlockHandler, HeaderBlock } from '../scap/reader.js';
import { NUM_OPTION, SHOWN_OPTION } from '../scap/reader.js';
import { openOutput, openPrivate, type ScapSink } from '../scap/output.js';
import { copyBytes, EventView, viewOf } from '../scap/event.js';
import { BlockKind, DF_STATE_ONLY, DF_TRACER, EVENT_HEADER_V1, EV_V1, EVF_V1, EV_V2, EVF_V2, EV_V2_LARGE, EVF_V2_LARGE, MAX_EVENT_BLOCK_BODY, portableHeader } from '../scap/blocks.js';
import { StateEngine } from '../state/engine.js';
import { EF, eventInfo } from '../events/table.js';
import { compileFilter, filterEventStateless, FilterVerdict, StatelessCtx } from '../filter/index.js';
import { addHole, cutHoles, DroppedEnters, filterAction, FilterAction, ShortOpens, type CuttableOutput } from '../filter/stream.js';
import { isTypeOnly, scanByType, typeActions } from '../filter/fastscan.js';
import { listFields } from '../output/list.js';
import { NdjsonWriter, openCapture } from '../output/ndjson.js';
import { setBeforeWait } from '../scap/input.js';
import { watchInterrupts } from '../cli/interrupt.js';
import { TextOut } from '../output/writer.js';
import { stdout } from '../cli/stdio.js';
import { progressFor, type Progress } from '../output/progress.js';
import { HeldProcTable } from '../filter/proclist.js';

export const usage = `usage: tdig-filter [options] EXPR [FILE...]

Keep the events of scap captures (files, or stdin) that the filter expression EXPR matches, as
sysdig 0.29.3 does with its filter argument. Input may be scap (plain, gzip or lz4) or tdig NDJSON.
Output is scap on stdout (NDJSON when the input is NDJSON or with --ndjson); every event keeps its
original number, so "tdig-filter EXPR cap | tdig-fmt" prints what "sysdig -r cap EXPR" prints.
Dropped events that change the thread or fd tables are written as state-only events (hidden, but
used to keep process and connection names right downstream) unless --thin.

  -r FILE          read FILE, as sysdig -r (the same as naming it last; may be repeated)
  -w FILE          write FILE (mode 0600) instead of stdout
  -z, --compress   gzip the scap output
  --lz4            lz4-frame the scap output
  -n N             stop after N matching events
  -M S             stop at the first matching event S seconds or more after the first one (as sysdig -M)
  -U COMM          leave out the events of processes named COMM and of the processes they start, before
                   the filter sees them (as sysdig -U; may be repeated, up to 32 names)
  --invert         keep the events EXPR does not match
  --thin           do not write state-only events for dropped events
  --filter-proclist  the process table written holds only the threads and fds the filter passes, each fd
                   tested as that of a read by its thread (sysdig's --filter-proclist)
  --full-args      evt.arg.data, evt.args and evt.info hold whole data buffers, as with sysdig -v; by
                   default they are cut at 80 characters, as sysdig -r and -w see them
  -F, --fatfile    write them (the default; sysdig's -F, fatfile mode)
  --stateful       run the state engine even for an EXPR that reads only the event itself (evt.type,
                   evt.dir, evt.buffer...): then writes to /dev/null that are sysdig tracers are judged
                   as the tracer events sysdig shows, not as writes (see TRACERS in tdig-filter(1))
  --ndjson         write NDJSON (one object per block) instead of scap
  -E               the filter sees no user or group table: user.* and group.* have no value (as sysdig -E)
  -R               the filter sees port numbers as service names from /etc/services (fd.sproto=http,
                   fd.name contains :https), as sysdig -R; implies --stateful
  -P               a progress bar on stderr (when it is a terminal) while a file is read; with -w FILE it
                   shows by itself once a read takes a second
  -l, --list       list the fields, as sysdig -l
  --version        print the version

EXPR: checks like proc.name=curl, fd.port=80, evt.buffer contains password, joined with and, or,
not and parentheses (see tdig-filter(1) for the grammar and the operators).
`;

interface Options {
  expr?: string;
  files: string[];
  outFile?: string;
  compression: 'plain' | 'gzip' | 'lz4';
  limit: number;
  invert: boolean;
  thin: boolean;
  stateful: boolean;
  ndjson: boolean;
  list: boolean;
  /** -R: port numbers as service names (in fd.name, fd.sproto...), which the state engine makes */
  resolvePorts?: boolean;
  /** -M: stop at the first matching event this many seconds after the first one */
  seconds?: number;
  /** -U: process names whose events are left out */
  suppress: string[];
  /** -E: the filter sees no user or group table (user.* and group.* have no value) */
  excludeUsers?: boolean;
  /** -P: a progress bar on stderr while a file is read */
  progress?: boolean;
  /** --filter-proclist: the process table written holds only the threads and fds the filter passes */
  filterProclist?: boolean;
  /** --full-args: evt.arg.*, evt.args and evt.info see whole data buffers, as with sysdig -v */
  fullArgs?: boolean;
}

/** tdig-filter's options in getopt's other spellings (-n5, -wOUT, -zv, --numevents=5) */
const FILTER_GETOPT: GetoptSpec = { valued: 'wrnMUCGWe', flags: 'zvERFPl', long: ['--write', '--read', '--numevents', '--suppress-comm'] };

export function parseArgs(argv: string[]): Options {
  const args = [...argv];
  const o: Options = { files: [], compression: 'plain', limit: 0, invert: false, thin: false, stateful: false, ndjson: false, list: false, suppress: [] };
  const value = (i: number, flag: string): string => {
    const v = args[i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const positional: string[] = [];
  /** -r FILE */
  const read: string[] = [];
  let dashdash = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (dashdash) {
      positional.push(a);
      continue;
    }
    switch (a) {
      case '--': dashdash = true; break;
      case '-w': case '--write': o.outFile = value(++i, a); break;
      case '-r': case '--read': read.push(value(++i, a)); break;
      case '-z': case '--compress': o.compression = 'gzip'; break;
      case '--lz4': o.compression = 'lz4'; break;
      case '-n': case '--numevents': o.limit = eventCountArg(value(++i, a)); break;
      case '-M': o.seconds = secondsArg(value(++i, a)); break;
      case '-U': case '--suppress-comm': o.suppress.push(value(++i, a)); break;
      case '--invert': case '-v': o.invert = true; break;
      case '--thin': o.thin = true; break;
      case '-P': case '--progress': o.progress = true; break;
      case '--filter-proclist': o.filterProclist = true; break;
      case '--full-args': o.fullArgs = true; break;
      case '-C': case '-G': case '-W': case '-e': case '--file-size': case '--seconds': case '--limit':
        throw new UsageError(`${a}: tdig-filter writes one stream; for a capture in parts, tdig-fmt writes them: tdig-filter EXPR IN | tdig-fmt -w OUT ${a} N`);
      case '-F': case '--fatfile': o.thin = false; break;
      case '-E': case '--exclude-users': o.excludeUsers = true; break;
      case '--stateful': o.stateful = true; break;
      case '-R': case '--resolve-ports': o.resolvePorts = o.stateful = true; break;
      case '--ndjson': o.ndjson = true; break;
      case '-l': case '--list': o.list = true; break;
      case '-': positional.push('-'); break;
      default: {
        if (!/^-\d/.test(a) && expandGetopt(args, i, FILTER_GETOPT)) {
          i--;
          break;
        }
        if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) throw new UsageError(`unknown option ${a} (see tdig-filter --help)`);
        positional.push(a);
      }
    }
  }
  if (!o.list) {
    if (positional.length === 0) throw new UsageError('missing the filter expression (see tdig-filter --help)');
    o.expr = positional[0];
    o.files = [...read, ...positional.slice(1)];
  }
  if (o.ndjson && o.compression !== 'plain') throw new UsageError('-z and --lz4 compress scap output, not --ndjson');
  o.suppress = suppressedComms(o.suppress);
  return o;
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    stdout().write(usage);
    return 0;
  }
  const o = parseArgs(args);
  if (o.resolvePorts === true) setPortResolution(true);
  if (o.list) {
    stdout().write(listFields());
    return 0;
  }
  const filter = compileFilter(o.expr!, { invert: o.invert });
  const sources = inputSources(o.files);
  refuseOverwrite(o.outFile, sources);
  watchInterrupts();

  const engine = new StateEngine();
  // a data buffer as text (evt.arg.data, evt.args, evt.info) is cut at 80 characters, as sysdig's filter sees
  // it with -r and -w unless -v (evt.buffer compares the whole buffer either way)
  engine.maxBufLen = o.fullArgs === true ? 0 : 80;
  engine.importUsers = o.excludeUsers !== true;
  const test = filter.test;
  let out: Output | undefined;
  let kept = 0;
  let stop = false;
  let scratch: EventView | undefined;
  const enters = o.thin ? undefined : new DroppedEnters(true);
  const duration = o.seconds !== undefined ? new DurationLimit(o.seconds) : undefined;
  // a filter that reads only the event itself needs no state engine when the output carries no fields
  let fast = false;
  let acts: Uint8Array | undefined;
  const sctx = new StatelessCtx();

  const fastAction = (ev: EventView): FilterAction => {
    const v = filterEventStateless(sctx, ev, test);
    if (v === FilterVerdict.Keep) return FilterAction.Keep;
    if (v === FilterVerdict.Drop && !o.thin && (sctx.info.flags & EF.MODIFIES_STATE) !== 0) return FilterAction.StateOnly;
    return FilterAction.Skip;
  };

  // state-only opens that the stream closes right away are left out (scap output, with the state engine)
  let shorts: ShortOpens | undefined;
  let cuttable: CuttableOutput | undefined;

  // --filter-proclist: the section's process table is held until its end, then written cut
  const table = o.filterProclist === true ? new HeldProcTable(test) : undefined;
  const writeTable = (): void => {
    const { blocks, tids } = table!.release(engine);
    for (const h of blocks) {
      shorts?.header(h.kind, engine, tids);
      out!.header(h);
    }
  };

  const handler: BlockHandler = {
    header(b: HeaderBlock) {
      // (the held table is cut against the tables its section built: before a new section resets them)
      if (table !== undefined && !HeldProcTable.holds(b.kind)) writeTable();
      engine.header(b);
      if (table !== undefined && table.hold(b)) return;
      shorts?.header(b.kind, engine);
      out!.header(b);
    },
    release: enters ? () => enters.release() : undefined,
    event(ev: EventView) {
      if (table !== undefined) writeTable();
      if (shorts !== undefined && shorts.step === 1) shorts.before(ev, engine);
      const action = fast ? fastAction(ev) : filterAction(engine, ev, test, o.thin);
      if (action === FilterAction.Skip) {
        if (enters) enters.dropped(ev);
        return true;
      }
      // -M counts the events sysdig's loop counts (without the engine, nothing is hidden)
      if (duration !== undefined && counted(ev, action === FilterAction.Keep, fast === false && engine.hidden) && duration.reached(ev)) {
        stop = true;
        return false;
      }
      const flags = action === FilterAction.Keep ? ev.flags : ev.flags | DF_STATE_ONLY;
      const enter = enters?.written(ev, flags, engine.tracerCandidate);
      if (enter) {
        shorts?.writing(enter, enter.flags, cuttable!);
        out!.event(enter, enter.flags, engine);
      }
      shorts?.writing(ev, flags, cuttable!);
      if (action === FilterAction.Keep) {
        // a write that became a tracer carries sysdig's tracer flag, as sysdig -w writes it; a cut tracer that
        // the filter keeps is marked shown: a reader without the filter would hide it
        if (engine.cutTracer === true) ev.shown = true;
        out!.event(ev, engine.tracer === true ? ev.flags | DF_TRACER : ev.flags, engine);
        kept++;
        if (o.limit !== 0 && kept >= o.limit) {
          stop = true;
          return false;
        }
      } else if (action === FilterAction.StateOnly) {
        out!.event(ev, ev.flags | DF_STATE_ONLY, engine);
      }
      return true;
    },
  };

  try {
    for (const src of sources) {
      if (stop) break;
      // -P; or by itself when the output is a file (-w) and stderr a terminal, for as long as the read takes
      const bar = progressFor(src, o.progress === true, o.outFile !== undefined);
      try {
        const { ndjson, chunks } = await openCapture(src, bar !== undefined ? (n) => bar.advance(n) : undefined);
        if (!out) {
          const asNdjson = o.ndjson || ndjson;
          fast = filter.stateless && !asNdjson && !o.stateful && table === undefined;
          if (!asNdjson && o.outFile === undefined) refuseScapToTerminal();
          out = asNdjson ? new NdjsonOutput(o.outFile, engine, () => (scratch ??= new EventView())) : new ScapOutput(o.outFile, o.compression);
          if (out instanceof ScapOutput && !fast && !o.thin) {
            // (not for a filter that reads only the event: tracking what to leave out would cost such a
            // filter more than a fifth of its time, ~70 ns an event written)
            shorts = new ShortOpens();
            cuttable = out;
          }
          const held = out;
          setBeforeWait(() => held.settle());
        }
        const sink = out;
        const paced = async function* (): AsyncGenerator<Buffer> {
          for await (const c of chunks) {
            await sink.ready();
            yield c;
          }
        };
        const name = typeof src === 'string' ? src : undefined;
        const tableNparams = (t: number): number => eventInfo(t)?.params.length ?? 0;
        if (fast && sink instanceof ScapOutput && isTypeOnly(filter) && duration === undefined && o.suppress.length === 0) {
          // evt.type / evt.dir / evt.buffer only: one verdict per event type, events decoded only to test buffers
          acts ??= typeActions(filter, o.thin);
          const n = await scanByType(paced(), acts, filter, {
              header: (b) => sink.header(b),
              event: (ev, fl) => {
                const enter = enters?.written(ev, fl);
                if (enter) sink.event(enter, enter.flags);
                sink.event(ev, fl);
              },
              dropped: enters ? (ev) => enters.dropped(ev) : undefined,
              release: enters ? () => enters.release() : undefined,
            }, { name, limit: o.limit === 0 ? 0 : o.limit - kept, thin: o.thin, tableNparams });
          kept += n;
          if (o.limit !== 0 && kept >= o.limit) stop = true;
          continue;
        }
        await readBlocks(paced(), o.suppress.length === 0 ? handler : suppressing(handler, o.suppress), { tableNparams, name });
      } finally {
        bar?.done();
      }
    }
  } finally {
    // (a capture without events: its table is written at the end)
    if (out && table !== undefined) writeTable();
    if (out) await out.close();
    else if (o.outFile !== undefined) await new ScapOutput(o.outFile, o.compression).close();
  }
  return 0;
}

interface Output {
  header(b: HeaderBlock): void;
  event(ev: EventView, flags: number, engine: StateEngine): void;
  /** resolves when more input may be read */
  ready(): Promise<void> | void;
  /** hands over what is held back, before a wait for input */
  settle(): Promise<void> | void;
  close(): Promise<void>;
}

/** Output chunk: a pipe's size, so the next command in a pipeline is fed steadily (see output/writer.ts). */
const CHUNK = 1 << 16;

/** scap blocks gathered in 64 KiB buffers and handed to the sink. */
class ScapOutput implements Output, CuttableOutput {
  private readonly sink: ScapSink;
  private buf = Buffer.allocUnsafe(CHUNK);
  private dv = viewOf(this.buf);
  private pos = 0;
  private full = false;
  /** buffers handed to the sink so far */
  private flushes = 0;
  /** byte ranges of the buffer to leave out (CuttableOutput.cut) */
  private readonly holes: number[] = [];

  position(): number {
    return this.pos;
  }

  generation(): number {
    return this.flushes;
  }

  cut(from: number, to: number): void {
    addHole(this.holes, from, to);
  }

  constructor(path: string | undefined, compression: 'plain' | 'gzip' | 'lz4') {
    this.sink = openOutput({ path, compression, stdout: stdout() });
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      this.buf = Buffer.allocUnsafe(n);
      this.dv = viewOf(this.buf);
    }
  }

  private flush(): void {
    if (this.pos === 0) return;
    const n = cutHoles(this.buf, this.pos, this.holes);
    if (!this.sink.write(this.buf.subarray(0, n))) this.full = true;
    this.buf = Buffer.allocUnsafe(CHUNK);
    this.dv = viewOf(this.buf);
    this.pos = 0;
    this.flushes++;
  }

  header(b: HeaderBlock): void {
    // (a section header with pcapng options is written without them, so that sysdig 0.29.3 reads the output)
    const h = b.kind === BlockKind.Section ? portableHeader(b.buf, b.start, b.end, b.kind) : undefined;
    const [src, from, to] = h !== undefined ? [h, 0, h.length] : [b.buf, b.start, b.end];
    this.room(to - from);
    src.copy(this.buf, this.pos, from, to);
    this.pos += to - from;
  }

  event(ev: EventView, flags: number): void {
    const n = blockSize(ev, flags);
    this.room(n);
    this.pos = writeBlock(this.buf, this.dv, this.pos, ev, flags, n);
  }

  ready(): Promise<void> | void {
    if (!this.full) return;
    this.full = false;
    return this.sink.drain();
  }

  settle(): Promise<void> {
    this.flush();
    return this.sink.settle();
  }

  async close(): Promise<void> {
    this.flush();
    await this.sink.close();
  }
}

/** NDJSON lines (formats/ndjson.md), with the re-framed event blocks as "raw". */
class NdjsonOutput implements Output {
  private readonly text: TextOut;
  private readonly nd: NdjsonWriter;
  private readonly file: NodeJS.WritableStream | undefined;

  constructor(
    path: string | undefined,
    engine: StateEngine,
    private readonly view: () => EventView,
  ) {
    this.file = path !== undefined ? createWriteStream(path, { fd: openPrivate(path) }) : undefined;
    this.text = new TextOut(this.file ?? stdout());
    this.nd = new NdjsonWriter(this.text, engine);
  }

  header(b: HeaderBlock): void {
    this.nd.header(b);
  }

  event(ev: EventView, flags: number, engine: StateEngine): void {
    const n = blockSize(ev, flags);
    const block = Buffer.allocUnsafe(n);
    writeBlock(block, viewOf(block), 0, ev, flags, n);
    const v = this.view();
    const hdr = flags !== 0 ? 14 : 10;
    v.set(block, hdr, ev.lensOff - ev.off === EVENT_HEADER_V1, ev.lenSize === 4, ev.nparams);
    v.cpu = ev.cpu;
    v.flags = flags;
    v.blockType = block.readUInt32LE(0);
    v.num = ev.num;
    // an enter written ahead of its exit (DroppedEnters) is not the engine's event: raw bytes only
    this.nd.event(v, ev === engine.ev ? engine.info : undefined);
  }

  ready(): Promise<void> | void {
    return this.text.drained() ?? undefined;
  }

  settle(): void {
    this.text.flush();
  }

  async close(): Promise<void> {
    await this.text.end();
    const f = this.file;
    if (f) await new Promise<void>((res, rej) => f.end((e?: Error | null) => (e ? rej(e) : res())));
  }
}

// ---------------------------------------------------------------------------------------------
// event blocks: the event's bytes unchanged, in a block of its family (v1, v2, v2 large) with the
// dump flags given, followed by the number trailer (u16 option code, u16 8, u64 number, then u32 0, or the
// shown option: u16 code, u16 0)

const TRAILER = 16;

function blockBody(ev: EventView, flags: number): number {
  return 2 + (flags !== 0 ? 4 : 0) + ev.len;
}

/** Whether the trailer fits (a non-large block body is at most 64 KiB). */
function withTrailer(ev: EventView, flags: number): boolean {
  return ev.lenSize === 4 || blockBody(ev, flags) + TRAILER <= MAX_EVENT_BLOCK_BODY;
}

function blockSize(ev: EventView, flags: number): number {
  const body = blockBody(ev, flags) + (withTrailer(ev, flags) ? TRAILER : 0);
  return 8 + ((body + 3) & ~3) + 4;
}

function blockType(ev: EventView, flags: number): number {
  if (ev.lensOff - ev.off === EVENT_HEADER_V1) return flags !== 0 ? EVF_V1 : EV_V1;
  if (ev.lenSize === 4) return flags !== 0 ? EVF_V2_LARGE : EV_V2_LARGE;
  return flags !== 0 ? EVF_V2 : EV_V2;
}

/** Writes the block of `ev` (`total` bytes, from blockSize) into `out` at `at`; `dv` is a DataView over `out`. */
function writeBlock(out: Buffer, dv: DataView, at: number, ev: EventView, flags: number, total: number): number {
  dv.setUint32(at, blockType(ev, flags), true);
  dv.setUint32(at + 4, total, true);
  dv.setUint16(at + 8, ev.cpu, true);
  let o = at + 10;
  if (flags !== 0) {
    dv.setUint32(o, flags >>> 0, true);
    o += 4;
  }
  const len = ev.len;
  copyBytes(ev.buf, ev.dv, ev.off, out, dv, o, len);
  o += len;
  const end = at + total;
  if (end - 4 - o >= TRAILER) {
    const num = ev.num;
    dv.setUint16(o, NUM_OPTION, true);
    dv.setUint16(o + 2, 8, true);
    dv.setUint32(o + 4, num % 4294967296, true);
    dv.setUint32(o + 8, Math.floor(num / 4294967296), true);
    dv.setUint32(o + 12, ev.shown === true ? SHOWN_OPTION : 0, true);
    o += TRAILER;
  }
  while (o < end - 4) dv.setUint8(o++, 0);
  dv.setUint32(end - 4, total, true);
  return end;
}
