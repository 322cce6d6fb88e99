// glob and iglob (lib/fields/glob.ts): glibc fnmatch's syntax in the C locale, in time linear in the value
// times the pattern. The differential filter test holds sysdig's own answers for these patterns on the
// captures (test/filter-exprs.ts); these are the cases that need no capture.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Glob } from '../lib/fields/glob.js';

const g = (p: string, v: string, icase = false): boolean => new Glob(p, icase).test(v);

test('stars, question marks and escapes; / and a leading . are ordinary', () => {
  assert.equal(g('*', ''), true);
  assert.equal(g('', ''), true);
  assert.equal(g('', 'a'), false);
  assert.equal(g('/etc/*', '/etc/a/b'), true);
  assert.equal(g('*.conf', '.conf'), true);
  assert.equal(g('a?c', 'a/c'), true);
  assert.equal(g('a\\*c', 'a*c'), true);
  assert.equal(g('a\\*c', 'abc'), false);
  assert.equal(g('a\\', 'a\\'), false);
  assert.equal(g('a**b', 'ab'), true);
});

test('brackets: negation, ranges, classes, a leading ], an unterminated [', () => {
  assert.equal(g('[!a]b', 'xb'), true);
  assert.equal(g('[^a]b', 'ab'), false);
  assert.equal(g('[]a]', ']'), true);
  assert.equal(g('[!]a]', 'b'), true);
  assert.equal(g('[a-]', '-'), true);
  assert.equal(g('[z-a]', 'm'), false);
  assert.equal(g('[[:alpha:]][[:digit:]]', 'x7'), true);
  assert.equal(g('[[:upper:]]', 'x'), false);
  assert.equal(g('[[:foo:]a]', 'a'), false);
  assert.equal(g('[a[:foo:]]', 'a'), true);
  assert.equal(g('[\\]]', ']'), true);
  assert.equal(g('[a', '[a'), true);
  assert.equal(g('[a', 'a'), false);
  assert.equal(g('[[a', '[a'), false);
  assert.equal(g('[a-', 'a'), false);
});

test('iglob folds ASCII letters only', () => {
  assert.equal(g('CURL', 'curl', true), true);
  assert.equal(g('[A-C]url', 'curl', true), true);
  assert.equal(g('\xc9', '\xe9', true), false);
  assert.equal(g('CURL', 'curl'), false);
});

test('many stars: no time blow-up on long values', () => {
  const a = 'a'.repeat(5000);
  assert.equal(g('*a'.repeat(30) + 'b', a), false);
  assert.equal(g('*a'.repeat(30), a), true);
  assert.equal(g('*/'.repeat(20) + 'x', '/'.repeat(4000)), false);
});

test("agrees with glibc's own fnmatch on random patterns (python3's ctypes calls it)", (t) => {
  const py = spawnSync('python3', ['-c', 'import ctypes'], { encoding: 'utf8' });
  if (py.status !== 0) {
    t.skip('python3 with ctypes is not installed');
    return;
  }
  let seed = 99;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  // pattern pieces, each with a text that it matches (a few of them match nothing, or not what they seem)
  const pieces: [string, string][] = [
    ['a', 'a'], ['b', 'b'], ['A', 'A'], ['/', '/'], ['.', '.'], ['*', ''], ['*', 'ab'], ['?', 'x'],
    ['[ab]', 'b'], ['[!a]', 'c'], ['[^a]', 'a'], ['[a-c]', 'B'], ['[]a]', ']'], ['[!]]', 'q'], ['[a-]', '-'],
    ['[z-a]', 'm'], ['[[:alpha:]]', 'Q'], ['[[:digit:]]', '7'], ['[[:upper:]]', 'u'], ['[[:foo:]a]', 'a'],
    ['[a[:foo:]]', 'a'], ['[\\]]', ']'], ['\\*', '*'], ['\\', ''], ['[', '['], ['[a', '[a'], ['[[a]', '['],
    [']', ']'], ['!', '!'], ['-', '-'], [':', ':'], ['[a-', 'a'], ['[[:alpha:', 'a'], ['[:a:]', ':'],
  ];
  const cases: [string, string, number][] = [];
  for (let k = 0; k < 6000; k++) {
    let p = '';
    let v = '';
    for (let i = 0, n = 1 + rnd(5); i < n; i++) {
      const [pp, vv] = pieces[rnd(pieces.length)]!;
      p += pp;
      v += rnd(6) === 0 ? 'abAB[]-!:1./\\'[rnd(13)]! : vv;
    }
    cases.push([p, v, rnd(3) === 0 ? 1 : 0]);
  }
  const script = [
    'import ctypes, json, sys',
    "libc = ctypes.CDLL('libc.so.6')",
    'cases = json.load(sys.stdin)',
    "print(''.join('1' if libc.fnmatch(p.encode('latin1'), v.encode('latin1'), 16 if ic else 0) == 0 else '0' for p, v, ic in cases))",
  ].join('\n');
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const want = r.stdout.trim();
  assert.equal(want.length, cases.length);
  let matched = 0;
  cases.forEach(([p, v, ic], k) => {
    const got = new Glob(p, ic === 1).test(v);
    if (got) matched++;
    assert.equal(got ? '1' : '0', want[k], `${JSON.stringify(p)} on ${JSON.stringify(v)}${ic ? ' (iglob)' : ''}`);
  });
  assert.ok(matched > 1000, `only ${matched} matches`);
  t.diagnostic(`${matched} of ${cases.length} match`);
});

test('characters beyond a byte (a field argument typed by the user) are ordinary characters', () => {
  assert.equal(g('/data/\u4e2d[ab]*', '/data/\u4e2dbx'), true);
  assert.equal(g('\u4e2d', '\u4e2e'), false);
  assert.equal(g('[!a]', '\u4e2d'), false);
});

test('hostile patterns compile and match quickly: thousands of unterminated or odd brackets', () => {
  assert.equal(g('['.repeat(3000), '['.repeat(3000)), true);
  assert.equal(g('['.repeat(3000) + 'x', '['.repeat(3000)), false);
  assert.equal(g('[a[:foo:]'.repeat(2000), 'a'), false);
  assert.equal(g('[!'.repeat(3000), 'x'), false);
  assert.equal(g('[a-z]'.repeat(3000), 'q'.repeat(3000)), true);
});
