// The tracer parser (lib/state/tracer.ts) on messages whose outcome libsinsp's tracers.cpp decides; the
// captures' goldens (test/captures/tracers.scap) cover what sysdig shows for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TracerParser, TracerResult, TracerState } from '../lib/state/tracer.js';

const THREAD = { tid: 100, pid: 90, ptid: 80 };

function parse(...writes: string[]): TracerParser {
  const p = new TracerParser();
  const st = new TracerState();
  for (const w of writes) p.process(Buffer.from(w, 'latin1'), 1n, THREAD, st);
  return p;
}

test('simple tracers: ids, tags and arguments', () => {
  const cases: [string, number, string[], [string, string][]][] = [
    ['>:t:req.db:q=select,n=2:\n', 100, ['req', 'db'], [['q', 'select'], ['n', '2']]],
    ['<:p:a::', 90, ['a'], []],
    ['>:pp:a::', 80, ['a'], []],
    ['>:g:a::', 0, ['a'], []],
    ['>:-12:a::', -12, ['a'], []],
    ['>:77:a\\.b:k=v\\:1:', 77, ['a.b'], [['k', 'v:1']]],
  ];
  for (const [msg, id, tags, args] of cases) {
    const p = parse(msg);
    assert.equal(p.res, TracerResult.OK, msg);
    assert.equal(p.id, id, msg);
    assert.deepEqual(p.tags, tags, msg);
    assert.deepEqual(p.argnames.map((n, i) => [n, p.argvals[i]]), args, msg);
  }
  assert.equal(parse('>:t:a::').typeChar, 0x3e);
  assert.equal(parse('<:t:a::').typeChar, 0x3c);
});

test('JSON tracers', () => {
  const p = parse('[">", 77, ["js", "call"], [{"a":"1"}, {"b":"2"}]]\n');
  assert.equal(p.res, TracerResult.OK);
  assert.equal(p.id, 77);
  assert.deepEqual(p.tags, ['js', 'call']);
  assert.deepEqual([p.argnames, p.argvals], [['a', 'b'], ['1', '2']]);
  const q = parse('["<", "t", ["x"], []]');
  assert.equal(q.res, TracerResult.OK);
  assert.equal(q.id, 100);
  assert.deepEqual(q.tags, ['x']);
});

test('cut, invalid and quirky messages', () => {
  // libsinsp compares with the character '0' where the id or the tags start: such a message counts as cut
  assert.equal(parse('>:0:a::').res, TracerResult.TRUNCATED);
  assert.equal(parse('>:t:0a::').res, TracerResult.TRUNCATED);
  assert.equal(parse('>:::').res, TracerResult.TRUNCATED);
  assert.equal(parse('>:::\n').res, TracerResult.FAILED);
  assert.equal(parse('>').res, TracerResult.TRUNCATED);
  assert.equal(parse('>x').res, TracerResult.FAILED);
  assert.equal(parse('hello\n').res, TracerResult.FAILED);
  assert.equal(parse('').res, TracerResult.FAILED);
  assert.equal(parse('   ').res, TracerResult.FAILED);
  assert.equal(parse('[').res, TracerResult.TRUNCATED);
  assert.equal(parse('>:t:a>b::').res, TracerResult.FAILED);
  // an argument without a value is refused
  assert.equal(parse('>:t:a:k:').res, TracerResult.FAILED);
});

test('a cut tracer is completed by the next write of the thread', () => {
  const p = parse('>:t:x:k=vv', 'v:');
  assert.equal(p.res, TracerResult.OK);
  assert.deepEqual([p.tags, p.argnames, p.argvals], [['x'], ['k'], ['vvv']]);
  // text that keeps it incomplete grows it (a value may hold anything up to ',' ':' '=')
  assert.deepEqual(parse('>:t:x:k=vv', 'garbage\n', '>:t:y::').argvals, ['vvgarbage\n>']);
  // a message that fails empties it
  const q = parse('>:t:x:k=vv', '=\n', '>:t:y::');
  assert.deepEqual(q.tags, ['y']);
});

test('spans: an exit finds its enter by id and tags; the parent drops the last tag', async () => {
  const { requestTracerTracking } = await import('../lib/state/tracer.js');
  requestTracerTracking();
  const st = new TracerState();
  const p = new TracerParser();
  const w = (s: string, ts: bigint): void => void p.process(Buffer.from(s, 'latin1'), ts, THREAD, st);
  w('>:t:req::', 10n);
  w('>:t:req.db:q=1:', 20n);
  assert.equal(st.open.length, 2);
  assert.equal(p.parentOf(st.open)?.tags.join('.'), 'req');
  w('<:t:req.db::', 50n);
  assert.equal(p.enterPae?.time, 20n);
  assert.equal(p.exitPae.time - p.enterPae!.time, 30n);
  assert.deepEqual(p.enterPae?.argvals, ['1']);
  assert.equal(st.open.length, 1);
  w('<:t:nomatch::', 60n);
  assert.equal(p.enterPae, null);
});
