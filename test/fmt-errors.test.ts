// Bad input gets one line that says what and where, a non-zero exit, and everything before the fault
// already printed. A closed stdout ends quietly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { FIXTURES, HAVE_SYSDIG, bin, tdig, tdigText } from './helpers.js';
import { eventBlock, sectionBlocks } from '../lib/scap/writer.js';
import { eventInfo } from '../lib/events/table.js';
import { containerJsonEvent } from '../lib/state/containers.js';
import { event, i64, proc, u32 } from './synth.js';

const dir = mkdtempSync(join(tmpdir(), 'tdig-errors-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const plain = gunzipSync(readFileSync(join(FIXTURES, 'curl_google.scap')));
const full = tdigText('tdig-fmt', [join(FIXTURES, 'curl_google.scap')]).split('\n');

/** offset of the n-th event block */
function eventBlockOffset(n: number): number {
  let pos = 0;
  let seen = 0;
  while (pos < plain.length) {
    const t = plain.readUInt32LE(pos);
    if (t === 0x204 || t === 0x216) {
      if (seen++ === n) return pos;
    }
    pos += plain.readUInt32LE(pos + 4);
  }
  throw new Error('not enough events');
}

function run(bytes: Buffer, args: string[] = []): { status: number | null; out: string; err: string } {
  const f = join(dir, 'in.bin');
  writeFileSync(f, bytes);
  const r = tdig('tdig-fmt', [...args, f]);
  return { status: r.status, out: r.stdout.toString('latin1'), err: r.stderr.toString() };
}

function assertOneLine(err: string, re: RegExp): void {
  const lines = err.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line of error, got: ${err}`);
  assert.match(lines[0]!, re);
  assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
}

test('a truncated file prints every whole event, then names the byte offset, exit 1', () => {
  const r = run(plain.subarray(0, 100000));
  assert.equal(r.status, 1);
  assertOneLine(r.err, /^tdig-fmt: truncated block: \d+ of \d+ bytes at .* byte \d+$/);
  const lines = r.out.split('\n').filter((l) => l);
  assert.ok(lines.length > 400, 'events before the fault are printed');
  assert.deepEqual(lines, full.slice(0, lines.length), 'and they are the same lines as the whole file gives');
});

test('a truncated gzip file prints what it could decompress, then fails with the offset', () => {
  const r = run(gzipSync(plain).subarray(0, 20000));
  assert.equal(r.status, 1);
  assertOneLine(r.err, /gzip: unexpected end of file at .*byte \d+/);
  assert.ok(r.out.split('\n').length > 100);
});

test('random bytes are refused at byte 0', () => {
  const rnd = Buffer.alloc(5000);
  for (let i = 0; i < rnd.length; i++) rnd[i] = (i * 7919 + 13) & 0xff;
  const r = run(rnd);
  assert.equal(r.status, 1);
  assertOneLine(r.err, /not a scap stream.* byte 0$/);
  assert.equal(r.out, '');
});

test('an empty input is refused, as sysdig refuses it: file, gzip file and stdin, each command', () => {
  for (const [name, args] of [['tdig-fmt', []], ['tdig-filter', ['evt.type=read']], ['tdig-agg', ['topconns']], ['tdig-echo', ['echo_fds']]] as const) {
    const f = join(dir, 'empty.scap');
    writeFileSync(f, Buffer.alloc(0));
    const g = join(dir, 'empty.scap.gz');
    writeFileSync(g, gzipSync(Buffer.alloc(0)));
    for (const [argv, input] of [[[...args, f], undefined], [[...args, g], undefined], [[...args], Buffer.alloc(0)]] as const) {
      const r = tdig(name, [...argv], input);
      assert.equal(r.status, 1, `${name} ${argv.join(' ')}`);
      assertOneLine(r.stderr.toString(), /not a scap stream: empty at .*byte 0$/);
    }
  }
});

test('a wrong byte-order magic is refused with its offset', () => {
  const b = Buffer.from(plain);
  b.writeUInt32LE(0x4d3c2b1a, 8);
  const r = run(b);
  assert.equal(r.status, 1);
  assertOneLine(r.err, /byte-order magic .* byte 8$/);
});

test('a corrupted block length is refused with its offset, after the events before it', () => {
  const b = Buffer.from(plain);
  const off = eventBlockOffset(700);
  b.writeUInt32LE(13, off + 4);
  const r = run(b);
  assert.equal(r.status, 1);
  assertOneLine(r.err, new RegExp(`corrupt block length 13 at .* byte ${off + 4}$`));
  assert.ok(r.out.split('\n').length > 400);
});

test('a block longer than the cap is refused before it is buffered', () => {
  const b = Buffer.from(plain);
  const off = eventBlockOffset(300);
  b.writeUInt32LE(0x7ffffff0, off + 4);
  const r = run(b);
  assert.equal(r.status, 1);
  assertOneLine(r.err, /block length 2147483632 exceeds the cap of \d+ bytes at .* byte \d+$/);
});

test('an NDJSON syntax error names the line; the blocks before it are converted', () => {
  const nd = tdig('tdig-fmt', ['--ndjson', join(FIXTURES, 'curl_google.scap')]).stdout.toString().split('\n');
  nd.splice(900, 0, '{"block":"event", oops}');
  const f = join(dir, 'bad.ndjson');
  writeFileSync(f, nd.join('\n'));
  const r = tdig('tdig-fmt', ['--from', 'ndjson', f]);
  assert.equal(r.status, 1);
  assertOneLine(r.stderr.toString(), /NDJSON syntax error: .* at line 901$/);
});

test('unknown options and bad values are usage errors, exit 2', () => {
  for (const args of [['--bogus'], ['-n', 'x'], ['-t', 'q'], ['-p']]) {
    const r = tdig('tdig-fmt', args);
    assert.equal(r.status, 2, args.join(' '));
    assertOneLine(r.stderr.toString(), /^tdig-fmt: /);
  }
  const r = tdig('tdig-fmt', [join(dir, 'does-not-exist.scap')]);
  assert.equal(r.status, 1);
  assertOneLine(r.stderr.toString(), /does-not-exist\.scap/);
});

test('a filter-only field in a format is refused as sysdig refuses it, the rest of the format named; evt.around prints nothing', () => {
  const cap = join(FIXTURES, 'curl_google.scap');
  for (const f of ['fd.ip', 'fd.port', 'fd.proto', 'fd.net', 'fd.cnet', 'fd.snet', 'fd.lnet', 'fd.rnet']) {
    for (const format of [`%${f}`, `%evt.num %${f} %evt.type`]) {
      const r = tdig('tdig-fmt', ['-p', format, cap]);
      assert.equal(r.status, 2, format);
      assert.equal(r.stdout.length, 0, format);
      const rest = format.slice(format.indexOf('%' + f) + 1);
      assertOneLine(r.stderr.toString(), /^tdig-fmt: /);
      assert.equal(r.stderr.toString(), `tdig-fmt: ${rest} is filter only and cannot be used as a display field\n`);
      if (HAVE_SYSDIG) {
        const s = spawnSync('sysdig', ['-r', cap, '-p', format]);
        assert.notEqual(s.status, 0, format);
        assert.equal(s.stderr.toString().trim(), r.stderr.toString().trim().replace(/^tdig-fmt: /, ''), format);
      }
    }
  }
  const around = tdig('tdig-fmt', ['-p', '%evt.num %evt.around[1534527348514632619]=5', cap]);
  assert.equal(around.status, 0);
  assert.equal(around.stdout.length, 0);
  if (HAVE_SYSDIG) assert.equal(spawnSync('sysdig', ['-r', cap, '-p', '%evt.num %evt.around[1534527348514632619]=5']).stdout.length, 0);
});

test('tdig-fmt big.scap | head -1 exits at once, quietly, with 0', async () => {
  // 200 copies of the capture's events: far more than a pipe buffer holds
  const f = join(dir, 'big.scap');
  const evStart = eventBlockOffset(0);
  const parts = [plain.subarray(0, evStart)];
  for (let i = 0; i < 200; i++) parts.push(plain.subarray(evStart));
  writeFileSync(f, Buffer.concat(parts));
  const child = spawn(process.execPath, [bin('tdig-fmt'), f], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const first = await new Promise<string>((res) => {
    let acc = '';
    child.stdout.on('data', (d: Buffer) => {
      acc += d.toString();
      const nl = acc.indexOf('\n');
      if (nl >= 0) {
        child.stdout.destroy();
        res(acc.slice(0, nl));
      }
    });
  });
  const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
  assert.equal(first, full[0]);
  assert.equal(code, 0);
  assert.equal(err, '');
});

test('a directory named as the capture is refused by name, exit 1', () => {
  for (const cmd of ['tdig-fmt', 'tdig-agg']) {
    const r = tdig(cmd, cmd === 'tdig-agg' ? ['topconns', dir] : [dir]);
    assert.equal(r.status, 1);
    assertOneLine(r.stderr.toString(), new RegExp(`^${cmd}: ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: is a directory$`));
  }
});

test('a socket address shorter than its family needs is refused with the event and its offset, after the events before it', () => {
  const type = (name: string, dir: 0 | 1): number => {
    for (let t = dir; t < 512; t += 2) if (eventInfo(t)?.name === name) return t;
    throw new Error(name);
  };
  const T = 100;
  const socket = [event(type('socket', 0), T, [u32(2), u32(1), u32(0)]), event(type('socket', 1), T, [i64(3)])];
  // AF_INET (2) with 3 of its 13 bytes; AF_INET6 (10) with 20 of its 37
  for (const [fam, len] of [[2, 3], [10, 20]] as const) {
    const tuple = Buffer.alloc(len);
    tuple[0] = fam;
    for (const [name, evs, bad] of [
      ['connect', [...socket, event(type('connect', 0), T, [i64(3), Buffer.alloc(0)]), event(type('connect', 1), T, [i64(0), tuple, i64(3)])], 4],
      ['accept', [event(type('accept', 0), T, []), event(type('accept', 1), T, [i64(4), tuple, u32(0), u32(0), u32(0)])], 2],
      ['recvfrom', [...socket, event(type('recvfrom', 0), T, [i64(3), u32(10)]), event(type('recvfrom', 1), T, [i64(3), Buffer.from('abc'), tuple])], 4],
    ] as const) {
      const blocks = [...sectionBlocks({ procs: [proc(T, 'cli')] }), ...evs.map((e) => eventBlock(0, 0, e, false))];
      const at = blocks.slice(0, blocks.length - 1).reduce((n, b) => n + b.length, 0);
      const r = run(Buffer.concat(blocks));
      assert.equal(r.status, 1, `${name} ${fam}/${len}`);
      assertOneLine(r.err, new RegExp(`^tdig-fmt: event ${bad} \\(${name} <\\): a parameter is shorter than its type needs at byte ${at}$`));
      // the events before it are printed
      assert.equal(r.out.split('\n').filter((l) => l !== '').length, bad - 1, `${name} ${fam}/${len}`);
    }
  }
});

test('a container event whose JSON does not parse is refused with its offset, after the events before it', () => {
  const T = 100;
  const open = (n: number): Buffer[] => [event(2, T, [Buffer.from(`/tmp/f${n}\0`), u32(0), u32(0)]), event(3, T, [i64(3), Buffer.from(`/tmp/f${n}\0`), u32(0), u32(0)])];
  const container = (json: string): Buffer => containerJsonEvent(json, 1_700_000_000_000_000_000n);
  const head = [...sectionBlocks({ procs: [proc(T, 'cli')] }), ...open(1).map((e) => eventBlock(0, 0, e, false))];
  const good = eventBlock(0, 0, container('{"container":{"id":"abc","name":"web"}}'), true);
  const bad = eventBlock(0, 0, container('{"container":{"id":"abc",'), true);
  const at = [...head, good].reduce((n, b) => n + b.length, 0);
  const r = run(Buffer.concat([...head, good, bad, ...open(2).map((e) => eventBlock(0, 0, e, false))]));
  assert.equal(r.status, 1);
  assertOneLine(r.err, new RegExp(`^tdig-fmt: event 4 \\(container\\): its JSON does not parse at byte ${at}$`));
  // the events before it are printed: the opens, and the good container event (not one that starts the capture)
  const lines = r.out.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 3);
  assert.match(lines[2]!, /^3 \S+ 0 container:abc \(-1\) > container json=\{"container":\{"id":"abc","name":"web"\}\} $/);
});

test('-S, -q, -d and -D go with text or JSON output: with --ndjson or --to scap, one line and exit 2', () => {
  const cap = join(FIXTURES, 'curl_google.scap');
  for (const args of [['-S', '--ndjson'], ['-q', '--to', 'scap'], ['-d', '--ndjson'], ['-D', '--to', 'scap']]) {
    const r = tdig('tdig-fmt', [...args, cap]);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout.length, 0);
    assert.equal(r.stderr.toString().trim().split('\n').length, 1);
    assert.match(r.stderr.toString(), /-S, -q, -d and -D go with text or JSON output/);
  }
});

test('a full device (/dev/full) as standard output or -w FILE: one line naming the output and the fault, exit 1, for each command', () => {
  const cap = join(FIXTURES, 'curl_google.scap');
  for (const [name, args] of [['tdig-fmt', [cap]], ['tdig-fmt', ['--to', 'scap', cap]], ['tdig-fmt', ['--to', 'scap', '-z', cap]], ['tdig-filter', ['evt.type=open', cap]], ['tdig-agg', ['topfiles_bytes', cap]], ['tdig-echo', ['echo_fds', cap]]] as const) {
    const r = spawnSync('sh', ['-c', `"$0" "$@" > /dev/full`, process.execPath, bin(name), ...args]);
    assert.equal(r.status, 1, `${name} ${args.join(' ')}`);
    assert.equal(r.stderr.toString(), `${name}: standard output: no space left on device\n`, `${name} ${args.join(' ')}`);
  }
  for (const [name, args] of [['tdig-fmt', ['-r', cap, '-w', '/dev/full']], ['tdig-fmt', ['-r', cap, '-z', '-w', '/dev/full']], ['tdig-filter', ['evt.type=open', cap, '-w', '/dev/full']]] as const) {
    const r = spawnSync(process.execPath, [bin(name), ...args]);
    assert.equal(r.status, 1, `${name} ${args.join(' ')}`);
    assert.equal(r.stderr.toString(), `${name}: /dev/full: no space left on device\n`, `${name} ${args.join(' ')}`);
  }
});
