// tdig-fmt: print a scap stream as sysdig prints it (text, -p formats, JSON), or convert it
// (lossless NDJSON, scap re-encoded plain, gzip or lz4).

import { setPortResolution } from '../events/ports.js';
import { counted, DurationLimit } from '../scap/duration.js';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { countArg, eventCountArg, positiveArg, expandGetopt, looksLikePath, inputSources, refuseOverwrite, refuseScapToTerminal, secondsArg, type GetoptSpec } from '../cli/args.js';
import { UsageError } from '../cli/errors.js';
import { compileFilter, filterEvent, FilterVerdict } from '../filter/index.js';
import { Summary } from '../output/summary.js';
import { readBlocks } from '../scap/reader.js';
import { BlockKind, portableHeader } from '../scap/blocks.js';
import type { BlockHandler, HeaderBlock } from '../scap/reader.js';
import { openOutput, type ScapSink } from '../scap/output.js';
import { PartSlots, PendingEnters, partName, rotating, stateSection, type RotateOptions } from '../scap/rotate.js';
import type { EventView } from '../scap/event.js';
import { StateEngine } from '../state/engine.js';
import { suppressedComms, suppressing, type SuppressStats } from '../state/suppress.js';
import { RunStats } from '../output/stats.js';
import { EC, eventInfo, type EventInfo } from '../events/table.js';
import { BufferFormat } from '../fields/types.js';
import { outputTime } from '../fields/evt.js';
import type { OutputTimeMode } from '../fields/evt.js';
import { DEFAULT_FORMAT, Formatter } from '../output/formatter.js';
import { TextOut } from '../output/writer.js';
import { listEvents, listFields, listFieldsMarkdown } from '../output/list.js';
import { openInput, setBeforeWait, type InputSource } from '../scap/input.js';
import { NdjsonWriter, openCapture, readNdjson } from '../output/ndjson.js';
import { progressFor, type Progress } from '../output/progress.js';
import { isTerminal, stdout, writeErr } from '../cli/stdio.js';
import { watchInterrupts } from '../cli/interrupt.js';

export const usage = `usage: tdig-fmt [options] [FILE...]

Print scap captures (files, or stdin) as sysdig 0.29.3 prints them, or convert them.
Input may be plain, gzip or lz4; it is detected from its first bytes.

  -r FILE          read FILE, as sysdig -r (the same as naming it last; may be repeated)
  -p FORMAT        print with sysdig's %field format ("*" first: print even when fields are missing);
                   -pc, -pk, -pm: sysdig's container, kubernetes and mesos formats; -pp prints the default
  -j               one JSON object per event, as sysdig -j
  -A | -x | -X | -b  buffers as ASCII, hex, hex+ASCII or base64
  -t h|a|r|d|D     time format of evt.outputtime (as sysdig -t)
  -n N             stop after N events
  -M S             stop at the first event S seconds or more after the first one (as sysdig -M)
  -S               print the event summary (events by type and direction, most frequent first) at the end
  -q               print no events (with -S: the summary alone)
  -d               the filter is a display filter: every event goes through the state engine unfiltered
                   (as sysdig -d); only the matching ones are printed
  -v               do not cut buffers to 80 characters; at the end, sysdig -v's counters on stderr
  -R               port numbers as service names from /etc/services (http, domain...), as sysdig -R
  -D               internal events too (procinfo, drop, container...), as sysdig -D: printed, counted, and
                   let through the filter (sysdig's debug log on stderr is not reproduced)
  -E               the capture's user and group tables are not used: user.* and group.* have no value (as sysdig -E)
  -U COMM          leave out the events of processes named COMM and of the processes they start, before
                   they are counted (as sysdig -U; may be repeated, up to 32 names)
  --no-color       on a terminal, the default format without sysdig's colours (also: NO_COLOR set)
  --unbuffered     hand each line over as soon as it is printed (as sysdig --unbuffered); without it, output
                   is handed over in 64 KiB pieces, and whenever the input (a pipe) has to wait for more
  -P               draw a progress bar on stderr (when stderr is a terminal); without it, on a terminal, a
                   read that has printed nothing for a second shows it until the output starts
  -l               list the fields, as sysdig -l (with -v: their types too); --list-markdown as Markdown
  -L               list the events and their parameters, as sysdig -L
  --ndjson         lossless NDJSON: resolved fields plus the raw event and section records
  --from F         the input is scap or ndjson (default: told by its first byte)
  --to scap        write scap instead of text; -z gzip, --lz4 lz4; -w FILE writes a file (mode 0600)
  -w FILE          write scap to FILE (mode 0600), as sysdig -r IN -w OUT (implies --to scap)
  -C MB            with --to scap -w FILE: a new file every MB megabytes of file (compressed with -z or --lz4, as
                   sysdig counts them): FILE0, FILE1, ...; each part opens on its own, in tdig and in sysdig,
                   starting with the processes and fds the events before it left
  -e N             the same, a new file every N events
  -G SECONDS       the same, a new file every SECONDS of capture time (FILE may hold strftime % codes)
  -W N             keep the last N parts (their names used again in turn, as sysdig's)
  -s N, -F, -T, --large-environment, --page-faults
                   sysdig's capture options: taken, and, as in sysdig, they change nothing when a capture is read
  --version        print the version
`;

interface Options {
  files: string[];
  /** trailing filter expression, as sysdig takes it */
  filter?: string;
  format?: string;
  json: boolean;
  buf: BufferFormat;
  limit: number;
  /** -M: seconds of capture time */
  seconds?: number;
  verbose: boolean;
  /** -D: internal events are printed and counted, and pass the filter (sysdig's internal events mode) */
  debug?: boolean;
  /** -E: the capture's user and group tables are not used */
  excludeUsers?: boolean;
  progress: boolean;
  /** -S, -q, -d */
  summary: boolean;
  quiet: boolean;
  display: boolean;
  list: boolean;
  /** --list-markdown */
  listMarkdown?: boolean;
  /** -L: list the events */
  listEvents: boolean;
  ndjson: boolean;
  /** --from: what the input is; 'auto' tells scap from NDJSON by the first byte */
  from: 'auto' | 'scap' | 'ndjson';
  toScap: boolean;
  compression: 'plain' | 'gzip' | 'lz4';
  outFile?: string;
  time: OutputTimeMode;
  /** -R: port numbers as service names */
  resolvePorts?: boolean;
  /** -U: process names whose events are left out */
  suppress: string[];
  /** --unbuffered: each line is written as it is printed */
  unbuffered?: boolean;
  /** --no-color: the plain default format on a terminal too */
  noColor?: boolean;
  /** -C, -G, -e, -W: --to scap -w in parts */
  rotate: RotateOptions;
}

/** sysdig.cpp: the formats -pc, -pk and -pm select (the container and thread columns added) */
const CONTAINER_FORMAT = (col: string) => `*%evt.num %evt.outputtime %evt.cpu ${col} (%container.id) %proc.name (%thread.tid:%thread.vtid) %evt.dir %evt.type %evt.info`;
const PRESETS: Record<string, string> = {
  c: CONTAINER_FORMAT('%container.name'),
  container: CONTAINER_FORMAT('%container.name'),
  k: CONTAINER_FORMAT('%k8s.pod.name'),
  kubernetes: CONTAINER_FORMAT('%k8s.pod.name'),
  m: CONTAINER_FORMAT('%mesos.task.name'),
  mesos: CONTAINER_FORMAT('%mesos.task.name'),
};

/** sysdig.cpp: the default format when stdout is a terminal (the process name, pid and type in colour) */
const TTY_FORMAT = '*%evt.num %evt.outputtime %evt.cpu \\e[01;32m%proc.name\\e[00m (\\e[01;36m%proc.pid\\e[00m.%thread.tid) %evt.dir \\e[01;34m%evt.type\\e[00m %evt.info';

/**
 * sysdig.cpp escape_output_format: \n, \t, \e and \\ in a format are a newline, a tab, ESC and a
 * backslash; any other backslash stays (one that ends the format too, where sysdig reads past its end).
 */
export function escapeFormat(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[i + 1];
    if (n === 'n') out += '\n';
    else if (n === 't') out += '\t';
    else if (n === 'e') out += '\x1b';
    else if (n === '\\') out += '\\';
    else {
      out += '\\';
      continue;
    }
    i++;
  }
  return out;
}

/** The default format in colour: stdout is a terminal, and neither --no-color nor NO_COLOR says otherwise. */
function ttyColors(o: Options): boolean {
  return isTerminal(1) && o.noColor !== true && !process.env['NO_COLOR'];
}

/** tdig-fmt's options in getopt's other spellings (-p%proc.name, -n5, -qS, --numevents=5) */
const FMT_GETOPT: GetoptSpec = {
  valued: 'pntMUwCeGWrsci',
  flags: 'jAxXbvDERPSqdlLzFT',
  long: ['--print', '--numevents', '--timetype', '--suppress-comm', '--from', '--to', '--write', '--file-size', '--seconds', '--limit', '--read', '--snaplen'],
};

export function parseArgs(argv: string[]): Options {
  const args = [...argv];
  const o: Options = {
    files: [], json: false, buf: BufferFormat.Normal, limit: 0, verbose: false, progress: false, summary: false, quiet: false, display: false, list: false, listEvents: false,
    ndjson: false, from: 'auto', toScap: false, compression: 'plain', time: 'h', suppress: [], rotate: {},
  };
  const value = (i: number, flag: string): string => {
    const v = args[i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  /** -r FILE */
  const read: string[] = [];
  let toGiven = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    switch (a) {
      case '-p': case '--print': o.format = value(++i, a); break;
      case '-pc': case '-pcontainer': case '-pk': case '-pkubernetes': case '-pm': case '-pmesos': case '-pp':
        o.format = a.slice(2);
        break;
      case '-j': case '--json': o.json = true; break;
      case '-A': case '--print-ascii': o.buf = BufferFormat.Ascii; break;
      case '-x': case '--print-hex': o.buf = BufferFormat.Hex; break;
      case '-X': case '--print-hex-ascii': o.buf = BufferFormat.HexAscii; break;
      case '-b': case '--print-base64': o.buf = BufferFormat.Base64; break;
      case '-n': case '--numevents': o.limit = eventCountArg(value(++i, a)); break;
      case '-M': o.seconds = secondsArg(value(++i, a)); break;
      case '-t': case '--timetype': {
        const v = value(++i, a);
        if (!['h', 'a', 'r', 'd', 'D'].includes(v)) throw new UsageError(`-t takes h, a, r, d or D, not "${v}"`);
        o.time = v as OutputTimeMode;
        break;
      }
      case '-v': case '--verbose': o.verbose = true; break;
      case '-D': case '--debug': o.debug = true; break;
      case '-E': case '--exclude-users': o.excludeUsers = true; break;
      case '-R': case '--resolve-ports': o.resolvePorts = true; break;
      case '-U': case '--suppress-comm': o.suppress.push(value(++i, a)); break;
      case '-P': case '--progress': o.progress = true; break;
      case '--unbuffered': o.unbuffered = true; break;
      case '-c': case '--chisel': case '-cl': case '--list-chisels': case '-i': case '--chisel-info':
        throw new UsageError(`${a}: chisels run in tdig-agg (tables) and tdig-echo (payloads, logs): tdig-agg --list, tdig-echo --list`);
      // capture-time options of sysdig's, which change nothing when a capture is read (as in sysdig): taken,
      // so that a sysdig command line runs as it is
      case '-s': case '--snaplen': countArg(value(++i, a), a); break;
      case '-F': case '--fatfile': case '--large-environment': case '--page-faults': case '-T': break;
      case '--no-color': o.noColor = true; break;
      case '-S': case '--summary': o.summary = true; break;
      case '-q': case '--quiet': o.quiet = true; break;
      case '-d': case '--displayflt': o.display = true; break;
      case '-l': case '--list': o.list = true; break;
      case '--list-markdown': o.listMarkdown = true; break;
      case '-L': case '--list-events': o.listEvents = true; break;
      case '--ndjson': o.ndjson = true; break;
      case '--from': {
        const v = value(++i, a);
        if (v === 'ndjson' || v === 'scap') o.from = v;
        else throw new UsageError(`--from takes scap or ndjson, not "${v}"`);
        break;
      }
      case '--to': {
        const v = value(++i, a);
        toGiven = true;
        if (v === 'scap') o.toScap = true;
        else if (v === 'ndjson') o.ndjson = true;
        else if (v !== 'text') throw new UsageError(`--to takes text, scap or ndjson, not "${v}"`);
        break;
      }
      case '-z': case '--compress': o.compression = 'gzip'; break;
      case '--lz4': o.compression = 'lz4'; break;
      case '-w': case '--write': o.outFile = value(++i, a); break;
      case '-C': case '--file-size': o.rotate.mb = positiveArg(value(++i, a), a); break;
      case '-e': o.rotate.events = positiveArg(value(++i, a), a); break;
      case '-G': case '--seconds': o.rotate.seconds = positiveArg(value(++i, a), a); break;
      case '-W': case '--limit': o.rotate.files = positiveArg(value(++i, a), a); break;
      case '-r': case '--read': read.push(value(++i, a)); break;
      case '-': o.files.push('-'); break;
      default: {
        if (expandGetopt(args, i, FMT_GETOPT)) {
          i--;
          break;
        }
        if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option ${a} (see tdig-fmt --help)`);
        o.files.push(a);
      }
    }
  }
  // sysdig's preset formats: -p c (container), k (kubernetes), m (mesos); -p p prints the default format
  if (o.format !== undefined && o.format in PRESETS) o.format = PRESETS[o.format];
  // as sysdig -r IN -w OUT: -w alone writes scap
  if (o.outFile !== undefined && !toGiven) o.toScap = true;
  if ((o.outFile || o.compression !== 'plain') && !o.toScap) throw new UsageError('-w, -z and --lz4 go with --to scap');
  if ((rotating(o.rotate) || o.rotate.files !== undefined) && o.outFile === undefined) throw new UsageError('-C, -G, -e and -W go with --to scap -w FILE');
  if (o.rotate.files !== undefined && !rotating(o.rotate)) throw new UsageError('-W goes with -C, -G or -e');
  // like sysdig, the words after the files are a filter expression, joined with spaces (sysdig -r cap
  // proc.name=bash and evt.type=open); a word that names a file, "-" or a missing path that looks like a
  // capture (which then gets "no such file") is a file until the first word that is not
  const first = o.files.findIndex((w) => w !== '-' && !existsSync(w) && !looksLikePath(w));
  if (first !== -1) o.filter = o.files.splice(first).join(' ');
  o.files.unshift(...read);
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
  if (o.listMarkdown) {
    stdout().write(listFieldsMarkdown());
    return 0;
  }
  if (o.list) {
    stdout().write(listFields(o.verbose));
    return 0;
  }
  if (o.format === 'p') {
    // -pp: the default format, for the user to tweak (on a terminal, the one in colour, as sysdig prints it)
    stdout().write((ttyColors(o) ? TTY_FORMAT : DEFAULT_FORMAT) + '\n');
    return 0;
  }
  if (o.listEvents) {
    stdout().write(listEvents());
    return 0;
  }
  outputTime.mode = o.time;
  const sources = inputSources(o.files);
  // (in parts, -w names no file itself: OUT0, OUT1...)
  if (!rotating(o.rotate)) refuseOverwrite(o.outFile, sources);

  if (o.filter !== undefined && o.toScap && o.outFile !== undefined) {
    throw new UsageError(`a filter goes with text or JSON output; to write the events that match: tdig-filter '${o.filter}' IN -w ${o.outFile}`);
  }
  if (o.filter !== undefined && (o.toScap || o.ndjson)) throw new UsageError('a filter goes with text or JSON output; tdig-filter filters scap and NDJSON');
  if ((o.json || o.format !== undefined || o.buf !== BufferFormat.Normal) && (o.toScap || o.ndjson)) {
    throw new UsageError(`-j, -p, -A, -x, -X and -b go with text output, not ${o.toScap ? '--to scap' : '--ndjson'}`);
  }
  if ((o.summary || o.quiet || o.display || o.debug) && (o.toScap || o.ndjson)) throw new UsageError('-S, -q, -d and -D go with text or JSON output');
  const compiled = o.filter !== undefined ? compileFilter(o.filter).test : undefined;
  // -d: the filter only decides what is printed; every event is parsed and counted (sysdig's display filter)
  const test = o.display ? undefined : compiled;
  const display = o.display ? compiled : undefined;
  const summary = o.summary ? new Summary() : undefined;
  watchInterrupts();
  if (o.toScap) return toScap(o, sources);

  const out = new TextOut(stdout());
  setBeforeWait(() => out.flush());
  const engine = new StateEngine();
  engine.bufferFormat = o.json ? jsonBuf(o.buf) : o.buf;
  engine.maxBufLen = o.verbose || o.json || o.ndjson ? 0 : 80;
  engine.importUsers = o.excludeUsers !== true;
  // (sysdig's default format is in colour on a terminal; a format with ESC in it gets a colour reset at the end)
  const format = escapeFormat(o.format ?? (ttyColors(o) ? TTY_FORMAT : DEFAULT_FORMAT));
  const formatter = new Formatter(format);
  const resetColors = format.includes('\x1b') && !o.ndjson;
  const nd = o.ndjson ? new NdjsonWriter(out, engine) : undefined;
  const duration = o.seconds !== undefined ? new DurationLimit(o.seconds) : undefined;
  let seen = 0;
  let stop = false;
  const debug = o.debug === true;
  const handler: BlockHandler = {
    header(b: HeaderBlock) {
      engine.header(b);
      nd?.header(b);
    },
    event(ev: EventView) {
      let info: EventInfo | undefined;
      let internal = false;
      if (test === undefined) info = engine.process(ev);
      else {
        const verdict = filterEvent(engine, ev, test);
        if (verdict === FilterVerdict.Keep) info = engine.info;
        else if (verdict === FilterVerdict.Drop && debug && (engine.info.category & EC.INTERNAL) !== 0) info = engine.info;
      }
      // -D: sinsp::next hands over an internal event that failed the filter or is state-only, and sysdig
      // counts and prints it (sinsp.cpp, internal events mode; sysdig.cpp's loop)
      if (debug && info !== undefined && (info.category & EC.INTERNAL) !== 0) internal = true;
      // like sysdig's -n and -M, state-only events (and, with a filter, dropped ones) are not counted
      if (internal || counted(ev, info !== undefined || test === undefined, engine.hidden)) {
        if (duration !== undefined && duration.reached(ev)) {
          stop = true;
          return false;
        }
        seen++;
        if (summary !== undefined && info !== undefined) summary.add(engine.ev);
      }
      if (nd) {
        nd.event(ev, info);
        if (o.unbuffered === true) out.flush();
      } else if (info && (internal || ((ev.flags & 1) === 0 && (info.category & EC.INTERNAL) === 0)) && engine.hidden === false && o.quiet === false) {
        const line = o.json ? formatter.json(engine) : formatter.text(engine);
        if (line !== undefined && (display === undefined || display(engine) === true)) {
          out.lineNl(line);
          if (o.unbuffered === true) out.flush();
        }
      }
      if (o.limit !== 0 && seen >= o.limit) {
        stop = true;
        return false;
      }
      return true;
    },
  };
  const stats = o.verbose ? new RunStats() : undefined;
  for (const src of sources) {
    if (stop) break;
    // -P, or by itself for a long file read on a terminal, until the output starts
    const bar = progressFor(src, o.progress, isTerminal(1), out);
    try {
      await readSource(src, o.from, suppress(handler, o, stats?.suppressed), (c) => withBackpressure(c, out), bar);
    } finally {
      await out.end();
      bar?.done();
    }
  }
  if (resetColors) out.line('\x1b[00m');
  if (summary !== undefined) out.line(summary.text());
  await out.end();
  if (stats !== undefined) {
    stats.events = seen;
    writeErr(stats.text());
  }
  return 0;
}

/**
 * Read one source (scap, or tdig's NDJSON; with --from auto, told apart by the first byte) through
 * `handler`; `pace` wraps the chunks for backpressure.
 */
async function readSource(
  src: InputSource,
  from: Options['from'],
  handler: BlockHandler,
  pace: (chunks: AsyncIterable<Buffer>) => AsyncIterable<Buffer>,
  bar?: Progress,
): Promise<void> {
  const onRaw = bar !== undefined ? (n: number) => bar.advance(n) : undefined;
  const chunks =
    from === 'ndjson' ? readNdjson(src, onRaw) : from === 'scap' ? openInput(src, { reuseChunks: true, onRaw }) : (await openCapture(src, onRaw)).chunks;
  return readBlocks(pace(chunks), handler, { tableNparams: (t) => eventInfo(t)?.params.length ?? 0, name: typeof src === 'string' ? src : undefined });
}

/**
 * readSource for --to scap: with -P, or by itself when the output is a file (-w) and stderr a terminal
 * (nothing else is on it), a progress bar, which leaves its line at the end.
 */
async function readSourceTo(
  o: Options,
  src: InputSource,
  handler: BlockHandler,
  pace: (chunks: AsyncIterable<Buffer>) => AsyncIterable<Buffer>,
): Promise<void> {
  const bar = progressFor(src, o.progress, o.outFile !== undefined);
  try {
    await readSource(src, o.from, handler, pace, bar);
  } finally {
    bar?.done();
  }
}

/** -U: the handler behind the suppression of its process names (a fresh one per source, as libscap's per capture). */
function suppress(handler: BlockHandler, o: Options, stats?: SuppressStats): BlockHandler {
  return o.suppress.length === 0 ? handler : suppressing(handler, o.suppress, stats);
}

function jsonBuf(b: BufferFormat): BufferFormat {
  return b === BufferFormat.Normal ? BufferFormat.Json : b;
}

/** Pull the next chunk only once the output can take more. */
async function* withBackpressure(chunks: AsyncIterable<Buffer>, out: TextOut): AsyncGenerator<Buffer> {
  for await (const c of chunks) {
    const d = out.drained();
    if (d) await d;
    yield c;
  }
}

async function toScap(o: Options, sources: InputSource[]): Promise<number> {
  if (rotating(o.rotate)) return toScapParts(o, sources);
  if (o.outFile === undefined) refuseScapToTerminal();
  const sink = openOutput({ path: o.outFile, compression: o.compression, stdout: stdout() });
  setBeforeWait(() => sink.settle());
  const duration = o.seconds !== undefined ? new DurationLimit(o.seconds) : undefined;
  let seen = 0;
  let stop = false;
  const handler: BlockHandler = {
    header(b) {
      sink.write(headerBytes(b));
    },
    event(ev) {
      if (duration !== undefined && duration.reached(ev)) {
        stop = true;
        return false;
      }
      // the whole block, as read: original block type, cpu, flags and trailing bytes
      sink.write(Buffer.from(blockOf(ev)));
      seen++;
      if (o.limit !== 0 && seen >= o.limit) {
        stop = true;
        return false;
      }
      return true;
    },
  };
  for (const src of sources) {
    if (stop) break;
    await readSourceTo(o, src, suppress(handler, o), (c) => drainFirst(c, () => sink));
  }
  await sink.close();
  return 0;
}

/**
 * --to scap -w FILE in parts (-C, -G, -e, -W): the events pass through unchanged, and the state engine follows
 * them, so that each part starts with the state the events before it left (scap/rotate.ts).
 */
async function toScapParts(o: Options, sources: InputSource[]): Promise<number> {
  const r = o.rotate;
  const engine = new StateEngine();
  engine.maxBufLen = 0;
  const duration = o.seconds !== undefined ? new DurationLimit(o.seconds) : undefined;
  const enters = new PendingEnters();
  let sink: ScapSink | undefined;
  let pendingClose: Promise<void> = Promise.resolve();
  /** the part being written: its name, and the name it is written under until it is whole */
  let final = '';
  let partial = '';
  // A part is written under a name of its own and renamed when it is closed (closes run in turn, after the
  // event loop got to them): with -W, a name is used again while the part that had it may still be closing.
  const openPart = (name: string): void => {
    final = name;
    partial = `${name}.partial-${process.pid}-${part}`;
    sink = openOutput({ path: partial, compression: o.compression, sized: r.mb !== undefined });
  };
  const closePart = (): void => {
    const [done, from, to] = [sink!, partial, final];
    sink = undefined;
    pendingClose = pendingClose.then(async () => {
      await done.close();
      renameSync(from, to);
    });
  };
  let part = -1;
  const slots = new PartSlots(r);
  let partEvents = 0;
  let partStart = 0;
  /** the machine, interface and user blocks of the section being read */
  let kept: Buffer[] = [];
  /** header blocks read since the last event, written as they are into the part being written */
  let headers: Buffer[] = [];
  let seen = 0;
  let stop = false;
  const write = (b: Buffer): void => {
    sink!.write(b);
  };
  /** Opens the next part, which starts at `ev`. */
  const open = (ev: EventView): void => {
    const sec = Number(ev.ts / 1000000000n);
    part++;
    const name = partName(o.outFile!, r, part, new Date(sec * 1000));
    // (-G -W N: the file of the part N before this one goes, once it is whole)
    const gone = slots.replaced(part, name);
    if (gone !== undefined) pendingClose = pendingClose.then(() => rmSync(gone, { force: true }));
    openPart(name);
    partEvents = 0;
    partStart = sec;
  };
  const handler: BlockHandler = {
    header(b) {
      engine.header(b);
      const raw = headerBytes(b);
      if (b.kind === BlockKind.Section) kept = [];
      else if (b.kind === BlockKind.MachineInfo || b.kind === BlockKind.Interfaces || b.kind === BlockKind.Users) kept.push(raw);
      headers.push(raw);
    },
    event(ev) {
      if (duration !== undefined && duration.reached(ev)) {
        stop = true;
        return false;
      }
      const block = blockOf(ev);
      // -G counts whole seconds, as sysdig's cycle writer does: a part ends at the first event whose second
      // is SECONDS past its own first event's second (so with -G 1 each part holds one second of the clock)
      const sec = r.seconds !== undefined ? Number(ev.ts / 1000000000n) : 0;
      const full =
        sink !== undefined &&
        partEvents > 0 &&
        ((r.mb !== undefined && sink!.over(r.mb * 1e6, block.length)) ||
          // (sysdig's cycle writer counts the event that ends a part in the part before: its first part holds
          // one event less)
          (r.events !== undefined && partEvents >= (part === 0 ? Math.max(1, r.events - 1) : r.events)) ||
          (r.seconds !== undefined && sec - partStart >= r.seconds));
      if (sink === undefined || full) {
        if (sink !== undefined) {
          closePart();
          // the state before this event: what the events of the parts before left
          open(ev);
          for (const h of stateSection(engine, kept)) write(h);
          for (const e of enters.blocks(engine)) write(e);
          headers = [];
        } else {
          open(ev);
        }
      }
      for (const h of headers) write(h);
      headers = [];
      write(Buffer.from(block));
      partEvents++;
      enters.seen(ev);
      engine.process(ev);
      seen++;
      if (o.limit !== 0 && seen >= o.limit) {
        stop = true;
        return false;
      }
      return true;
    },
  };
  setBeforeWait(() => sink?.settle());
  try {
    for (const src of sources) {
      if (stop) break;
      await readSourceTo(o, src, suppress(handler, o), (c) => drainFirst(c, () => sink));
    }
    if (part < 0 && headers.length > 0) {
      // no events: the one part holds the header
      openPart(partName(o.outFile!, r, 0, new Date()));
      for (const h of headers) write(h);
    }
  } finally {
    // (also after a fault in the input: the parts hold what was read before it)
    if (sink !== undefined) closePart();
    await pendingClose;
  }
  return 0;
}

/** Pull the next chunk only once the sink (the one being written, if any) can take more. */
async function* drainFirst(chunks: AsyncIterable<Buffer>, sink: () => ScapSink | undefined): AsyncGenerator<Buffer> {
  for await (const c of chunks) {
    await sink()?.drain();
    yield c;
  }
}

/** A header block's bytes as written (portableHeader: a section header without pcapng options). */
function headerBytes(b: HeaderBlock): Buffer {
  return portableHeader(b.buf, b.start, b.end, b.kind);
}

/** The bytes of the block that holds the current event. */
function blockOf(ev: EventView): Buffer {
  const hdr = (ev.flags !== 0 || isEvf(ev.blockType)) ? 14 : 10;
  const start = ev.off - hdr;
  const len = ev.buf.readUInt32LE(start + 4);
  return ev.buf.subarray(start, start + len);
}

function isEvf(t: number): boolean {
  return t === 0x208 || t === 0x217 || t === 0x222;
}
