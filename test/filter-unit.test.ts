// The filter library in process: parser shapes and precedence, lexer escapes, compile-time errors with
// their columns, comparison rules on synthetic contexts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilter, FilterError, parseFilter, MAX_DEPTH, type Expr } from '../lib/filter/index.js';
import { UsageError } from '../lib/cli/errors.js';
import { parseIp, closestFields } from '../lib/filter/compile.js';
import { Glob } from '../lib/fields/glob.js';
import { PathPrefixes } from '../lib/filter/pmatch.js';

function shape(e: Expr): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `${e.kind}(${e.children.map(shape).join(',')})`;
    case 'not':
      return `not(${shape(e.child)})`;
    case 'ident':
      return `id:${e.name}`;
    case 'check': {
      const l = e.left.kind === 'field' ? e.left.name + (e.left.arg !== undefined ? `[${e.left.arg}]` : '') : `${e.left.name}()`;
      const r = e.right === undefined ? '' : e.right.kind === 'value' ? JSON.stringify(e.right.value) : e.right.kind === 'list' ? `(${e.right.values.map((v) => v.value).join('|')})` : e.right.kind;
      return `${l}${e.op}${r}`;
    }
  }
}

test('precedence: not > and > or; parentheses; not( and and(', () => {
  assert.equal(shape(parseFilter('a.b=1 and c.d=2 or e.f=3')), 'or(and(a.b="1",c.d="2"),e.f="3")');
  assert.equal(shape(parseFilter('a.b=1 or c.d=2 and e.f=3')), 'or(a.b="1",and(c.d="2",e.f="3"))');
  assert.equal(shape(parseFilter('not a.b=1 and c.d=2')), 'and(not(a.b="1"),c.d="2")');
  assert.equal(shape(parseFilter('not (a.b=1 and c.d=2)')), 'not(and(a.b="1",c.d="2"))');
  assert.equal(shape(parseFilter('not(a.b=1)')), 'not(a.b="1")');
  assert.equal(shape(parseFilter('a.b=1 and(c.d=2)')), 'and(a.b="1",c.d="2")');
  assert.equal(shape(parseFilter('not not a.b=1')), 'a.b="1"');
  assert.equal(shape(parseFilter('((((a.b=1))))')), 'a.b="1"');
});

test('operators, values, lists, field arguments, transformers', () => {
  assert.equal(shape(parseFilter('proc.name exists')), 'proc.nameexists');
  assert.equal(shape(parseFilter('proc.aname[2]=bash')), 'proc.aname[2]="bash"');
  assert.equal(shape(parseFilter("evt.arg['fd']=3")), 'evt.arg[fd]="3"');
  assert.equal(shape(parseFilter('evt.type in (open, openat ,close)')), 'evt.typein(open|openat|close)');
  assert.equal(shape(parseFilter('evt.args contains fd=3')), 'evt.argscontains"fd=3"');
  assert.equal(shape(parseFilter('fd.name=')), 'fd.name=""');
  assert.equal(shape(parseFilter('proc.name < m')), 'proc.name<"m"');
  assert.equal(shape(parseFilter('fd.sport = 0x50')), 'fd.sport="0x50"');
  assert.equal(shape(parseFilter('tolower(proc.name)=curl')), 'tolower()="curl"');
  assert.equal(shape(parseFilter('proc.name=val(proc.pname)')), 'proc.name=transformer');
  assert.equal(shape(parseFilter('proc.name = oneof (a, b)')), 'proc.name= oneof(a|b)');
  assert.equal(shape(parseFilter('proc.name=oneof')), 'proc.name="oneof"');
});

test('quoted strings: escapes and UTF-8 as bytes', () => {
  const v = (s: string): string => {
    const e = parseFilter(`proc.name=${s}`);
    assert.equal(e.kind, 'check');
    return (e as { right: { value: string } }).right.value;
  };
  assert.equal(v('"a\\"b"'), 'a"b');
  assert.equal(v("'a\\'b'"), "a'b");
  assert.equal(v('"a\\\\b"'), 'a\\b');
  assert.equal(v('"\\x41\\n\\t"'), 'A\n\t');
  assert.equal(v('"\\q"'), '\\q');
  assert.equal(v('"é"'), '\xc3\xa9');
  assert.equal(v('"a b (c)"'), 'a b (c)');
});

function errorOf(expr: string): FilterError {
  try {
    compileFilter(expr);
  } catch (e) {
    assert.ok(e instanceof FilterError);
    assert.ok(e instanceof UsageError);
    return e;
  }
  assert.fail(`no error for ${expr}`);
}

test('errors name the column, and their message has the expression and a caret', () => {
  const cases: [string, number, RegExp][] = [
    ['proc.nam=curl', 1, /unknown field proc\.nam; did you mean proc\.name/],
    ['proc.name=curl and fd.nmae=x', 20, /unknown field fd\.nmae; did you mean fd\.name/],
    ['proc.pid contains 1', 10, /does not take the operator 'contains'/],
    ['evt.failed=yes', 12, /boolean/],
    ['evt.type=opne', 10, /unknown event type opne/],
    ['(proc.name=curl', 16, /unbalanced '\('/],
    ['proc.name=curl)', 15, /unbalanced '\)'/],
    ['proc.name="curl', 11, /unclosed quote/],
    ['proc.name=curl or', 18, /after 'or'/],
    ['fd.sip=1.2.3.4.5', 8, /IP address/],
    ['fd.cnet=10.0.0.0/33', 9, /IP network/],
    ['proc.name in (a, b', 19, /not closed/],
    ['evt.arg=1', 1, /needs an argument/],
    ['foo', 1, /not a field check/],
  ];
  for (const [expr, col, re] of cases) {
    const e = errorOf(expr);
    assert.equal(e.column, col, `${expr}: ${e.message}`);
    assert.match(e.reason, re);
    const lines = e.message.split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[1], '  ' + expr);
    assert.equal(lines[2], ' '.repeat(col + 1) + '^');
  }
});

test('deep nesting is an error at the limit, not a stack overflow', () => {
  const ok = '('.repeat(MAX_DEPTH - 1) + 'evt.type=read' + ')'.repeat(MAX_DEPTH - 1);
  compileFilter(ok);
  const e = errorOf('('.repeat(10000) + 'evt.type=read' + ')'.repeat(10000));
  assert.match(e.reason, /nesting deeper than/);
  assert.ok(e.message.split('\n')[1]!.length < 100, 'the expression line is a window');
  compileFilter('not '.repeat(10000) + 'evt.type=read');
});

test('glob, IP parsing, closest fields', () => {
  assert.ok(new Glob('/etc/*', false).test('/etc/a/b'));
  assert.ok(new Glob('?url', false).test('curl'));
  assert.ok(!new Glob('?url', false).test('ccurl'));
  assert.ok(new Glob('[!a]b', false).test('xb'));
  assert.ok(new Glob('CURL', true).test('curl'));
  assert.deepEqual([...parseIp('127.0.0.1')!], [127, 0, 0, 1]);
  assert.equal(parseIp('::1')!.toString('hex'), '0'.repeat(31) + '1');
  assert.equal(parseIp('2001:db8::1:2')!.toString('hex'), '20010db8000000000000000000010002');
  assert.equal(parseIp('::ffff:10.0.0.1')!.toString('hex'), '00000000000000000000ffff0a000001');
  assert.equal(parseIp('1.2.3'), undefined);
  assert.ok(closestFields('proc.nmae').includes('proc.name'));
});

test('fields used and statelessness', () => {
  const f = compileFilter('evt.type=read and evt.dir=<');
  assert.deepEqual(f.fields.map((r) => r.def.name), ['evt.type', 'evt.dir']);
  assert.ok(f.stateless);
  assert.ok(compileFilter('evt.buffer contains x').stateless);
  assert.ok(!compileFilter('evt.type=read and proc.name=curl').stateless);
});

test('pmatch: path prefixes by component, as libsinsp path_prefix_search', () => {
  // the examples of libs prefix_search.h
  const p = new PathPrefixes(['/var/run', '/etc', '/lib', '/usr/lib']);
  assert.equal(p.match('/var/run/docker'), true);
  assert.equal(p.match('/boot'), false);
  assert.equal(p.match('/var/lib/messages'), false);
  assert.equal(p.match('/var'), false);
  // components, not characters: /usr/lib is no prefix of /usr/libexec; empty components are dropped
  assert.equal(p.match('/usr/libexec/x'), false);
  assert.equal(p.match('/usr/lib'), true);
  assert.equal(p.match('//etc//passwd'), true);
  assert.equal(p.match('etc/passwd'), true);
  assert.equal(p.match(''), false);
  // a shorter search path covers the longer ones, in either order
  for (const list of [['/usr/lib/x', '/usr'], ['/usr', '/usr/lib/x']]) {
    const q = new PathPrefixes(list);
    assert.equal(q.match('/usr/share'), true, list.join());
    assert.equal(q.match('/usr'), true, list.join());
  }
  // the root has no components: it matches every path, the empty one included
  for (const root of ['/', '', '//']) {
    const r = new PathPrefixes([root]);
    assert.equal(r.match('/anything/at/all'), true);
    assert.equal(r.match(''), true);
  }
  // the last value's answer is kept, and a different value is looked at again
  const q = new PathPrefixes(['/etc']);
  assert.equal(q.match('/etc/hosts'), true);
  assert.equal(q.match('/etc/hosts'), true);
  assert.equal(q.match('/etcx'), false);
});

test('pmatch takes text: numbers and a parameter that is a path are refused, as sysdig 0.29.3 does', () => {
  assert.throws(() => compileFilter('proc.pid pmatch (1)'), FilterError);
  assert.throws(() => compileFilter('evt.rawarg.name pmatch (/etc)'), /pmatch takes text fields/);
  assert.doesNotThrow(() => compileFilter('evt.rawarg.comm pmatch (/usr)'));
});
