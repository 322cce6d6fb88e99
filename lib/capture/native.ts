// The typed boundary to the native capture addon (native/addon.cc) and the BPF object it loads
// (native/tdig.bpf.o). Nothing outside this file touches the addon directly.

import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RuntimeError } from '../cli/errors.js';
import { packageRoot } from '../cli/root.js';

export interface CaptureOptions {
  /** Bytes kept of each data buffer (default 80). */
  snaplen: number;
  /** Bytes per CPU ring buffer: a power of two, at least a page (default 16 MiB). */
  ringBytes?: number;
  /** This process is never captured (default: the current process). */
  selfPid?: number;
  /** Capture only the thread groups added with track() and their descendants. */
  treeFilter?: boolean;
  /** Writes to /dev/null keep up to 4096 bytes whatever the snaplen: sysdig's tracers whole (sysdig -T). */
  tracers?: boolean;
  /** Attach the page-fault tracepoints too (page_fault events, sysdig --page-faults). */
  pageFaults?: boolean;
  /** Leave the scheduler's switch tracepoint unattached (no switch events). */
  noSwitch?: boolean;
}

export interface CpuStats {
  events: number;
  drops: number;
}

/**
 * A running driver. Events are pulled with next(): each batch is a run of complete EV v2 scap blocks
 * (u32 type 0x216, u32 total length, u16 cpu, event, padding, u32 total length), merged across CPUs by
 * timestamp. An empty batch means nothing arrived before the timeout; null means stop() was called and
 * everything has been drained.
 */
export interface NativeCapture {
  /** Enables the programs; returns the boot time in ns since the epoch. */
  start(): number;
  /** Detaches the programs. Events already in the rings can still be drained with next(). */
  stop(): void;
  next(maxBytes: number, timeoutMs: number): Promise<Buffer | null>;
  /** Per-CPU counts of events written and events dropped (ring full). */
  stats(): CpuStats[];
  /** Adds a thread group to the process-tree filter. */
  track(pid: number): void;
  /** How many thread groups the process-tree filter holds (a group leaves it when its last thread exits). */
  tracked(): number;
  /** Frees everything. Not while a next() is pending. */
  close(): void;
}

interface AddonModule {
  Capture: new (objectPath: string, options: CaptureOptions) => NativeCapture;
}

export const NOT_BUILT = 'tdig-capture: native addon not built: run npm run build:native';

/**
 * The event type of tdig's own record in a batch, never written as it is: a descriptor that a recvmsg
 * received (SCM_RIGHTS), with the parameters of an accept exit for it (fd, tuple, queue figures), written by
 * the BPF program right after the recvmsg exit (native/tdig.bpf.c, x_recvmsg). See receivedFd().
 */
export const RECEIVED_FD = 0xfffe;
/** accept's exit with five parameters, PPME_SOCKET_ACCEPT_5_X */
const ACCEPT_5_X = 247;

/**
 * The RECEIVED_FD record at `off` of a batch as a block of its own holding an accept exit: the thread that
 * received a socket over a unix socket then has it in its fd table, named by its connection, as if it had
 * accepted it (libsinsp 0.29.3 knows no descriptor received that way; newer ones look it up in /proc of the
 * live process). Undefined when the descriptor is not a socket (its tuple is empty).
 */
export function receivedFd(batch: Buffer, off: number): Buffer | undefined {
  const len = batch.readUInt32LE(off + 4);
  const ev = off + 10;
  // (lens at 26 after the event's start: fd, then the tuple)
  if (batch.readUInt32LE(ev + 22) !== 5 || batch.readUInt16LE(ev + 28) === 0) return undefined;
  const block = Buffer.from(batch.subarray(off, off + len));
  block.writeUInt16LE(ACCEPT_5_X, 10 + 20);
  return block;
}

export function addonPath(): string {
  return path.join(packageRoot(), 'native', 'build', 'Release', 'tdig.node');
}

export function bpfObjectPath(): string {
  return path.join(packageRoot(), 'native', 'tdig.bpf.o');
}

let cached: AddonModule | null = null;

/** Loads the addon, or throws a RuntimeError with one clear line. */
export function loadAddon(): AddonModule {
  if (cached) return cached;
  const p = addonPath();
  if (!fs.existsSync(p)) throw new RuntimeError(NOT_BUILT);
  const require = createRequire(import.meta.url);
  try {
    cached = require(p) as AddonModule;
  } catch (e) {
    throw new RuntimeError(`${NOT_BUILT} (${(e as Error).message.split('\n')[0]})`);
  }
  return cached;
}

/** Loads, attaches and configures the BPF program (disabled until start()). */
export function openCapture(opts: CaptureOptions): NativeCapture {
  const addon = loadAddon();
  const obj = bpfObjectPath();
  if (!fs.existsSync(obj)) throw new RuntimeError(`tdig-capture: BPF object missing: ${obj} (run npm run build:bpf)`);
  try {
    return new addon.Capture(obj, opts);
  } catch (e) {
    const msg = (e as Error).message;
    const first = msg.split('\n')[0];
    const detail = process.env.TDIG_DEBUG ? `\n${msg}` : '';
    throw new RuntimeError(`tdig-capture: ${first}${detail}`);
  }
}
