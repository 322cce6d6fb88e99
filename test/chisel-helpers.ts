// Shared by the chisel tests: the parity cases (test/golden/chisels/CASES), running a case with tdig,
// and the comparison that allows what sysdig leaves unspecified: the order of tied table rows.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { GOLDEN, ROOT, golden } from './helpers.js';

export interface ChiselCase {
  id: string;
  captures: string;
  flags: string[];
  chisel: string;
  args: string;
  filter: string;
}

export const CAPTURES = [
  'test/data/curl_google.scap', 'test/data/single_ipv6_conn.scap', 'test/data/test_ipv6_client.scap',
  'test/data/synth.scap', 'test/data/synth3.scap', 'test/captures/loopback_workload.scap', 'test/captures/unix_threads.scap', 'test/captures/mixed_calls.scap', 'test/captures/file_ops.scap', 'test/captures/creds.scap', 'test/captures/tracers.scap',
  'test/captures/apache_ab.scap', 'test/captures/path_quirks.scap', 'test/captures/page_faults.scap', 'test/captures/net_variety.scap',
  'test/captures/containers_json.scap', 'test/captures/udp4.scap',
].map((p) => join(ROOT, p)).filter((p) => existsSync(p));

/** The captures of log writes (test/captures/logs): only the spy_logs and spy_syslog cases have goldens there. */
export const LOG_CAPTURES = ['test/captures/logs/log_writes.scap', 'test/captures/logs/log_writes_even.scap']
  .map((p) => join(ROOT, p)).filter((p) => existsSync(p));

export function chiselCases(): ChiselCase[] {
  const out: ChiselCase[] = [];
  for (const line of readFileSync(join(GOLDEN, 'chisels', 'CASES'), 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [id, captures, flags, chisel, args, filter] = line.split('|').map((s) => s.trim());
    out.push({ id: id!, captures: captures!, flags: flags ? flags.split(/\s+/) : [], chisel: chisel!, args: args ?? '', filter: filter ?? '' });
  }
  return out;
}

export function captureName(path: string): string {
  return basename(path, '.scap');
}

export function appliesTo(c: ChiselCase, capture: string): boolean {
  return c.captures === '*' || c.captures.split(',').includes(captureName(capture));
}

/** The command line words after the capture: flags, chisel, args, filter (as sysdig gets them after -r FILE). */
export function caseWords(c: ChiselCase): string[] {
  // (several chisels: the others are -c words among the flags, and this one is named with -c too)
  const w = c.flags.includes('-c') ? [...c.flags, '-c', c.chisel] : [...c.flags, c.chisel];
  if (c.args !== '') w.push(c.args);
  if (c.filter !== '') w.push(c.filter);
  return w;
}

/** sysdig's words after -r CAPTURE for a case. */
export function sysdigWords(c: ChiselCase): string[] {
  const w = [...c.flags, '-c', c.chisel];
  if (c.args !== '') w.push(c.args);
  if (c.filter !== '') w.push(c.filter);
  return w;
}

export const ECHO = new Set(['echo_fds', 'spy_ip', 'spy_port', 'spy_file', 'stdin', 'stdout', 'stderr', 'httplog', 'spy_users']);

/** tdig-echo chisels whose colours follow the terminal (sysdig.is_tty): run without --color, as sysdig into a pipe */
export const ECHO_PIPE = new Set(['spy_logs', 'spy_syslog']);

/** tdig-agg chisels that print sysdig's colours */
export const COLORED = new Set(['proc_exec_time', 'fileslower', 'netlower', 'scallslower']);

/** tdig's command line for a case: colours forced on (sysdig prints them into a pipe). */
export function tdigArgs(c: ChiselCase, capture: string): { cmd: string; args: string[] } {
  const echo = ECHO.has(c.chisel);
  return { cmd: echo || ECHO_PIPE.has(c.chisel) ? 'tdig-echo' : 'tdig-agg', args: [...(echo || COLORED.has(c.chisel) ? ['--color'] : []), ...caseWords(c), capture] };
}

export function goldenOf(c: ChiselCase, capture: string): string | undefined {
  const rel = join('chisels', captureName(capture), `${c.id}.out.gz`);
  return existsSync(join(GOLDEN, rel)) ? golden(rel) : undefined;
}

/** Tables: the header (2 lines) exact; rows as runs of equal value text, each run compared as a set. */
function tableRuns(text: string, tab: boolean): { head: string[]; runs: { value: string; keys: string[] }[] } {
  const lines = text.split('\n');
  const head = tab ? [] : lines.slice(0, 2);
  const runs: { value: string; keys: string[] }[] = [];
  for (const l of lines.slice(tab ? 0 : 2)) {
    if (l === '') continue;
    const value = tab ? l.slice(l.lastIndexOf('\t')) : l.slice(0, 20);
    const key = tab ? l.slice(0, l.lastIndexOf('\t')) : l.slice(20);
    const last = runs[runs.length - 1];
    if (last && last.value === value) last.keys.push(key);
    else runs.push({ value, keys: [key] });
  }
  return { head, runs };
}

export function isTable(text: string): boolean {
  const l = text.split('\n');
  return l.length > 2 && l[1] === '-'.repeat(80);
}

/**
 * Compare tdig's output with sysdig's. Byte-identical, except table rows with the same value, which
 * sysdig orders arbitrarily: compared as sets. The last run of a table cut at top-N may hold different
 * members of a larger tie: then tdig's members must be among `full` (every key with that value), or,
 * without `full`, the table must have exactly `top` rows.
 * Returns undefined when equal, else a description of the first difference.
 */
export function compareChisel(expected: string, actual: string, opts: { tab?: boolean; full?: Map<string, Set<string>>; top?: number } = {}): string | undefined {
  if (expected === actual) return undefined;
  const tab = opts.tab === true;
  if (!tab && !isTable(expected)) return firstLineDiff(expected, actual);
  const e = tableRuns(expected, tab);
  const a = tableRuns(actual, tab);
  if (e.head.join('\n') !== a.head.join('\n')) return `header differs: ${JSON.stringify(a.head)} vs ${JSON.stringify(e.head)}`;
  if (e.runs.length !== a.runs.length) return `row groups: ${a.runs.length} vs ${e.runs.length}\n${firstLineDiff(expected, actual)}`;
  for (let i = 0; i < e.runs.length; i++) {
    const x = e.runs[i]!;
    const y = a.runs[i]!;
    if (x.value !== y.value || x.keys.length !== y.keys.length) return `group ${i}: "${y.value}" x${y.keys.length} vs "${x.value}" x${x.keys.length}`;
    const xs = [...x.keys].sort().join('\n');
    const ys = [...y.keys].sort().join('\n');
    if (xs === ys) continue;
    const full = opts.full?.get(x.value);
    if (i === e.runs.length - 1 && full && y.keys.every((k) => full.has(k))) continue;
    // no complete table to check against: a last run cut at top-N may hold any members of the tie
    const rows = e.runs.reduce((n, r) => n + r.keys.length, 0);
    if (i === e.runs.length - 1 && !full && opts.top !== undefined && rows === opts.top) continue;
    return `group "${x.value}" members differ:\n  tdig:   ${y.keys.join(' | ')}\n  sysdig: ${x.keys.join(' | ')}`;
  }
  return undefined;
}

/** Every key per value text of a complete (top 0) table. */
export function fullGroups(text: string): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const r of tableRuns(text, false).runs) {
    let s = m.get(r.value);
    if (!s) m.set(r.value, (s = new Set()));
    for (const k of r.keys) s.add(k);
  }
  return m;
}

function firstLineDiff(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}:\n  sysdig: ${JSON.stringify(x[i])}\n  tdig:   ${JSON.stringify(y[i])}`;
  }
  return 'identical lines, different bytes';
}

/** For a table chisel cut at top-N, the golden of the complete table with the same spec. */
export const FULL_OF: Record<string, string> = {
  topfiles_bytes: 'full-files', 'topfiles_bytes-f': 'full-files-f', topscalls: 'full-scalls', 'topscalls-f': 'full-scalls-f',
  topprocs_errors: 'full-errors', 'fdbytes_by-multi': 'full-multi',
  'topfiles_bytes-pc': 'full-files-pc', 'topscalls-pc': 'full-scalls-pc', 'topprocs_errors-pc': 'full-errors-pc',
};

/** Rows each table chisel prints at most (its TOP_NUMBER). */
export const TOP_OF: Record<string, number> = {
  topconns: 30, topprocs_net: 100, topports_server: 100, topscalls: 30, topfiles_bytes: 10, topprocs_file: 10, fdbytes_by: 30,
  topfiles_time: 10, topfiles_errors: 100, topprocs_errors: 100, topprocs_cpu: 10, topscalls_time: 30, fdtime_by: 10, httptop: 30,
  topcontainers_file: 10, topcontainers_net: 100, topcontainers_error: 100, topcontainers_cpu: 10,
};
