// Current libs' multi-value transformers (join, concat, getopt) and string operator modifiers (oneof,
// anyof, allof), which sysdig 0.29.3 does not have. The expected values are those of libs' own unit tests
// (userspace/libsinsp/test/filter_transformer.ut.cpp, multivalue_transformer_*): each expression holds only
// literals, so it selects every event of a capture or none. Fields inside them are compared with sysdig
// 0.29.3 equivalents in filter-diff.test.ts (NEW_EXPRS).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { compileFilter, FilterError } from '../lib/filter/index.js';
import { REPO, selectInProcess } from './filter-helpers.js';

const CAP = join(REPO, 'test/data/synth.scap');
let all: string | undefined;

async function selects(expr: string): Promise<boolean> {
  all ??= await selectInProcess('evt.num > 0', CAP);
  assert.notEqual(all, '');
  const got = await selectInProcess(expr, CAP);
  if (got === all) return true;
  assert.equal(got, '', `${expr} selected some events only: ${got}`);
  return false;
}

const TRUE = [
  // getopt
  'getopt(("-n",""), "n") intersects ("n")',
  'getopt(("-t", "hello"), "t:") intersects ("t", "hello")',
  'getopt(("-nt", "hello"), "nt:") intersects ("n", "t", "hello")',
  'getopt(("-thello"), "t:") intersects ("t", "hello")',
  'getopt(("-n", "-t", "hello"), "nt:") intersects ("n", "t", "hello")',
  'getopt(("-n", "--", "-t"), "nt:") intersects ("n")',
  'getopt(("-x", "-n"), "n") intersects ("?", "n")',
  'getopt(("-l", "-p", "8080", "-e", "/bin/sh"), "lp:e:") intersects ("l", "p", "e", "8080", "/bin/sh")',
  'getopt(("-lpe", "/bin/sh"), "lp:e:") intersects ("l","p","e")',
  'getopt(("-lpe", "/bin/sh"), "lpe:") intersects ("/bin/sh")',
  'getopt(("-t"), "t:") intersects ("")',
  'getopt(("-t"), ":t:") intersects ("")',
  'getopt(("-n", "--", "--"), "n") intersects ("n")',
  'getopt(("-nat", "hello"), "na:t") intersects ("n", "a", "t")',
  'getopt(("-abcvalue"), "abc:") intersects ("a", "b", "c", "value")',
  'getopt(("-abc", "value"), "abc:") intersects ("a", "b", "c", "value")',
  'getopt(("-t", "val1", "-t", "val2"), "t:") intersects ("t", "val1", "val2")',
  'getopt(("-p8080"), "p:") intersects ("p", "8080")',
  'getopt(("-t", "-123"), "t:") intersects ("t", "-123")',
  'getopt(("-u", "http://example.com:8080/path"), "u:") intersects ("u", "http://example.com:8080/path")',
  // getopt: every result in the set; a selector keeps the last value of its option
  'getopt(("-n", "-t", "x"), "nt:") in ("n", "t", "x")',
  'getopt(("arg1"), "n") in ("n")',
  'getopt(("-t", "a", "-t", "b"), "t:")[t] = b',
  'getopt(("-n", "-t"), "nt:")[t] = ""',
  'getopt(("-n"), "n")[n] = n',
  'len(getopt(("-n", "-t", "x"), "nt:")) = 3',
  'getopt(("x"), "n") exists',
  // join and concat
  'join("-", ("aaa","bbb")) = aaa-bbb',
  'join("->", ("aaa")) = aaa',
  'join(",", ("aaa","bbb")) = "aaa,bbb"',
  'join(",", ()) = ""',
  'join("-", (toupper(join("+", ("a", "b"))), "c")) = "A+B-c"',
  'concat("aaa", "bbb", "ccc") = aaabbbccc',
  'toupper(concat("aaa", "bbb")) = AAABBB',
  'len(join("-", ("aaa", "bbb"))) = 7',
  'len(concat("aaa", "bbb")) = 6',
  // b64 decodes without padding, as libs' decodeWithoutPadding
  'b64(join("W", ("YWFhL", "JiYg"))) = "aaa-bbb"',
  'b64(concat("YWFh", "YmJi")) = "aaabbb"',
  'b64("YQ") = a',
  'b64("YQ==") = a',
  'concat("ab", "c") startswith oneof (a, b, c)',
  'concat("ab", "c") contains allof (a, b, bc)',
  'concat("ab", "c") endswith anyof (x, y, bc)',
  'concat("ab", "c") != oneof (abc, x)',
];

const FALSE = [
  'getopt(("-n"), "n") intersects ("t")',
  'getopt(("-n", "--", "-t"), "nt:") intersects ("t")',
  'getopt(("-x", "-n"), "n") intersects ("x")',
  'getopt(("-n", "-t"), "") intersects ("n")',
  'getopt((""), "n") intersects ("n")',
  'getopt(("arg1", "arg2", "arg3"), "n") intersects ("n")',
  'getopt(("arg1", "-n", "arg2"), "n") intersects ("n")',
  'getopt(("-", "-n"), "n") intersects ("n")',
  'getopt(("-t"), "t:") intersects ("?")',
  'getopt(("-t"), "t:") intersects ("t")',
  'getopt(("-t"), ":t:") intersects (":")',
  'getopt(("--", "-n"), "n") intersects ("n")',
  'getopt(("-n", "-t", "x"), "nt:") in ("n", "t")',
  'getopt(("-n"), "nt:")[t] exists',
  'join(",", ("aaa","bbb")) = "aaa-bbb"',
  'join(",", ()) = ","',
  'concat("aaa", "bbb") = "aaa-bbb"',
  'b64(concat("Y", "R")) = a',
  'b64("YR") exists',
  'b64("Y") exists',
  // modifiers: oneof, exactly one value compares true; allof, every one
  'concat("ab", "c") startswith oneof (a, ab, b)',
  'concat("ab", "c") contains allof (a, x)',
  'concat("ab", "c") != anyof (abc)',
];

test("getopt, join, concat and b64 on literals: libs' expected values", async () => {
  const bad: string[] = [];
  for (const e of TRUE) if (!(await selects(e))) bad.push(`expected true: ${e}`);
  for (const e of FALSE) if (await selects(e)) bad.push(`expected false: ${e}`);
  assert.deepEqual(bad, []);
});

test('join, concat and getopt refuse what libs refuse, with the column', () => {
  const cases: [string, RegExp, number][] = [
    ['join() = foo', /expected a transformer argument/, 6],
    ['join("-") = foo', /join\(\) requires exactly 2 arguments: separator and list/, 1],
    ['join("-", "a", "b") = foo', /join\(\) requires exactly 2 arguments/, 1],
    ['join(("a", "b"), ("a", "b")) = foo', /join\(\) first argument \(separator\) must be a single value, not a list/, 6],
    ['join("a", "b") = foo', /join\(\) second argument must be a list/, 11],
    ['concat("aaa") = foo', /concat\(\) requires at least 2 arguments/, 1],
    ['concat(("a", "b"), "a") = foo', /concat\(\) arguments must be strings/, 8],
    ['concat(proc.name, proc.pid) = foo', /concat\(\) arguments must be strings; proc.pid is INT64/, 19],
    ['getopt(("a")) intersects ("n")', /getopt\(\) requires exactly 2 arguments/, 1],
    ['getopt(("a"), "n", "extra") intersects ("n")', /getopt\(\) requires exactly 2 arguments/, 1],
    ['getopt("not_a_list", "n") intersects ("n")', /getopt\(\) first argument must be a list/, 8],
    ['getopt(("-n"), ("n")) intersects ("n")', /getopt\(\) second argument \(optstring\) must be a single value/, 16],
    ['getopt(("-n"), "n")[nt] = n', /getopt\(\) field argument must be a single option character/, 1],
    ['getopt(("-n"), "n") = n', /is a list: it takes only exists, in and intersects/, 21],
    ['join("-", ("a"))[x] = a', /transformer 'join' does not support field arguments/, 1],
    ['tolower(proc.name)[x] = a', /transformer 'tolower' does not support field arguments/, 1],
    ['proc.name = val(("a"))', /expected a field inside 'val\('/, 17],
    ['join("-", (proc.name, fd.name) = x', /expected '\)' closing the join\( transformer/, 32],
    ['join("-", (proc.name fd.name)) = x', /expected ',' or '\)' in the list/, 22],
  ];
  for (const [expr, re, col] of cases) {
    assert.throws(
      () => compileFilter(expr),
      (e: unknown) => {
        assert.ok(e instanceof FilterError, `${expr}: ${String(e)}`);
        assert.match(e.message, re, expr);
        assert.equal(e.column, col, `${expr}: column`);
        return true;
      },
    );
  }
});
