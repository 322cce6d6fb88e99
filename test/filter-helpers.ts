// Shared by the filter tests: the captures, running the binaries, and the in-process selection.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resetTracerTracking } from '../lib/state/tracer.js';
import { StateEngine } from '../lib/state/engine.js';
import { readBlocks } from '../lib/scap/reader.js';
import { openInput } from '../lib/scap/input.js';
import { EC, eventInfo } from '../lib/events/table.js';
import { compileFilter, filterEvent, FilterVerdict } from '../lib/filter/index.js';

function findRepo(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
}

export const REPO = findRepo();
export const BIN = (name: string): string => join(REPO, 'bin', `${name}.js`);

export interface Capture {
  name: string;
  path: string;
  /** sysdig 0.29.3 can read it (golden files come from sysdig) */
  sysdigReads: boolean;
  /** golden files to use instead of its own (same events, different header) */
  goldenOf?: string;
}

export const CAPTURES: Capture[] = [
  { name: 'curl_google', path: join(REPO, 'test/data/curl_google.scap'), sysdigReads: true },
  { name: 'curl_google_comments', path: join(REPO, 'test/data/curl_google_comments.scap'), sysdigReads: false, goldenOf: 'curl_google' },
  { name: 'single_ipv6_conn', path: join(REPO, 'test/data/single_ipv6_conn.scap'), sysdigReads: true },
  { name: 'test_ipv6_client', path: join(REPO, 'test/data/test_ipv6_client.scap'), sysdigReads: true },
  { name: 'synth', path: join(REPO, 'test/data/synth.scap'), sysdigReads: true },
  { name: 'synth3', path: join(REPO, 'test/data/synth3.scap'), sysdigReads: true },
  { name: 'loopback_workload', path: join(REPO, 'test/captures/loopback_workload.scap'), sysdigReads: true },
  { name: 'unix_threads', path: join(REPO, 'test/captures/unix_threads.scap'), sysdigReads: true },
  { name: 'mixed_calls', path: join(REPO, 'test/captures/mixed_calls.scap'), sysdigReads: true },
  { name: 'file_ops', path: join(REPO, 'test/captures/file_ops.scap'), sysdigReads: true },
  { name: 'creds', path: join(REPO, 'test/captures/creds.scap'), sysdigReads: true },
  { name: 'apache_ab', path: join(REPO, 'test/captures/apache_ab.scap'), sysdigReads: true },
  { name: 'tracers', path: join(REPO, 'test/captures/tracers.scap'), sysdigReads: true },
  { name: 'page_faults', path: join(REPO, 'test/captures/page_faults.scap'), sysdigReads: true },
  { name: 'fd_kinds', path: join(REPO, 'test/captures/fd_kinds.scap'), sysdigReads: true },
  { name: 'net_variety', path: join(REPO, 'test/captures/net_variety.scap'), sysdigReads: true },
  { name: 'containers_json', path: join(REPO, 'test/captures/containers_json.scap'), sysdigReads: true },
  { name: 'udp4', path: join(REPO, 'test/captures/udp4.scap'), sysdigReads: true },
];

export function golden(c: Capture, prefix = ''): Record<string, string> {
  return JSON.parse(readFileSync(join(REPO, 'test/golden/filter', `${prefix}${c.goldenOf ?? c.name}.json`), 'utf8')) as Record<string, string>;
}

export function haveSysdig(): boolean {
  const r = spawnSync('sysdig', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

export function run(cmd: string, args: string[], input?: Buffer): SpawnSyncReturns<Buffer> {
  return spawnSync(cmd, args, { input, maxBuffer: 1 << 28 });
}

/** `tdig-filter EXPR CAP [extra] | tdig-fmt [fmtArgs]` */
export function filterThenFmt(expr: string, cap: string, fmtArgs: string[] = [], filterArgs: string[] = []): { status: number | null; out: string; err: string } {
  const f = run(process.execPath, [BIN('tdig-filter'), ...filterArgs, expr, cap]);
  if (f.status !== 0) return { status: f.status, out: '', err: f.stderr.toString() };
  const p = run(process.execPath, [BIN('tdig-fmt'), ...fmtArgs], f.stdout);
  return { status: p.status, out: p.stdout.toString('latin1'), err: p.stderr.toString() };
}

/**
 * The event numbers tdig-filter keeps and tdig-fmt shows, computed in process with the same code
 * (filterEvent) the command runs: kept, not state-only, not internal, not hidden (a tracer fd's write enter).
 */
export async function selectInProcess(expr: string, cap: string): Promise<string> {
  // (span fields turn the tracking of spans on for the process, as for sysdig's run: one filter a run here)
  resetTracerTracking();
  const f = compileFilter(expr);
  const engine = new StateEngine();
  const out: number[] = [];
  await readBlocks(openInput(cap), {
    header: (b) => engine.header(b),
    event: (ev) => {
      if (filterEvent(engine, ev, f.test) === FilterVerdict.Keep && (ev.flags & 1) === 0 && (engine.info.category & EC.INTERNAL) === 0 && engine.hidden === false) out.push(ev.num);
    },
  }, { tableNparams: (t) => eventInfo(t)?.params.length ?? 0 });
  return out.join(' ');
}

/** Event numbers as runs: "211-215 300 302-303". */
export function runs(list: string): string {
  if (list === '' || list === 'error') return list;
  const n = list.split(' ').map(Number);
  const out: string[] = [];
  for (let i = 0; i < n.length; ) {
    let j = i;
    while (j + 1 < n.length && n[j + 1] === n[j]! + 1) j++;
    out.push(j > i ? `${n[i]}-${n[j]}` : `${n[i]}`);
    i = j + 1;
  }
  return out.join(' ');
}
