// Parity of tdig-echo's around chisel, and of the dump_file_name/dump_range_ms dumps of spy_logs and
// spy_syslog, with sysdig 0.29.3: every case of test/golden/around/CASES (goldens from
// tools/mkgolden-around.sh) and, when sysdig is installed, sysdig run live.
// - the chisel's output is byte-identical;
// - the dump: `sysdig -r` on tdig's file prints what it prints on sysdig's (default text, and -p with event
//   numbers, which both files share because they hold the same blocks); tdig-fmt -p on tdig's file prints the
//   golden of a format without event numbers (no sysdig needed);
// - tdig's file is 0600; tdig reads a pipe, where sysdig cannot seek; deliberate differences hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { GOLDEN, HAVE_SYSDIG, ROOT, bin, firstDiff, golden } from './helpers.js';

const P = '%evt.num %evt.type %proc.name %fd.name';
const Q = '*%evt.rawtime %evt.cpu %thread.tid %evt.dir %evt.type %proc.name %fd.name';

interface AroundCase {
  id: string;
  captures: string[];
  chisel: string;
  args: string;
  filter: string;
}

function cases(): AroundCase[] {
  const out: AroundCase[] = [];
  for (const line of readFileSync(join(GOLDEN, 'around', 'CASES'), 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [id, caps, chisel, args, filter] = line.split('|').map((s) => s.trim());
    out.push({ id: id!, captures: caps!.split(','), chisel: chisel!, args: args ?? '', filter: filter ?? '' });
  }
  return out;
}

function capturePath(name: string): string {
  for (const dir of ['test/data', 'test/captures', 'test/captures/logs']) {
    const p = join(ROOT, dir, `${name}.scap`);
    if (existsSync(p)) return p;
  }
  throw new Error(`no capture ${name}`);
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'tdig-around-'));
}

/** The chisel's words after the chisel name: "dump.scap ARGS" and the filter. */
function words(c: AroundCase, dump = 'dump.scap'): string[] {
  const w = [c.args !== '' ? `${dump} ${c.args}` : dump];
  if (c.filter !== '') w.push(c.filter);
  return w;
}

function tdigEcho(cwd: string, args: string[], input?: Buffer): SpawnSyncReturns<Buffer> {
  return spawnSync(process.execPath, [bin('tdig-echo'), ...args], { cwd, input, maxBuffer: 1 << 30 });
}

function run(cmd: string, args: string[], cwd?: string): SpawnSyncReturns<Buffer> {
  return spawnSync(cmd, args, { cwd, maxBuffer: 1 << 30 });
}

/** stdout of a command that must succeed */
function text(cmd: string, args: string[], cwd?: string): string {
  const r = run(cmd, args, cwd);
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout.toString('latin1');
}

function tdigFmt(args: string[]): string {
  return text(process.execPath, [bin('tdig-fmt'), ...args]);
}

const noMatch = (out: string): boolean => / around 0 syslog entries | for 0 log entries/.test(out);

for (const c of cases()) {
  for (const name of c.captures) {
    test(`${c.chisel} ${c.id} on ${name}: output and dump as sysdig's`, () => {
      const cap = capturePath(name);
      const dir = scratch();
      try {
        const r = tdigEcho(dir, [c.chisel, ...words(c), cap]);
        assert.equal(r.status, 0, r.stderr.toString());
        const want = golden(`around/${name}/${c.id}.out.gz`);
        const got = r.stdout.toString('latin1');
        assert.ok(got === want, `chisel output: ${firstDiff(want, got)}`);
        const dump = join(dir, 'dump.scap');
        assert.equal(statSync(dump).mode & 0o777, 0o600, 'the dump file is created 0600');
        if (noMatch(want)) {
          // deliberate: sysdig's filter is then empty and its file holds the whole capture; tdig's holds no event to show
          assert.equal(tdigFmt([dump]), '');
          assert.ok(golden(`around/${name}/${c.id}.text.gz`).length > 0, 'sysdig wrote the whole capture');
          if (HAVE_SYSDIG) assert.equal(text('sysdig', ['-r', dump]), '');
          return;
        }
        const q = golden(`around/${name}/${c.id}.q.gz`);
        assert.ok(q.length > 0);
        const gq = tdigFmt(['-p', Q, dump]);
        assert.ok(gq === q, `tdig-fmt -p on the dump: ${firstDiff(q, gq)}`);
        if (HAVE_SYSDIG) {
          const t = golden(`around/${name}/${c.id}.text.gz`);
          const gt = text('sysdig', ['-r', dump]);
          assert.ok(gt === t, `sysdig -r on tdig's dump: ${firstDiff(t, gt)}`);
          const p = golden(`around/${name}/${c.id}.p.gz`);
          const gp = text('sysdig', ['-r', dump, '-p', P]);
          assert.ok(gp === p, `sysdig -r -p on tdig's dump: ${firstDiff(p, gp)}`);
        }
        if (c.chisel === 'around') {
          // only the threads of the matches: "TIME PROC(TID)" names them
          const tids = new Set([...got.matchAll(/\((-?\d+)\)\n/g)].map((m) => m[1]));
          for (const tid of tdigFmt(['-p', '%thread.tid', dump]).split('\n')) if (tid !== '') assert.ok(tids.has(tid), `event of thread ${tid}, which had no match`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}

test('sysdig run live: same chisel output, and sysdig -r prints the same for both dumps', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const live: [string, AroundCase][] = [
    ['loopback_workload', { id: 'a', captures: [], chisel: 'around', args: '3', filter: 'evt.type=openat and evt.failed=true' }],
    ['unix_threads', { id: 'b', captures: [], chisel: 'around', args: '2', filter: 'evt.type=connect or evt.type=accept' }],
    ['log_writes', { id: 'c', captures: [], chisel: 'spy_logs', args: '20', filter: '' }],
    ['log_writes_even', { id: 'd', captures: [], chisel: 'spy_syslog', args: '1', filter: '' }],
    ['log_writes', { id: 'e', captures: [], chisel: 'around', args: '', filter: 'proc.name=logger and evt.type=execve' }],
  ];
  for (const [name, c] of live) {
    const cap = capturePath(name);
    const dir = scratch();
    try {
      const want = text('sysdig', ['-r', cap, '-c', c.chisel, ...words(c, 'sysdig.scap')], dir).replace(/sysdig\.scap/g, 'tdig.scap');
      const r = tdigEcho(dir, [c.chisel, ...words(c, 'tdig.scap'), cap]);
      assert.equal(r.status, 0, r.stderr.toString());
      assert.equal(r.stdout.toString('latin1'), want, `${c.chisel} ${c.args} ${c.filter} on ${name}`);
      for (const args of [[], ['-p', P]]) {
        const s = text('sysdig', ['-r', join(dir, 'sysdig.scap'), ...args]);
        const t = text('sysdig', ['-r', join(dir, 'tdig.scap'), ...args]);
        assert.ok(s.length > 0);
        assert.ok(s === t, `${c.chisel} on ${name} ${args.join(' ')}: ${firstDiff(s, t)}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

/** sysdig's evt.around filter for the matches of FILTER: what its second run keeps. */
function windowFilter(cap: string, filter: string, ms: number): string {
  const m = text('sysdig', ['-r', cap, '-p', '%evt.rawtime %thread.tid', filter]).trim().split('\n');
  return m.map((l) => l.split(' ')).map(([ts, tid]) => `(evt.around[${ts}]=${ms} and thread.tid=${tid})`).join(' or ');
}

test('captures whose sysdig -w copy sysdig cannot read, and concatenated sections: tdig\'s dump shows what sysdig\'s window filter shows on the original', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const dir = scratch();
  try {
    const joined = join(dir, 'two-sections.scap');
    writeFileSync(joined, Buffer.concat([readFileSync(capturePath('unix_threads')), readFileSync(capturePath('loopback_workload'))]));
    const inputs: [string, string, number][] = [
      [capturePath('curl_google'), 'evt.is_io=true', 1],
      [capturePath('test_ipv6_client'), 'evt.type=connect', 5],
      [capturePath('synth3'), 'evt.is_io=true', 1],
      [joined, 'evt.type=openat and evt.failed=true', 1],
    ];
    for (const [cap, filter, ms] of inputs) {
      const r = tdigEcho(dir, ['around', `tdig.scap ${ms}`, filter, cap]);
      assert.equal(r.status, 0, r.stderr.toString());
      const want = text('sysdig', ['-r', cap, '-p', Q, windowFilter(cap, filter, ms)]);
      const got = text('sysdig', ['-r', join(dir, 'tdig.scap'), '-p', Q]);
      assert.ok(want.length > 0);
      assert.ok(got === want, `${cap}: ${firstDiff(want, got)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pipe works: the same output and the same dump as from the file (sysdig cannot seek a pipe)', () => {
  const cap = capturePath('loopback_workload');
  const dir = scratch();
  try {
    const filter = 'evt.type=openat and evt.failed=true';
    const fromFile = tdigEcho(dir, ['around', 'file.scap 2', filter, cap]);
    const fromPipe = tdigEcho(dir, ['around', 'pipe.scap 2', filter], readFileSync(cap));
    assert.equal(fromPipe.status, 0, fromPipe.stderr.toString());
    assert.equal(fromPipe.stdout.toString().replace('pipe.scap', 'file.scap'), fromFile.stdout.toString());
    assert.ok(readFileSync(join(dir, 'pipe.scap')).equals(readFileSync(join(dir, 'file.scap'))), 'same bytes');
    assert.equal(statSync(join(dir, 'pipe.scap')).mode & 0o777, 0o600);
    const logs = capturePath('log_writes');
    const spy = tdigEcho(dir, ['spy_logs', 'logs.scap 50'], readFileSync(logs));
    assert.equal(spy.status, 0, spy.stderr.toString());
    assert.match(spy.stdout.toString(), /\nWriting events for 7 log entries\n$/);
    assert.ok(tdigFmt([join(dir, 'logs.scap')]).length > 0);
    if (HAVE_SYSDIG) {
      const s = spawnSync('sh', ['-c', `cat "${cap}" | sysdig -r /dev/stdin -c around "sysdig.scap 2" "${filter}"`], { cwd: dir });
      assert.notEqual(s.status, 0, 'sysdig fails on a pipe');
      assert.equal(existsSync(join(dir, 'sysdig.scap')), false);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on a terminal (forced) the colour reset comes before the closing line, as sysdig prints it on a tty', () => {
  const dir = scratch();
  try {
    const a = tdigEcho(dir, ['--color', 'around', 'a.scap', 'evt.type=openat and evt.failed=true', capturePath('loopback_workload')]).stdout.toString();
    assert.ok(a.endsWith('\x1b[0m\n\nSaving events around 17 syslog entries to a.scap\n'), JSON.stringify(a.slice(-80)));
    const l = tdigEcho(dir, ['--color', 'spy_logs', 'l.scap', capturePath('log_writes')]).stdout.toString();
    assert.ok(l.endsWith('\x1b[0m\nWriting events for 7 log entries\n'), JSON.stringify(l.slice(-80)));
    const n = tdigEcho(dir, ['--color', 'spy_logs', 'n.scap 10 disable_color', capturePath('log_writes')]).stdout.toString();
    assert.ok(n.endsWith('\nWriting events for 7 log entries\n') && !n.includes('\x1b['), JSON.stringify(n.slice(-80)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad arguments: one line naming the chisel, no file written over an input, no stack trace', () => {
  const cap = capturePath('loopback_workload');
  const dir = scratch();
  const oneLine = (r: SpawnSyncReturns<Buffer>, status: number, re: RegExp) => {
    const err = r.stderr.toString();
    assert.equal(r.status, status, err);
    assert.equal(err.split('\n').length, 2, err);
    assert.match(err, re);
    assert.doesNotMatch(err, /\n\s+at /);
  };
  try {
    const before = readFileSync(cap);
    const nofilter = tdigEcho(dir, ['around', 'x.scap', cap]);
    oneLine(nofilter, 1, /^tdig-echo: around: init\(\) for chisel around failed\.$/m);
    assert.equal(nofilter.stdout.toString(), 'no filter specified\n');
    oneLine(tdigEcho(dir, ['around', 'x.scap abc', 'evt.type=openat', cap]), 2, /^tdig-echo: around: dump_range_ms must be a whole number of milliseconds, not "abc"$/m);
    oneLine(tdigEcho(dir, ['around', 'x.scap -1', 'evt.type=openat', cap]), 2, /^tdig-echo: around: dump_range_ms/m);
    oneLine(tdigEcho(dir, ['spy_syslog', 'x.scap 1.5', cap]), 2, /^tdig-echo: spy_syslog: dump_range_ms/m);
    oneLine(tdigEcho(dir, ['around']), 2, /^tdig-echo: around: missing arguments for chisel around/m);
    oneLine(tdigEcho(dir, ['around', '/nonexistent/dir/x.scap', 'evt.type=openat', cap]), 1, /^tdig-echo: around: cannot write \/nonexistent\/dir\/x\.scap: no such directory$/m);
    oneLine(tdigEcho(dir, ['around', cap, 'evt.type=openat', cap]), 2, /^tdig-echo: around: the dump file .* is also an input/m);
    assert.ok(readFileSync(cap).equals(before), 'the input is untouched');
    assert.equal(existsSync(join(dir, 'x.scap')), false);
    // a truncated input: what came before the fault is in the file, and the error is one line
    const cut = join(dir, 'cut.scap');
    writeFileSync(cut, before.subarray(0, 100_000));
    oneLine(tdigEcho(dir, ['around', 'cut-dump.scap', 'evt.type=openat and evt.failed=true', cut]), 1, /^tdig-echo: truncated block/m);
    assert.ok(tdigFmt([join(dir, 'cut-dump.scap')]).length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an existing dump file is overwritten (0600 again) when it follows the chisel name and inputs are named', () => {
  const cap = capturePath('loopback_workload');
  const dir = scratch();
  try {
    const old = join(dir, 'old.scap');
    writeFileSync(old, 'x', { mode: 0o644 });
    const r = tdigEcho(dir, ['around', 'old.scap', 'evt.type=openat and evt.failed=true', cap]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(statSync(old).mode & 0o777, 0o600);
    assert.ok(tdigFmt([old]).length > 0);
    // spy_logs' arguments are optional: a name that does not exist yet right after it is the dump file
    const s = tdigEcho(dir, ['spy_logs', 'new.scap', capturePath('log_writes')]);
    assert.equal(s.status, 0, s.stderr.toString());
    assert.ok(existsSync(join(dir, 'new.scap')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
