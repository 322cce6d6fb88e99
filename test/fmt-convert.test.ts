// Conversions keep the capture: scap re-encoded, NDJSON round trips, compression and pipes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { lz4EncodeSync } from '../lib/scap/lz4.js';
import { HAVE_SYSDIG, bin, firstDiff, parityCaptures, sysdig, tdig, tdigText } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tdig-convert-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function plainOf(cap: string): Buffer {
  const b = readFileSync(cap);
  return b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b;
}

const HAVE_LZ4 = spawnSync('lz4', ['--version']).status === 0;

for (const cap of parityCaptures()) {
  const name = basename(cap, '.scap');
  const want = tdigText('tdig-fmt', [cap]);

  test(`${name}: --to scap output prints the same, and sysdig reads it the same`, () => {
    const out = join(dir, `${name}.re.scap`);
    const r = tdig('tdig-fmt', ['--to', 'scap', '-w', out, cap]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(statSync(out).mode & 0o777, 0o600, 'capture files are created 0600');
    const got = tdigText('tdig-fmt', [out]);
    assert.ok(got === want, firstDiff(want, got));
    if (HAVE_SYSDIG) {
      const s1 = sysdig(['-r', cap]);
      const s2 = sysdig(['-r', out]);
      assert.ok(s1 === s2, firstDiff(s1, s2));
    }
  });

  test(`${name}: scap -> --ndjson -> --from ndjson --to scap prints the original text`, () => {
    const nd = join(dir, `${name}.ndjson`);
    writeFileSync(nd, tdig('tdig-fmt', ['--ndjson', cap]).stdout);
    const lines = readFileSync(nd, 'utf8').trim().split('\n');
    for (const l of lines) JSON.parse(l);
    const back = tdig('tdig-fmt', ['--from', 'ndjson', '--to', 'scap', nd]);
    assert.equal(back.status, 0, back.stderr.toString());
    const got = tdigText('tdig-fmt', [], back.stdout);
    assert.ok(got === want, firstDiff(want, got));
    // the conversion is byte-exact
    // (but a section header's pcapng options, which sysdig 0.29.3 cannot read: the header keeps its version)
    const plain = plainOf(cap);
    const shb = plain.readUInt32LE(4);
    const len28 = Buffer.from([28, 0, 0, 0]);
    const expected = shb === 28 ? plain : Buffer.concat([plain.subarray(0, 4), len28, plain.subarray(8, 24), len28, plain.subarray(shb)]);
    assert.ok(back.stdout.equals(expected), 'scap bytes round trip exactly');
    // without --from: NDJSON is told from scap by its first byte, from a file, gzip-compressed, or on stdin
    const gz = join(dir, `${name}.ndjson.gz`);
    writeFileSync(gz, gzipSync(readFileSync(nd)));
    for (const [label, args, input] of [
      ['file', [nd], undefined],
      ['gzip file', [gz], undefined],
      ['stdin', [], readFileSync(nd)],
    ] as [string, string[], Buffer | undefined][]) {
      const auto = tdigText('tdig-fmt', args, input);
      assert.ok(auto === want, `${label}: ${firstDiff(want, auto)}`);
    }
    // and the chisels read it too
    const viaNd = tdigText('tdig-agg', ['topscalls', nd]);
    assert.equal(viaNd, tdigText('tdig-agg', ['topscalls', cap]));
  });

  test(`${name}: plain, gzip, lz4 and a pipe give identical output`, () => {
    const plain = plainOf(cap);
    for (const [label, bytes] of [
      ['plain', plain],
      ['gzip', gzipSync(plain)],
      ['gzip multi-member', Buffer.concat([gzipSync(plain.subarray(0, 1000)), gzipSync(plain.subarray(1000))])],
      ['lz4', lz4EncodeSync(plain)],
    ] as [string, Buffer][]) {
      const f = join(dir, `${name}.${label.replace(/ /g, '-')}`);
      writeFileSync(f, bytes);
      const got = tdigText('tdig-fmt', [f]);
      assert.ok(got === want, `${label}: ${firstDiff(want, got)}`);
      const piped = tdigText('tdig-fmt', [], bytes);
      assert.ok(piped === want, `${label} on stdin: ${firstDiff(want, piped)}`);
    }
  });
}

test('lz4 interoperates with the lz4 CLI both ways, including -BD and concatenated frames', { skip: !HAVE_LZ4 && 'lz4 CLI not installed' }, () => {
  const cap = parityCaptures()[0]!;
  const plain = plainOf(cap);
  const p = join(dir, 'cli.scap');
  writeFileSync(p, plain);
  const want = tdigText('tdig-fmt', [p]);
  for (const opts of [[], ['-BD'], ['-B4', '-BD'], ['--content-size'], ['--no-frame-crc']]) {
    execFileSync('lz4', ['-q', '-f', ...opts, p, p + '.lz4']);
    const got = tdigText('tdig-fmt', [p + '.lz4']);
    assert.ok(got === want, `lz4 ${opts.join(' ')}: ${firstDiff(want, got)}`);
  }
  // concatenated frames: two halves compressed separately
  const half = 4096;
  writeFileSync(p + '.a', plain.subarray(0, half));
  writeFileSync(p + '.b', plain.subarray(half));
  execFileSync('lz4', ['-q', '-f', p + '.a', p + '.a.lz4']);
  execFileSync('lz4', ['-q', '-f', '-BD', p + '.b', p + '.b.lz4']);
  const cat = Buffer.concat([readFileSync(p + '.a.lz4'), readFileSync(p + '.b.lz4')]);
  assert.ok(tdigText('tdig-fmt', [], cat) === want, 'concatenated frames');
  // and ours through the CLI
  const r = tdig('tdig-fmt', ['--to', 'scap', '--lz4', p]);
  assert.equal(r.status, 0);
  const dec = execFileSync('lz4', ['-d', '-c'], { input: r.stdout, maxBuffer: 1 << 28 });
  assert.ok(dec.equals(plain), 'lz4 -d of tdig --lz4 output gives the capture back');
  const z = tdig('tdig-fmt', ['--to', 'scap', '-z', p]);
  assert.ok(gunzipSync(z.stdout).equals(plain), 'gunzip of tdig -z output gives the capture back');
});

test('gzip re-encoded to lz4 prints the same', () => {
  const cap = parityCaptures()[0]!;
  const want = tdigText('tdig-fmt', [cap]);
  const r = tdig('tdig-fmt', ['--to', 'scap', '--lz4', cap]);
  assert.ok(tdigText('tdig-fmt', [], r.stdout) === want);
});

test('sections concatenated into one stream print as sysdig prints them', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const caps = parityCaptures();
  const f = join(dir, 'two.scap');
  writeFileSync(f, Buffer.concat([plainOf(caps[1]!), plainOf(caps[2]!)]));
  const want = sysdig(['-r', f]);
  const got = tdigText('tdig-fmt', [f]);
  assert.ok(got === want, firstDiff(want, got));
});

test('-w narrows an existing file to 0600 and leaves a named pipe (or a device) as it is', () => {
  const cap = 'test/data/curl_google.scap';
  const want = tdig('tdig-fmt', ['--to', 'scap', cap]).stdout;
  // an existing regular file, wider: narrowed, for tdig-fmt --to scap, tdig-filter (scap and NDJSON)
  for (const [cmd, args] of [
    ['tdig-fmt', ['--to', 'scap']],
    ['tdig-filter', ['evt.type=open']],
    ['tdig-filter', ['--ndjson', 'evt.type=open']],
  ] as const) {
    const out = join(dir, 'wide.out');
    writeFileSync(out, 'old', { mode: 0o644 });
    chmodSync(out, 0o644);
    const r = tdig(cmd, [...args, '-w', out, cap]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(statSync(out).mode & 0o777, 0o600, `${cmd} ${args.join(' ')}: an existing file is narrowed to 0600`);
  }
  // a named pipe 0644: written through, its mode untouched (as /dev/null's must be: -w /dev/null is common)
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', ['-m', '644', fifo]);
  const reader = spawnSync('sh', ['-c', `cat '${fifo}' & '${process.execPath}' '${bin('tdig-fmt')}' --to scap -w '${fifo}' '${cap}'; wait`], { maxBuffer: 1 << 28 });
  assert.equal(reader.status, 0, reader.stderr.toString());
  assert.ok(reader.stdout.equals(want), 'the pipe carries the capture');
  assert.equal(statSync(fifo).mode & 0o777, 0o644, 'a named pipe keeps its mode');
});

test('-w alone writes scap, as sysdig -r IN -w OUT does; options of text output are refused with it', () => {
  const cap = 'test/data/curl_google.scap';
  const out = join(dir, 'plain-w.scap');
  const r = tdig('tdig-fmt', ['-r', cap, '-w', out]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.ok(readFileSync(out).equals(plainOf(cap)), 'the capture, re-encoded unchanged');
  assert.equal(statSync(out).mode & 0o777, 0o600);
  for (const [args, msg] of [
    [['-w', out, '-j'], /^tdig-fmt: -j, -p, -A, -x, -X and -b go with text output, not --to scap\n$/],
    [['--to', 'scap', '-A'], /^tdig-fmt: -j, -p, -A, -x, -X and -b go with text output, not --to scap\n$/],
    [['--ndjson', '-p', '%evt.num'], /^tdig-fmt: -j, -p, -A, -x, -X and -b go with text output, not --ndjson\n$/],
    [['-w', out, '--to', 'text'], /^tdig-fmt: -w, -z and --lz4 go with --to scap\n$/],
    [['-w', out, 'evt.type=open'], /^tdig-fmt: a filter goes with text or JSON output; to write the events that match: tdig-filter 'evt.type=open' IN -w .*plain-w\.scap\n$/],
  ] as const) {
    const e = tdig('tdig-fmt', [cap, ...args]);
    assert.equal(e.status, 2, args.join(' '));
    assert.match(e.stderr.toString(), msg);
    assert.equal(e.stdout.length, 0);
  }
});

test('-w naming an input (the same file, a hard link, or standard input) is refused, the input left whole', () => {
  const cap = join(dir, 'keep.scap');
  writeFileSync(cap, plainOf('test/data/curl_google.scap'));
  const link = join(dir, 'keep-link.scap');
  execFileSync('ln', ['-f', cap, link]);
  const before = readFileSync(cap);
  for (const [cmd, args] of [
    ['tdig-fmt', [cap, '-w', cap]],
    ['tdig-fmt', [cap, '-w', link, '-z']],
    ['tdig-filter', ['evt.type=open', cap, '-w', link]],
  ] as const) {
    const r = tdig(cmd, [...args]);
    assert.equal(r.status, 2, `${cmd} ${args.join(' ')}`);
    assert.match(r.stderr.toString(), new RegExp(`^${cmd}: -w \\S+ is the input \\S+: writing would empty it before it is read\\n$`));
  }
  const stdin = spawnSync('sh', ['-c', `'${process.execPath}' '${bin('tdig-filter')}' evt.type=open -w '${cap}' < '${cap}'`]);
  assert.equal(stdin.status, 2);
  assert.match(stdin.stderr.toString(), /is the input standard input/);
  assert.ok(readFileSync(cap).equals(before), 'the input is whole');
});
