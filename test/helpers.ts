// Shared test helpers: paths, running the commands, reading golden files.
import { execFileSync, spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** the project root (dist/test/ is two levels below it) */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = resolve(ROOT, '..', 'shared');
/** ../shared when the checkout has it; else the copies in test/data (same files) */
const LOCAL = join(ROOT, 'test', 'data');
export const FIXTURES = existsSync(join(SHARED, 'fixtures')) ? join(SHARED, 'fixtures') : LOCAL;
export const VECTORS = existsSync(join(SHARED, 'reference', 'vectors')) ? join(SHARED, 'reference', 'vectors') : LOCAL;
export const GOLDEN = join(ROOT, 'test', 'golden');

/** Captures the parity tests cover: the fixtures sysdig 0.29.3 reads, the vectors, test/captures and its log capture. */
export function parityCaptures(): string[] {
  const out = ['curl_google', 'single_ipv6_conn', 'test_ipv6_client'].map((n) => join(FIXTURES, `${n}.scap`));
  out.push(join(VECTORS, 'synth.scap'), join(VECTORS, 'synth3.scap'));
  const own = join(ROOT, 'test', 'captures');
  if (existsSync(own)) for (const f of readdirSync(own).sort()) if (f.endsWith('.scap')) out.push(join(own, f));
  // writes to log files and to a syslog socket (made for the around tests)
  out.push(join(own, 'logs', 'log_writes.scap'));
  return out.filter((f) => existsSync(f));
}

export function bin(name: string): string {
  return join(ROOT, 'bin', `${name}.js`);
}

/** Run a tdig command; stdout as latin1 text (bytes preserved). */
export function tdig(name: string, args: string[], input?: Buffer): SpawnSyncReturns<Buffer> {
  return spawnSync(process.execPath, [bin(name), ...args], { input, maxBuffer: 1 << 30 });
}

export function tdigText(name: string, args: string[], input?: Buffer): string {
  const r = tdig(name, args, input);
  if (r.status !== 0) throw new Error(`${name} ${args.join(' ')} exited ${r.status}: ${r.stderr.toString()}`);
  return r.stdout.toString('latin1');
}

export function golden(rel: string): string {
  const p = join(GOLDEN, rel);
  const b = readFileSync(p);
  return (p.endsWith('.gz') ? gunzipSync(b) : b).toString('latin1');
}

export const HAVE_SYSDIG = spawnSync('sysdig', ['--version']).status === 0;

/**
 * sysdig's output for args. It runs in the temporary directory, its input named by absolute path: its httplog
 * chisel leaves a file called "nul" in the directory it runs in (lib/chisels/http.ts).
 */
export function sysdig(args: string[]): string {
  const abs = args.map((a, i) => (i > 0 && args[i - 1] === '-r' ? resolve(a) : a));
  return execFileSync('sysdig', abs, { cwd: tmpdir(), maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString('latin1');
}

/** First differing line, for readable assertion messages. */
export function firstDiff(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}:\n  expected: ${x[i]}\n  actual:   ${y[i]}`;
  }
  return 'identical';
}

export const sleep = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms));

/** A TCP port on 127.0.0.1 that nothing listens on (for a server a test starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}
