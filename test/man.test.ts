// Every example in man/tdig-fmt.1 that reads a capture fixture runs here, and the steps of tdig(7)'s audit (jq's habit: the manual is a test suite).
// An example is one .EX/.EE block; its lines run as one bash script (pipefail) in a scratch directory that holds
// links to the fixtures and a `tdig-fmt` on PATH. It must exit 0 and print something.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = process.env.TDIG_FIXTURES ?? '/work/shared/fixtures';

/** The repository root: the nearest directory above this file with a package.json (works from dist/ too). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

/** roff to plain text, for the escapes the examples use. */
function unroff(line: string): string {
  return line.replace(/\\-/g, '-').replace(/\\e/g, '\\').replace(/\\\(aq/g, "'").replace(/\\&/g, '');
}

/** The .EX/.EE blocks of a man page, each as its lines of text. */
export function examples(roff: string): string[][] {
  const out: string[][] = [];
  let cur: string[] | null = null;
  for (const raw of roff.split('\n')) {
    if (raw.startsWith('.EX')) cur = [];
    else if (raw.startsWith('.EE')) {
      if (cur) out.push(cur);
      cur = null;
    } else if (cur && !raw.startsWith('.')) cur.push(unroff(raw));
  }
  return out;
}

const root = repoRoot();
const page = fs.readFileSync(path.join(root, 'man', 'tdig-fmt.1'), 'utf8');
const fixtureNames = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.scap')) : [];
const runnable = examples(page).filter(
  (lines) => lines.some((l) => l.includes('tdig-fmt')) &&
    lines.some((l) => fixtureNames.some((f) => new RegExp(`(^|[\\s<(])${f.replace('.', '\\.')}\\b`).test(l))),
);
const hasJq = spawnSync('jq', ['--version']).status === 0;

/** A scratch directory holding `links` (name -> capture) and, in bin/, the commands `cmds` as shell shims. */
function scratch(links: Record<string, string>, cmds: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tdig-man-'));
  for (const [name, target] of Object.entries(links)) fs.symlinkSync(target, path.join(dir, name));
  fs.mkdirSync(path.join(dir, 'bin'));
  for (const cmd of cmds) {
    const shim = path.join(dir, 'bin', cmd);
    fs.writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${path.join(root, 'bin', `${cmd}.js`)}" "$@"\n`);
    fs.chmodSync(shim, 0o755);
  }
  return dir;
}

/** Runs an example as a bash script (pipefail) in `dir`, with dir/bin first on PATH: it must exit 0, print
 * something and nothing on stderr. Returns its output (latin1). */
function runExample(script: string, dir: string): string {
  const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
    cwd: dir,
    env: { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH ?? ''}` },
    encoding: 'latin1',
    maxBuffer: 64 << 20,
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `exit ${r.status}\n${script}\nstderr: ${r.stderr}`);
  assert.ok(r.stdout.trim().length > 0, `no output from\n${script}`);
  assert.equal(r.stderr, '', `stderr from\n${script}: ${r.stderr}`);
  return r.stdout;
}

test('man/tdig-fmt.1 has runnable examples that read the fixtures', { skip: fixtureNames.length === 0 && 'no fixtures' }, () => {
  assert.ok(runnable.length >= 8, `only ${runnable.length} runnable examples found`);
});

for (const lines of runnable) {
  const script = lines.join('\n');
  const needsJq = /\bjq\b/.test(script);
  test(`man example exits 0 with output: ${lines[0]}`, { skip: needsJq && !hasJq && 'jq not installed' }, () => {
    const dir = scratch(Object.fromEntries(fixtureNames.map((f) => [f, path.join(FIXTURES, f)])), ['tdig-fmt']);
    try {
      runExample(script, dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

// tdig(7)'s audit, step by step: each example that reads web.scap runs on a capture of Apache answering
// login posts (test/captures/apache_ab.scap: the port and client port in the examples are its), with the five
// commands on PATH. The recording step (tdig-capture) is left out: test/seed-scenario.test.ts records one.
const audit = examples(fs.readFileSync(path.join(root, 'man', 'tdig.7'), 'utf8')).filter(
  (lines) => lines.some((l) => /\bweb\.scap(\s|$)/.test(l)) && !lines.some((l) => l.includes('tdig-capture')),
);
const WEB = path.join(root, 'test', 'captures', 'apache_ab.scap');

test("man/tdig.7's audit has its steps", () => {
  assert.ok(audit.length >= 5, `only ${audit.length} audit examples found`);
});

for (const lines of audit) {
  const script = lines.join('\n');
  test(`tdig(7) audit step exits 0 with output: ${lines[0]}`, () => {
    const dir = scratch({ 'web.scap': WEB }, ['tdig-fmt', 'tdig-filter', 'tdig-agg', 'tdig-echo']);
    try {
      const out = runExample(script, dir);
      // what each step is there to show, on this capture
      if (script.includes('topprocs_net')) assert.match(out, /\n[\d.]+KB +ab +\d+/);
      if (script.includes('by fd.cip')) assert.match(out, /\n35\.74KB +127\.0\.0\.1\n/);
      if (script.includes('fd.cport=39170')) assert.match(out, /POST \/login\.php HTTP\/1\.0/);
      if (script.includes('contains pass')) assert.match(out, /login=alice&pass=s3cret/);
      if (script.includes('evidence.scap.gz')) {
        assert.match(out, / apache2 \(\d+\) [<>] /);
        assert.equal(fs.statSync(path.join(dir, 'evidence.scap.gz')).mode & 0o777, 0o600);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
