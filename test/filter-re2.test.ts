// The regex operator's matcher (lib/filter/re2.ts): RE2::POSIX syntax and errors, whole-value matches,
// UTF-8 runes over byte strings, linear time; and its use by the filter compiler.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Re2, RegexError } from '../lib/filter/re2.js';
import { compileFilter, FilterError } from '../lib/filter/index.js';

const m = (p: string, v: string): boolean => new Re2(p).test(v);

function refused(p: string): string {
  try {
    new Re2(p);
  } catch (e) {
    assert.ok(e instanceof RegexError, `${p}: ${String(e)}`);
    return e.message;
  }
  assert.fail(`${p} was accepted`);
}

test('the whole value must match (libs filter_compiler.ut.cpp filter_regex_operator_evaluation)', () => {
  assert.equal(m('^[s]{1}ysca[l]{2}$', 'syscall'), true);
  assert.equal(m('yscal.*', 'syscall'), false);
  assert.equal(m('.*yscal', 'syscall'), false);
  assert.equal(m('syscal.*', 'syscall'), true);
  assert.equal(m('^unknown$', 'syscall'), false);
  assert.equal(m('^[A-Z]+$', 'SYSCALL'), true);
  assert.equal(m('', ''), true);
  assert.equal(m('', 'a'), false);
  assert.equal(m('a|', ''), true);
  assert.equal(m('()', ''), true);
});

test('POSIX syntax: ^ and $ match at lines, . skips \\n, a negated class takes it', () => {
  assert.equal(m('a.b', 'a\nb'), false);
  assert.equal(m('a[^x]b', 'a\nb'), true);
  assert.equal(m('a$\n^b', 'a\nb'), true);
  assert.equal(m('a\\n^b$', 'a\nb'), true);
  assert.equal(m('^a$', 'a\n'), false);
  assert.equal(m('.*$\n', 'abc\n'), true);
  assert.equal(m('x^y', 'xy'), false);
  assert.equal(m('^*a', 'a'), true);
});

test('classes, escapes and counted repetitions', () => {
  assert.equal(m('[[:alpha:]]+[[:digit:]]*', 'curl7'), true);
  assert.equal(m('[[:^digit:]]', '7'), false);
  assert.equal(m('[[:word:]]+', 'a_1'), true);
  assert.equal(m('[]a]+', ']a]'), true);
  assert.equal(m('[^]a]', 'b'), true);
  assert.equal(m('[a-]+', 'a-a'), true);
  assert.equal(m('[a\\]]+', 'a]'), true);
  assert.equal(m('\\x41\\x{42}\\103', 'ABC'), true);
  assert.equal(m('\\.\\*\\_', '.*_'), true);
  assert.equal(m('\\t\\r\\f\\v\\a', '\t\r\f\v\x07'), true);
  assert.equal(m('a{2,3}', 'aaaa'), false);
  assert.equal(m('a{2,}', 'aaaa'), true);
  assert.equal(m('a{,3}', 'a{,3}'), true);
  assert.equal(m('a{01}', 'a{01}'), true);
  assert.equal(m('a{0}b', 'b'), true);
  assert.equal(m('(ab){2}', 'abab'), true);
  // stacked repetitions fold: a** is a*, a*? is a* (no lazy quantifiers in POSIX syntax)
  assert.equal(m('a**', 'aaa'), true);
  assert.equal(m('a*?', 'aaa'), true);
  assert.equal(m('a+?', ''), true);
});

test("RE2's messages for what POSIX syntax refuses", () => {
  assert.equal(refused('(?i)abc'), 'missing argument to repetition operator: ?');
  assert.equal(refused('(?:a)'), 'missing argument to repetition operator: ?');
  assert.equal(refused('\\d+'), 'invalid escape sequence: \\d');
  assert.equal(refused('a\\b'), 'invalid escape sequence: \\b');
  assert.equal(refused('\\pL'), 'invalid escape sequence: \\p');
  assert.equal(refused('(a)\\1'), 'invalid escape sequence: \\1');
  assert.equal(refused('\\x4g'), 'invalid escape sequence: \\x4g');
  assert.equal(refused('\\x{}'), 'invalid escape sequence: \\x{}');
  assert.equal(refused('a\\'), 'trailing \\');
  assert.equal(refused('*a'), 'missing argument to repetition operator: *');
  assert.equal(refused('a|+'), 'missing argument to repetition operator: +');
  assert.equal(refused('{2}'), 'missing argument to repetition operator: {2}');
  assert.equal(refused('a{1001}'), 'invalid repetition size: {1001}');
  assert.equal(refused('a{3,2}'), 'invalid repetition size: {3,2}');
  assert.equal(refused('(a{100}){20}'), 'invalid repetition size: {20}');
  assert.equal(refused('(ab'), 'missing ): (ab');
  assert.equal(refused('ab)'), 'unexpected ): ab)');
  assert.equal(refused('[ab'), 'missing ]: [ab');
  assert.equal(refused('x[^'), 'missing ]: [^');
  assert.equal(refused('[z-a]'), 'invalid character class range: z-a');
  assert.equal(refused('[a-b-c]'), 'invalid character class range: -c');
  assert.equal(refused('[[:foo:]]'), 'invalid character class range: [:foo:]');
  assert.equal(refused('\xff'), 'invalid UTF-8');
  assert.equal(refused('('.repeat(1001) + ')'.repeat(1001)), 'expression nests too deeply');
  assert.doesNotThrow(() => new Re2('('.repeat(1000) + ')'.repeat(1000)));
});

test('values are UTF-8 byte strings: a rune is one character, a stray byte matches nothing', () => {
  const e = Buffer.from('é', 'utf8').toString('latin1');
  assert.equal(m('^.$', e), true);
  assert.equal(m(e, e), true);
  assert.equal(m('[^a]', e), true);
  assert.equal(m('..', e), false);
  assert.equal(m('.*', 'ab\xe9cd'), false);
  assert.equal(m('ab[^x]cd', 'ab\xe9cd'), false);
  assert.equal(m('.*', 'a\xc3'), false);
  // an overlong sequence: RE2's program takes it only where a class takes every non-ASCII rune
  assert.equal(m('^.$', '\xe0\x80\x80'), true);
  assert.equal(m('[\\x00-\\x7f]', '\xe0\x80\x80'), false);
  assert.equal(m('[\\x00-\\x{10000}]', '\xe0\x80\x80'), false);
});

test('time linear in the value: patterns that make a backtracking matcher explode', () => {
  const a = 'a'.repeat(20000);
  assert.equal(m('(a|aa)*b', a), false);
  assert.equal(m('(a*)*b', a), false);
  assert.equal(m('(a|a)*', a), true);
  assert.equal(m('(.*a){20}', a), true);
  assert.equal(m('(.*a){20}x', a), false);
});

test('agrees with a backtracking matcher where the two syntaxes and semantics meet (randomized)', () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const atom = (d: number): string => {
    switch (rnd(d > 2 ? 5 : 8)) {
      case 0: return 'a';
      case 1: return 'b';
      case 2: return '.';
      case 3: return '[ab]';
      case 4: return '[^a]';
      case 5: return `(${alt(d + 1)})`;
      case 6: return `(${alt(d + 1)})`;
      default: return 'c';
    }
  };
  const piece = (d: number): string => {
    const x = atom(d);
    switch (rnd(9)) {
      case 0: return x + '*';
      case 1: return x + '+';
      case 2: return x + '?';
      case 3: return x + `{${rnd(3)}}`;
      case 4: return x + `{${rnd(2)},${2 + rnd(2)}}`;
      case 5: return x + `{${rnd(3)},}`;
      default: return x;
    }
  };
  const cat = (d: number): string => Array.from({ length: 1 + rnd(3) }, () => piece(d)).join('');
  const alt = (d: number): string => (rnd(4) === 0 ? `${cat(d)}|${cat(d)}` : cat(d));
  let matched = 0;
  for (let k = 0; k < 600; k++) {
    const p = alt(0);
    const re = new Re2(p);
    const js = new RegExp(`^(?:${p})$`);
    for (let j = 0; j < 12; j++) {
      const v = Array.from({ length: rnd(7) }, () => 'abc'[rnd(3)]).join('');
      const want = js.test(v);
      if (want) matched++;
      assert.equal(re.test(v), want, `${p} on ${JSON.stringify(v)}`);
    }
  }
  // the cases cover both answers
  assert.ok(matched > 500, `only ${matched} matches`);
});

test('the filter compiler uses it, with its errors at the pattern', () => {
  assert.throws(
    () => compileFilter('proc.name regex "(?i)curl"'),
    (e: unknown) => e instanceof FilterError && /invalid regex pattern: missing argument to repetition operator: \?/.test(e.message) && e.column === 17,
  );
  assert.throws(() => compileFilter('proc.name regex val(proc.exe)'), (e: unknown) => e instanceof FilterError && /takes a pattern, not a field/.test(e.message));
  assert.doesNotThrow(() => compileFilter('proc.name regex "cu[[:alpha:]]+"'));
});

test('the per-step marks start again before they wrap (a long run of matches does not loop)', () => {
  const re = new Re2('(a*)*b|x(a|b)*');
  (re as unknown as { stamp: number }).stamp = 0x7fffffff - 5;
  for (let k = 0; k < 4; k++) {
    assert.equal(re.test('aaaaaaaa'), false);
    assert.equal(re.test('aaaab'), true);
    assert.equal(re.test('xabab'), true);
  }
});

test('one matcher on many values in turn: the remembered last answer and the literal prefix change nothing', () => {
  const pats = ['^/etc/.*', '/etc/[a-z]+\\.conf', 'ab*', '^^ab$', 'a^b', '\\.x.*', '(ab)c', 'x{2}y', '$ab', ''];
  const vals = ['/etc/host.conf', '/etc/host.conf', '/etc/', '/et', 'ab', 'abbb', 'a', '', '.xyz', 'abc', 'xxy', 'xy', '/etc/host.conf'];
  for (const p of pats) {
    const one = new Re2(p);
    for (const v of vals) assert.equal(one.test(v), new Re2(p).test(v), `${p} on ${v}`);
  }
  assert.equal(m('^/etc/.*', '/etc/passwd'), true);
  assert.equal(m('\\.x.*', '.xyz'), true);
  assert.equal(m('x{2}y', 'xxy'), true);
});
