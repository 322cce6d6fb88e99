// What the end-to-end scenarios share (a real server started by the test, recorded by tdig-capture):
// their skip reasons, waiting for a port, a live capture with a filter, and running a command on its file.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { addonPath } from '../lib/capture/native.js';
import { ROOT, firstDiff, sleep, sysdig, tdig } from './helpers.js';
import { compareChisel } from './chisel-helpers.js';

/** Why a live capture cannot run here, or undefined when it can. */
export function captureSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (eBPF capture)';
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) return 'no kernel BTF (BPF capture unavailable)';
  if (!fs.existsSync(addonPath())) return 'native addon not built (npm run build:native)';
  return undefined;
}

/** Whether something accepts connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(port, host);
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });
}

/** Waits until `cond` holds; throws `what()` (a server's log, say) after `ms`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: () => string, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what()}`);
    await sleep(50);
  }
}

export interface LiveCapture {
  /** Ends the capture (SIGINT) and checks that tdig-capture exited 0. */
  stop(): Promise<void>;
  /** Ends it without a check (cleanup after a failure). */
  kill(): void;
}

/**
 * Starts tdig-capture -s SNAPLEN -w FILE FILTER and returns once its header is on disk and it has run a
 * little, so that what the test does next is recorded.
 */
export async function startCapture(file: string, filter: string, snaplen: number): Promise<LiveCapture> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tdig-capture.js'), '-s', String(snaplen), '-w', file, filter], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitFor(() => fs.existsSync(file) && fs.statSync(file).size > 0, () => `the capture header: ${err}`);
  } catch (e) {
    child.kill('SIGINT');
    throw e;
  }
  await sleep(300);
  let stopped = false;
  return {
    async stop() {
      // what the test's last commands did reaches the ring buffer's reader first
      await sleep(500);
      stopped = true;
      child.kill('SIGINT');
      assert.equal(await done, 0, err);
    },
    kill() {
      if (!stopped) child.kill('SIGINT');
      stopped = true;
    },
  };
}

/** Stops a server the test started in the foreground (SIGTERM) and waits for it to exit. */
export async function stopServer(server: ChildProcess | undefined): Promise<void> {
  if (server === undefined || server.exitCode !== null || server.signalCode !== null) return;
  const gone = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  await gone;
}

/** A tdig command that must succeed; its standard output as latin1 text. */
export function run(cmd: string, args: string[]): string {
  const r = tdig(cmd, args);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout.toString('latin1');
}

/** tdig-agg --json ARGS as a map of each row's KEY column to its VALUE column (a number). */
export function aggSums(args: string[], key: string, value: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of run('tdig-agg', ['--json', ...args]).split('\n')) {
    if (l === '') continue;
    const r = JSON.parse(l) as Record<string, string | number>;
    m.set(String(r[key]), Number(r[value]));
  }
  return m;
}

/** tdig-fmt prints what sysdig prints on the capture, byte for byte. */
export function assertFmtLikeSysdig(cap: string): void {
  const want = sysdig(['-r', cap]);
  const got = run('tdig-fmt', [cap]);
  assert.ok(got === want, firstDiff(want, got));
}

/** Each table chisel run (its name, then its filter if any) prints what sysdig prints on the capture (ties as sets). */
export function assertTablesLikeSysdig(cap: string, runs: string[][]): void {
  for (const args of runs) {
    assert.equal(compareChisel(sysdig(['-r', cap, '-c', ...args]), run('tdig-agg', [...args, cap]), { top: 30 }), undefined, args.join(' '));
  }
}

/** How many times `sub` occurs in `s`. */
export const count = (s: string, sub: string): number => s.split(sub).length - 1;
