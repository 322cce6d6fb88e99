// tdig-fmt on a terminal, as sysdig 0.29.3 prints there: the default format in colour (the process name, its
// pid and the event type; a colour reset at the end), -pp showing that format, and the escapes of -p formats
// (\n, \t, \e, \\). Each case of test/golden/tty/fmt/CASES runs under a pseudo-terminal (util-linux script);
// the bytes the terminal got are compared with sysdig's (tools/mkgolden-tty.sh), and with sysdig run live
// when it is installed. NO_COLOR and --no-color give the plain format, as in a pipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GOLDEN, HAVE_SYSDIG, ROOT, bin, firstDiff, golden } from './helpers.js';

const HAVE_SCRIPT = spawnSync('script', ['--version']).status === 0;
const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

interface Case {
  id: string;
  capture: string;
  args: string[];
}

const cases: Case[] = readFileSync(join(GOLDEN, 'tty', 'fmt', 'CASES'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => {
    const [id, capture, ...args] = l.split('|');
    return { id: id!, capture: join(ROOT, 'test', 'data', `${capture}.scap`), args: args.join('|').split('\t') };
  });

/** argv run on a pseudo-terminal 120 wide (stdin /dev/null, stderr discarded): the bytes the terminal got. */
function onTerminal(argv: string[], env: NodeJS.ProcessEnv = {}): Buffer {
  const e = { ...process.env, ...env };
  if (env['NO_COLOR'] === undefined) delete e['NO_COLOR'];
  const cmd = `stty cols 120 rows 40; ${argv.map(shQuote).join(' ')} 2>/dev/null`;
  return spawnSync('script', ['-qfec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'], env: e, maxBuffer: 1 << 28 }).stdout;
}

const tdigFmt = (c: Case): string[] => [process.execPath, bin('tdig-fmt'), '-r', c.capture, ...c.args];

for (const c of cases) {
  test(`tdig-fmt ${c.args.join(' ')} on a terminal: the bytes sysdig's golden has (${c.id})`, { skip: !HAVE_SCRIPT && 'no script(1)' }, () => {
    const want = gunzipSync(readFileSync(join(GOLDEN, 'tty', 'fmt', `${c.id}.out.gz`))).toString('latin1');
    assert.ok(want.length > 100, 'the golden holds output');
    const got = onTerminal(tdigFmt(c)).toString('latin1');
    assert.ok(got === want, firstDiff(want, got));
    if (HAVE_SYSDIG) {
      const live = onTerminal(['sysdig', '-r', c.capture, ...c.args]).toString('latin1');
      assert.ok(got === live, `live sysdig: ${firstDiff(live, got)}`);
    }
  });
}

test('on a terminal, NO_COLOR and --no-color give the plain default format, as in a pipe', { skip: !HAVE_SCRIPT && 'no script(1)' }, () => {
  const c = cases.find((x) => x.id === 'default')!;
  const plain = golden('fmt/curl_google.text.gz').split('\n').slice(0, 50).join('\n');
  for (const [argv, env] of [[tdigFmt(c), { NO_COLOR: '1' }], [[...tdigFmt(c), '--no-color'], {}]] as const) {
    const got = onTerminal([...argv], env).toString('latin1').replace(/\r\n/g, '\n');
    assert.doesNotMatch(got, /\x1b/);
    assert.ok(got.startsWith(plain), firstDiff(plain, got.split('\n').slice(0, 50).join('\n')));
  }
});

test('-p escapes in a pipe: \\n, \\t, \\e and \\\\, any other backslash kept, and a colour reset at the end', () => {
  const r = spawnSync(process.execPath, [bin('tdig-fmt'), '-n', '212', '-p', '%evt.num\\t%proc.name\\\\\\e[1m\\q\\n', join(ROOT, 'test', 'data', 'curl_google.scap')], { encoding: 'latin1' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '211\tcurl\\\x1b[1m\\q\n\n212\tcurl\\\x1b[1m\\q\n\n\x1b[00m');
  if (HAVE_SYSDIG) {
    const s = spawnSync('sysdig', ['-r', join(ROOT, 'test', 'data', 'curl_google.scap'), '-n', '212', '-p', '%evt.num\\t%proc.name\\\\\\e[1m\\q\\n'], { encoding: 'latin1' });
    assert.equal(r.stdout, s.stdout);
  }
});

test('scap is not written to a terminal: tdig-filter, tdig-fmt --to scap and tdig-capture refuse it in one line (exit 2); NDJSON and text are written', { skip: !HAVE_SCRIPT && 'util-linux script missing' }, () => {
  const cap = join(ROOT, 'test', 'data', 'synth.scap');
  /** argv on a pseudo-terminal, stdout and stderr both to it, then its exit status */
  const run = (argv: string[]): string => {
    const cmd = `${argv.map(shQuote).join(' ')}; echo "exit $?"`;
    return spawnSync('script', ['-qfec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] }).stdout.toString('latin1').replace(/\r/g, '');
  };
  const refusal = (name: string): string => `${name}: standard output is a terminal, and scap is binary: write it to a file (-w FILE) or a pipe (| tdig-fmt)\nexit 2\n`;
  assert.equal(run([process.execPath, bin('tdig-filter'), 'evt.type=socket', cap]), refusal('tdig-filter'));
  assert.equal(run([process.execPath, bin('tdig-filter'), '-z', 'evt.type=socket', cap]), refusal('tdig-filter'));
  assert.equal(run([process.execPath, bin('tdig-fmt'), '--to', 'scap', cap]), refusal('tdig-fmt'));
  assert.equal(run([process.execPath, bin('tdig-capture'), '-M', '1']), refusal('tdig-capture'));
  // text formats are for terminals
  assert.match(run([process.execPath, bin('tdig-filter'), '--ndjson', 'evt.type=socket', cap]), /^\{"block":"section".*\nexit 0\n$/s);
  assert.match(run([process.execPath, bin('tdig-fmt'), '--no-color', cap]), /^1 .* socket .*\nexit 0\n$/s);
});
