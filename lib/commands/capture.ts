// tdig-capture: live, system-wide capture with eBPF into a scap stream or file.
//
// Flow: load and attach the BPF program (disabled), enable it, scan /proc for the initial state, write
// the section header blocks, then pull batches of ready event blocks from the addon and write them.
// Events that happen during the scan are in the rings already and follow the header.

import { partName, PartSlots, PendingEnters, stateRecords, stateSection } from '../scap/rotate.js';
import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { EXIT_DATA, EXIT_OK, EXIT_USAGE, RuntimeError, UsageError, errnoMessage, isErrno } from '../cli/errors.js';
import { VERSION } from '../cli/version.js';
import { expandGetopt, refuseScapToTerminal, type GetoptSpec } from '../cli/args.js';
import { openCapture, receivedFd, RECEIVED_FD, type NativeCapture } from '../capture/native.js';
import { scanSystem } from '../capture/procscan.js';
import { CommSuppressor, suppressedComms } from '../state/suppress.js';
import { isBrokenPipe, openOutput, type OutputCompression, type ScapSink } from '../scap/output.js';
import { eventBlockSize, sectionBlocks, writeEventBlockInto } from '../scap/writer.js';
import { BlockKind, blockTypeInfo, DF_STATE_ONLY, EV_V2, MAX_EVENT_BLOCK_BODY } from '../scap/blocks.js';
import { StateEngine } from '../state/engine.js';
import { EventView } from '../scap/event.js';
import type { FdList, ProcRecord } from '../scap/types.js';
import { addHole, cutHoles, type CuttableOutput } from '../filter/stream.js';
import { CaptureFilter, FilterAction, readHeaders, writeStateOnly } from '../capture/filter.js';

export const USAGE = `Usage: tdig-capture [options] [FILTER] [-- CMD ARGS...]

Capture every process's system calls with eBPF and write them as a scap stream (stdout) or file.
FILTER (e.g. proc.name=curl and fd.port=80, the language of tdig-filter) keeps only the matching events;
dropped events that change the thread or fd tables are written as state-only events unless --thin.

Options:
  -w, --write FILE        write to FILE (mode 0600) instead of stdout
  -z, --compress          gzip the output
      --lz4               LZ4-frame the output
  -s, --snaplen N         bytes captured of each data buffer (default 80)
  -T, --force-tracers-capture
                          writes to /dev/null keep up to 4096 bytes whatever the snaplen, so that
                          sysdig's tracers (spans written there, see tdig-filter(1)) are whole
      --no-switch         leave out context switches (switch events; sysdig always captures them)
      --page-faults       also capture page faults, user and kernel, major and minor (page_fault events,
                          as sysdig --page-faults)
  -n, --numevents N       stop after N (matching) events
  -M SECONDS              stop after SECONDS
  -C MB                   start a new file every MB megabytes of file, compressed ones with -z or --lz4
                          (as sysdig counts them): FILE0, FILE1, ...
  -G SECONDS              start a new file every SECONDS (FILE may hold strftime % codes)
  -W N                    keep the last N files (their names used again in turn, as sysdig's)
  -e N                    start a new file every N (matching) events
  -p, --pid PID           capture only process PID and its descendants; ends when they all have exited
  -U, --suppress-comm COMM  leave out the processes named COMM, and the processes they start: out of the
                          process table and of the events (as sysdig -U; may be repeated, up to 32 names)
      --thin              with a FILTER: do not keep dropped state-changing events as state-only
  -F, --fatfile           keep them (the default; sysdig's -F, fatfile mode)
      --filter-proclist   with a FILTER: the process table written holds only the threads and fds
                          the filter passes, each fd tested as that of a read by its thread (as sysdig)
      --stats             print the event and drop counts on stderr at the end
  -v, --verbose           print events per second and drops on stderr every second, and at the end
      --ring-mb N         ring buffer size per CPU in MiB (power of two, default 16)
  -h, --help              this text
      --version           print the version

Needs root, or CAP_BPF + CAP_PERFMON (see man tdig-capture).
`;

export interface CaptureArgs {
  write?: string;
  compression: OutputCompression;
  snaplen: number;
  /** -T: whole tracer writes */
  tracers?: boolean;
  /** --page-faults: page_fault events */
  pageFaults?: boolean;
  /** --no-switch: no switch events */
  noSwitch?: boolean;
  numEvents?: number;
  seconds?: number;
  rotateMb?: number;
  rotateSeconds?: number;
  rotateFiles?: number;
  rotateEvents?: number;
  pid?: number;
  command?: string[];
  filter?: string;
  thin: boolean;
  /** --filter-proclist: the process table written holds only what FILTER passes */
  filterProclist?: boolean;
  stats: boolean;
  verbose: boolean;
  ringMb: number;
  help: boolean;
  /** -U: process names left out */
  suppress: string[];
}

function intArg(flag: string, v: string | undefined, min = 0): number {
  if (v === undefined) throw new UsageError(`${flag} needs a value`);
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (Number.isInteger(min) && !/^\d+(\.\d+)?$/.test(v)))
    throw new UsageError(`${flag}: bad number '${v}'`);
  return n;
}

/** tdig-capture's short options in getopt's other spellings (-s256, -wOUT, -zv) */
const CAPTURE_GETOPT: GetoptSpec = { valued: 'wsnMCGWepU', flags: 'zTvhF', long: [] };

export function parseArgs(args: string[]): CaptureArgs {
  const argv = [...args];
  const a: CaptureArgs = { compression: 'plain', snaplen: 80, thin: false, stats: false, verbose: false, ringMb: 16, help: false, suppress: [] };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.includes('=')) {
      inline = arg.slice(arg.indexOf('=') + 1);
      arg = arg.slice(0, arg.indexOf('='));
    }
    const value = (): string | undefined => (inline !== undefined ? inline : argv[++i]);
    switch (arg) {
      case '--':
        a.command = argv.slice(i + 1);
        if (a.command.length === 0) throw new UsageError('-- needs a command');
        i = argv.length;
        break;
      case '-w': case '--write': {
        const v = value();
        if (!v) throw new UsageError(`${arg} needs a file name`);
        a.write = v;
        break;
      }
      case '-z': case '--compress': a.compression = 'gzip'; break;
      case '--lz4': a.compression = 'lz4'; break;
      case '-s': case '--snaplen': a.snaplen = intArg(arg, value(), 0); break;
      case '-T': case '--force-tracers-capture': a.tracers = true; break;
      case '--page-faults': a.pageFaults = true; break;
      case '--no-switch': a.noSwitch = true; break;
      case '-n': case '--numevents': a.numEvents = intArg(arg, value(), 1); break;
      case '-M': a.seconds = intArg(arg, value(), 0); break;
      case '-C': a.rotateMb = intArg(arg, value(), 1); break;
      case '-G': a.rotateSeconds = intArg(arg, value(), 1); break;
      case '-W': a.rotateFiles = intArg(arg, value(), 1); break;
      case '-e': a.rotateEvents = intArg(arg, value(), 1); break;
      case '-p': case '--pid': a.pid = intArg(arg, value(), 1); break;
      case '-U': case '--suppress-comm': {
        const v = value();
        if (v === undefined) throw new UsageError(`${arg} needs a process name`);
        a.suppress.push(v);
        break;
      }
      case '--thin': a.thin = true; break;
      case '--filter-proclist': a.filterProclist = true; break;
      case '-F': case '--fatfile': a.thin = false; break;
      case '--stats': a.stats = true; break;
      case '-v': case '--verbose': a.verbose = true; break;
      case '--ring-mb': a.ringMb = intArg(arg, value(), 1); break;
      case '-h': case '--help': a.help = true; break;
      default: {
        if (inline === undefined && expandGetopt(argv, i, CAPTURE_GETOPT)) {
          i--;
          break;
        }
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
        positional.push(arg);
      }
    }
  }
  if (positional.length > 0) a.filter = positional.join(' ');
  a.suppress = suppressedComms(a.suppress);
  if (a.snaplen > 65000) a.snaplen = 65000;
  if ((a.rotateMb !== undefined || a.rotateSeconds !== undefined || a.rotateEvents !== undefined) && !a.write)
    throw new UsageError('-C, -G and -e need -w FILE');
  if (a.filterProclist === true && a.filter === undefined) throw new UsageError('--filter-proclist needs a FILTER');
  if (a.pid !== undefined && a.command) throw new UsageError('-p and -- CMD cannot be combined');
  if ((a.ringMb & (a.ringMb - 1)) !== 0) throw new UsageError('--ring-mb must be a power of two');
  return a;
}

const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

/** null when the process may capture, else the one-line reason. */
export function privilegeProblem(): string | null {
  const status = fs.readFileSync('/proc/self/status', 'latin1');
  const m = status.match(/^CapEff:\s*([0-9a-f]+)/m);
  const eff = m ? BigInt('0x' + m[1]) : 0n;
  const has = (c: number): boolean => ((eff >> BigInt(c)) & 1n) === 1n;
  if (has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON))) return null;
  const missing = [has(CAP_BPF) ? '' : 'CAP_BPF', has(CAP_PERFMON) ? '' : 'CAP_PERFMON'].filter(Boolean).join(' and ');
  return `tdig-capture: missing ${missing}: run as root (sudo tdig-capture ...) or grant them, e.g. setcap cap_bpf,cap_perfmon,cap_dac_read_search,cap_sys_ptrace+ep on node (see man tdig-capture)`;
}

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const BATCH_BYTES = 1 << 20;
const PROC_TAIL = { tail: 'pre010' } as const;
/** the header blocks of the first file that every later file starts with, after its section header */
const KEPT_KINDS = new Set([BlockKind.MachineInfo, BlockKind.Interfaces, BlockKind.Users]);

export async function run(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let args: CaptureArgs;
  let filter: CaptureFilter | null = null;
  try {
    args = parseArgs(argv);
    if (args.filter !== undefined && !args.help) filter = new CaptureFilter(args.filter, args.thin);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`tdig-capture: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  if (args.help) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (args.write === undefined && io.stdout === process.stdout) {
    try {
      refuseScapToTerminal();
    } catch (e) {
      io.stderr.write(`tdig-capture: ${(e as Error).message}\n`);
      return EXIT_USAGE;
    }
  }
  const priv = privilegeProblem();
  if (priv) {
    io.stderr.write(priv + '\n');
    return EXIT_DATA;
  }
  // -w: a directory that cannot take the file is found before the programs load (a name with strftime codes
  // may make its directory per file)
  if (args.write !== undefined && !args.write.includes('%')) {
    const dir = args.write.includes('/') ? args.write.slice(0, args.write.lastIndexOf('/')) || '/' : '.';
    try {
      fs.accessSync(dir, fs.constants.W_OK);
    } catch (e) {
      io.stderr.write(`tdig-capture: ${isErrno(e) ? errnoMessage(e) : (e as Error).message}\n`);
      return EXIT_DATA;
    }
  }
  // -- CMD: a command that is not there is found before the programs load (exit 127, as a shell's)
  if (args.command !== undefined && findCommand(args.command[0]!) === undefined) {
    io.stderr.write(`tdig-capture: ${args.command[0]}: command not found\n`);
    return 127;
  }
  // -p: any thread of a process names the process (its thread group)
  if (args.pid !== undefined) {
    const tgid = threadGroupOf(args.pid);
    if (tgid === undefined) {
      io.stderr.write(`tdig-capture: -p ${args.pid}: no such process\n`);
      return EXIT_DATA;
    }
    args.pid = tgid;
  }

  let cap: NativeCapture;
  try {
    cap = openCapture({
      snaplen: args.snaplen,
      ringBytes: args.ringMb * 1024 * 1024,
      selfPid: process.pid,
      treeFilter: args.pid !== undefined || args.command !== undefined,
      tracers: args.tracers === true,
      pageFaults: args.pageFaults === true,
      noSwitch: args.noSwitch === true,
    });
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n`);
    return EXIT_DATA;
  }

  // -- CMD: start it held on a pipe, track it, then let it exec
  let child: ChildProcess | null = null;
  let childExited = false;
  let childStatus = EXIT_OK;
  const tracked = new Set<number>();
  // -p: the process and what it started before the capture (the BPF program adds what they start from now on)
  const trackTree = (): void => {
    for (const p of expandTree(new Set([args.pid!]))) if (!tracked.has(p)) {
      cap.track(p);
      tracked.add(p);
    }
  };
  if (args.pid !== undefined) trackTree();
  if (args.command) {
    child = spawn('/bin/sh', ['-c', 'read _ <&3; exec 3<&-; exec "$@"', 'sh', ...args.command], {
      stdio: ['inherit', args.write ? 'inherit' : 2, 'inherit', 'pipe'],
    });
    child.on('exit', (status, signal) => {
      childExited = true;
      // its exit status becomes the capture's, as a shell gives it (128 + the signal that ended it)
      childStatus = status ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : EXIT_OK);
    });
    child.on('error', () => {
      childExited = true;
    });
    if (child.pid === undefined) {
      io.stderr.write(`tdig-capture: cannot run ${args.command[0]}\n`);
      cap.close();
      return EXIT_DATA;
    }
    cap.track(child.pid);
    tracked.add(child.pid);
  }

  const bootNs = BigInt(Math.round(cap.start()));
  const started = Date.now();
  // (and what they started while the programs were being attached)
  if (args.pid !== undefined) trackTree();
  if (child) {
    // the program is enabled and the child tracked: let it exec the command
    const gate = child.stdio[3] as NodeJS.WritableStream | null;
    gate?.end('\n');
  }

  // output and rotation
  let fileIndex = 0;
  let sink: ScapSink | null = null;
  let fileEvents = 0;
  // -G counts whole seconds of the events' clock, as sysdig's cycle writer does live: the first file from the
  // second the capture starts in, each later one from the second of the event that began it; a file ends at
  // the first event SECONDS past its second, and is named after that second
  let fileSecond = Math.floor(Date.now() / 1000);
  const rotating = args.rotateMb !== undefined || args.rotateSeconds !== undefined || args.rotateEvents !== undefined;
  const rotation = { mb: args.rotateMb, seconds: args.rotateSeconds, files: args.rotateFiles, events: args.rotateEvents };
  const fileName = (): string | undefined => {
    if (!args.write) return undefined;
    return partName(args.write, rotation, fileIndex, new Date(fileSecond * 1000));
  };
  // -U: libscap's suppression, from the process table scan on (lib/state/suppress.ts)
  const suppressor = args.suppress.length > 0 ? new CommSuppressor(args.suppress) : undefined;
  const suppressView = new EventView();
  const received = new EventView();
  /** Opens the next file (or stdout) and writes its header blocks. */
  const startFile = async (path: string | undefined, blocks: readonly Buffer[]): Promise<void> => {
    sink = openOutput({ path, compression: args.compression, stdout: io.stdout, sized: args.rotateMb !== undefined });
    for (const b of blocks) {
      if (!sink.write(b)) await sink.drain();
    }
    fileEvents = 0;
  };
  const openSection = async (): Promise<void> => {
    const path = fileName();
    if (path !== undefined) slots.replaced(0, path);
    const section = scanSystem({
      bootTsNs: bootNs,
      pids: tracked.size > 0 ? expandTree(tracked) : undefined,
      suppressed: suppressor ? (comm, tid) => suppressor.scanned(comm, tid) : undefined,
    });
    // process entries with the pre-0.10 tail (formats/scap.md, PL): loginuid and exe_writable, which sysdig
    // 0.29.3 reads, then the three capability sets, which later libs read
    let blocks: readonly Buffer[] = sectionBlocks(section, PROC_TAIL);
    if (filter !== null) {
      const cut = args.filterProclist === true
        ? { procs: section.procs ?? [], fds: section.fds ?? [], rebuild: (procs: ProcRecord[], fds: FdList[]) => sectionBlocks({ ...section, procs, fds }, PROC_TAIL) }
        : undefined;
      blocks = filter.header(blocks, cut);
    }
    if (follow !== undefined) {
      // (the machine, interface and user blocks start every file; the engine without a filter reads the section)
      kept = blocks.filter((b) => KEPT_KINDS.has(blockTypeInfo(b.readUInt32LE(0)).kind));
      if (filter === null) readHeaders(follow, blocks);
    }
    await startFile(path, blocks);
  };
  // Each file after the first starts with the state the events before it left: the threads and fds of an
  // engine that follows the capture (the filter's, or one of its own), as libsinsp's dumper writes its
  // inspector's thread table into each new file, not a new /proc scan, in which a process that exited since,
  // whose events still arrive, would be missing (its events then named no process). Without a filter, each
  // thread's enter still waiting for its exit is written ahead, as tdig-fmt's parts have it (lib/scap/rotate.ts).
  const follow = rotating ? (filter?.engine ?? new StateEngine()) : undefined;
  const followView = rotating && filter === null ? new EventView() : undefined;
  const waiting = rotating && filter === null ? new PendingEnters() : undefined;
  let kept: Buffer[] = [];
  const slots = new PartSlots(rotation);
  const openNextFile = async (): Promise<void> => {
    const path = fileName();
    // (-G -W N with a strftime name: the file N before this one goes, as sysdig's cycle writer removes it)
    const gone = path !== undefined ? slots.replaced(fileIndex, path) : undefined;
    if (gone !== undefined) fs.rmSync(gone, { force: true });
    let table = stateRecords(follow!);
    if (filter !== null && args.filterProclist === true) table = filter.cutTable(table);
    const blocks = stateSection(follow!, kept, table);
    filter?.continued(blocks, table.procs.map((p) => p.tid));
    if (waiting !== undefined) blocks.push(...waiting.blocks(follow!));
    await startFile(path, blocks);
  };

  let stopping = false;
  let stopReason = '';
  const onSignal = (sig: string): void => {
    if (stopping) {
      // a second Ctrl-C while the rest is written (to a reader that no longer reads, say): stop now
      io.stderr.write(`tdig-capture: ${sig} again: stopped before the output was flushed\n`);
      process.exit(130);
    }
    stopping = true;
    stopReason = sig;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  /** blocks written (events and state-only events) */
  let total = 0;
  /** events kept (all of them without a filter) */
  let matched = 0;
  let lastReport = Date.now();
  let lastTotal = 0;
  const dropsNow = (): number => cap.stats().reduce((s, c) => s + c.drops, 0);
  const report = (final: boolean): void => {
    const now = Date.now();
    const secs = (now - (final ? started : lastReport)) / 1000;
    const n = final ? total : total - lastTotal;
    const rate = secs > 0 ? Math.round(n / secs) : 0;
    const per = cap.stats().map((c, i) => `cpu${i}:${c.drops}`).join(' ');
    const kept =
      (filter && final ? ` (${matched} matching the filter, ${total - matched} state-only)` : '') +
      (suppressor && final ? `, ${suppressor.count} suppressed (-U)` : '');
    io.stderr.write(
      `tdig-capture: ${final ? 'captured' : 'rate'} ${n} events${final ? ` in ${secs.toFixed(1)}s` : ''}${kept}, ${rate} events/s, ${dropsNow()} drops (${per})\n`,
    );
    lastReport = now;
    lastTotal = total;
  };

  let code = EXIT_OK;
  let pipeClosed = false;
  let treeChecks = 0;
  try {
    await openSection();
    let draining = false;
    for (;;) {
      if (!draining) {
        const timeUp = args.seconds !== undefined && Date.now() - started >= args.seconds * 1000;
        // (-p: the process and all it started have exited; the BPF program drops each group at its last thread)
        const treeGone = args.pid !== undefined && ++treeChecks % 4 === 0 && cap.tracked() === 0;
        if (stopping || timeUp || (child && childExited) || treeGone) {
          cap.stop();
          draining = true;
        }
      }
      const batch = await cap.next(BATCH_BYTES, 100);
      if (batch === null) break;
      const pending = new Pending(batch, filter !== null || suppressor !== undefined);
      let off = 0;
      let done = false;
      while (off + 12 <= batch.length) {
        const len = batch.readUInt32LE(off + 4);
        if (batch.readUInt16LE(off + 30) === RECEIVED_FD) {
          // a socket received over a unix socket: a state-only accept exit of the receiver (receivedFd)
          const block = receivedFd(batch, off);
          off += len;
          if (block === undefined) continue;
          received.set(block, 10, false, false, 0);
          received.cpu = block.readUInt16LE(8);
          received.flags = DF_STATE_ONLY;
          received.blockType = EV_V2;
          if (suppressor && suppressor.suppressed(received)) continue;
          const view = filter ? filter.observe(block) : received;
          if (followView !== undefined) {
            follow!.process(view);
            waiting!.seen(view);
          }
          if (pending.copying) {
            if (pending.stateOnly(0, block)) total++;
          } else {
            const before = pending.take();
            if (sink && before) await writeOut(sink, before);
            const out = Buffer.allocUnsafe(block.length + 4);
            const n = writeStateOnly(out, 0, block, 0);
            if (sink && n > 0) await writeOut(sink, out.subarray(0, n));
            if (n > 0) total++;
          }
          continue;
        }
        if (suppressor) {
          suppressView.set(batch, off + 10, false, false, 0);
          if (suppressor.suppressed(suppressView)) {
            off += len;
            continue;
          }
        }
        // rotation before this event?
        if (rotating && sink) {
          // (the file's size on disk, compressed when it is, as sysdig's -C counts it: see ScapSink.size)
          const bySize = args.rotateMb !== undefined && (sink as ScapSink).over(args.rotateMb * 1e6, pending.size);
          const second = args.rotateSeconds !== undefined ? Number(batch.readBigUInt64LE(off + 10) / 1000000000n) : 0;
          const byTime = args.rotateSeconds !== undefined && second - fileSecond >= args.rotateSeconds;
          // (sysdig's cycle writer counts the event that ends a file in the file before: its first holds one less)
          const byCount = args.rotateEvents !== undefined && fileEvents >= (fileIndex === 0 ? Math.max(1, args.rotateEvents - 1) : args.rotateEvents);
          // (a time cut, as sysdig's, even after no event: a file may then hold none; a size or count cut after one at least)
          if (byTime || ((bySize || byCount) && fileEvents > 0)) {
            const rest = pending.take();
            if (rest) await writeOut(sink, rest);
            await (sink as ScapSink).close();
            fileIndex++;
            if (byTime) fileSecond = second;
            await openNextFile();
          }
        }
        if (followView !== undefined) {
          followView.set(batch, off + 10, false, false, 0);
          followView.cpu = batch.readUInt16LE(off + 8);
          followView.flags = 0;
          followView.blockType = EV_V2;
          follow!.process(followView);
          waiting!.seen(followView);
        }
        const action = filter ? filter.action(batch, off) : FilterAction.Keep;
        const enter = filter?.enterBefore(action);
        const shorts = filter?.shorts;
        if (enter) {
          if (shorts) total -= shorts.writing(enter, DF_STATE_ONLY, pending);
          if (pending.extra(enter)) total++;
          else shorts?.interrupt();
        }
        if (shorts && action !== FilterAction.Skip) {
          total -= shorts.writing(filter!.event, action === FilterAction.Keep ? 0 : DF_STATE_ONLY, pending);
        }
        if (action === FilterAction.Keep) {
          pending.keep(off, len);
          total++;
          matched++;
          fileEvents++;
        } else if (action === FilterAction.StateOnly) {
          if (pending.stateOnly(off)) total++;
          else shorts?.interrupt();
        }
        off += len;
        if (args.numEvents !== undefined && matched >= args.numEvents) {
          done = true;
          break;
        }
      }
      const out = pending.take();
      if (sink && out) {
        await writeOut(sink, out);
      }
      if (done) {
        if (!draining) cap.stop();
        break;
      }
      if (args.verbose && Date.now() - lastReport >= 1000) report(false);
    }
  } catch (e) {
    if (isBrokenPipe(e)) {
      pipeClosed = true;
    } else {
      io.stderr.write(`tdig-capture: ${isErrno(e) ? errnoMessage(e) : (e as Error).message}\n`);
      code = EXIT_DATA;
    }
  }
  try {
    if (sink) await (sink as ScapSink).close();
  } catch (e) {
    if (!isBrokenPipe(e) && code === EXIT_OK) {
      io.stderr.write(`tdig-capture: ${isErrno(e) ? errnoMessage(e) : (e as Error).message}\n`);
      code = EXIT_DATA;
    }
  }
  if (args.stats || args.verbose) report(true);
  cap.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (child && !childExited) child.kill('SIGTERM');
  void stopReason;
  void pipeClosed;
  // -- CMD: the capture's own faults first, then the command's status
  return code === EXIT_OK && child ? childStatus : code;
}

/**
 * The blocks of one driver batch bound for the current file: without a filter a run of the batch itself
 * (no copy); with one, copies of the kept blocks and state-only blocks, in a buffer of their own.
 */
class Pending implements CuttableOutput {
  private out: Buffer | null;
  private pos = 0;
  private start = 0;
  private end = 0;
  /** take() calls so far */
  private taken = 0;
  /** byte ranges of out to leave out (CuttableOutput.cut), and their total */
  private readonly holes: number[] = [];
  private holeBytes = 0;

  position(): number {
    return this.pos;
  }

  generation(): number {
    return this.taken;
  }

  /** (with a filter) leave out [from, to) of the copies gathered since the last take() */
  cut(from: number, to: number): void {
    addHole(this.holes, from, to);
    this.holeBytes += to - from;
  }

  constructor(
    private readonly batch: Buffer,
    copying: boolean,
  ) {
    // a state-only block is at most 4 bytes longer than its driver block, which is at least 40 bytes
    this.out = copying ? Buffer.allocUnsafe(batch.length + (batch.length >> 3) + 64) : null;
  }

  get size(): number {
    return this.out ? this.pos - this.holeBytes : this.end - this.start;
  }

  /** whether blocks are copied (a filter or -U), or the batch's own runs are handed on */
  get copying(): boolean {
    return this.out !== null;
  }

  keep(off: number, len: number): void {
    if (this.out) {
      this.batch.copy(this.out, this.pos, off, off + len);
      this.pos += len;
    } else {
      if (this.end === this.start) this.start = off;
      this.end = off + len;
    }
  }

  /**
   * The block at `off` of the batch (or of `src`, a block of tdig's own that stands in for one of the batch's:
   * receivedFd) as a state-only block; false when the event is too big for a flagged block (left out).
   */
  stateOnly(off: number, src: Buffer = this.batch): boolean {
    const at = this.pos;
    this.pos = writeStateOnly(this.out!, at, src, off);
    return this.pos !== at;
  }

  /** A state-only copy of an event from outside the batch (an enter the filter dropped earlier). */
  extra(ev: EventView): boolean {
    if (ev.len + 6 > MAX_EVENT_BLOCK_BODY) return false;
    const need = eventBlockSize(DF_STATE_ONLY, ev.len, false);
    if (this.out!.length - this.pos < need) {
      const grown = Buffer.allocUnsafe(this.pos + need + this.out!.length);
      this.out!.copy(grown, 0, 0, this.pos);
      this.out = grown;
    }
    this.pos = writeEventBlockInto(this.out!, this.pos, ev.cpu, DF_STATE_ONLY, ev.buf.subarray(ev.off, ev.off + ev.len), false);
    return true;
  }

  /** The bytes gathered since the last take(), or null. */
  take(): Buffer | null {
    this.taken++;
    if (this.out) {
      if (this.pos === 0) return null;
      const n = cutHoles(this.out, this.pos, this.holes);
      this.holeBytes = 0;
      const b = this.out.subarray(0, n);
      this.out = this.out.subarray(this.pos);
      this.pos = 0;
      return n === 0 ? null : b;
    }
    if (this.end === this.start) return null;
    const b = this.batch.subarray(this.start, this.end);
    this.start = this.end;
    return b;
  }
}

async function writeOut(sink: ScapSink, buf: Buffer): Promise<void> {
  if (!sink.write(buf)) await sink.drain();
}

/** The tracked pids and their current descendants (for the process-tree section header). */
function expandTree(roots: ReadonlySet<number>): Set<number> {
  const parent = new Map<number, number>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const st = fs.readFileSync(`/proc/${e}/stat`, 'latin1');
      const rest = st.slice(st.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(e), Number(rest[1]));
    } catch {
      /* gone */
    }
  }
  const out = new Set<number>(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, pp] of parent) {
      if (!out.has(pid) && out.has(pp)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  return out;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  let code: number;
  if (argv.includes('--version')) {
    process.stdout.write(`tdig-capture ${VERSION}\n`);
    process.exitCode = EXIT_OK;
    return;
  }
  try {
    code = await run(argv);
  } catch (e) {
    if (isBrokenPipe(e)) code = EXIT_OK;
    else {
      const known = e instanceof RuntimeError || e instanceof UsageError;
      const msg = known ? e.message : isErrno(e) ? errnoMessage(e) : `internal error: ${e instanceof Error ? e.message : String(e)}`;
      process.stderr.write(msg.startsWith('tdig-capture') ? `${msg}\n` : `tdig-capture: ${msg}\n`);
      code = e instanceof UsageError ? EXIT_USAGE : EXIT_DATA;
    }
  }
  process.exitCode = code;
  // the addon's worker threads and stdin must not keep the process alive
  setImmediate(() => process.exit(code));
}

/** The thread group (process) of a thread id, from /proc/TID/status; undefined when there is no such thread. */
function threadGroupOf(tid: number): number | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${tid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const m = /^Tgid:\s*(\d+)/m.exec(status);
  return m ? Number(m[1]) : tid;
}

/** A command's path as execvp finds it: a name with a '/' as it is, else the first executable of PATH. */
function findCommand(cmd: string): string | undefined {
  const executable = (p: string): boolean => {
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return fs.statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) return executable(cmd) ? cmd : undefined;
  for (const dir of (process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const p = `${dir || '.'}/${cmd}`;
    if (executable(p)) return p;
  }
  return undefined;
}
