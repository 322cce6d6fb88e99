// glob and iglob (lib/fields/glob.ts): glibc fnmatch's syntax in the C locale, in time linear in the value
// times the pattern. The differential filter test holds sysdig's own answers for these patterns on the
// captures (test/filter-exprs.ts); these are the cases that need no capture.

import { test } from 'node:test';
import assert from 'node:assert/strict';
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
