// tdig-fmt --to scap -w FILE in parts (-C, -G, -e, -W; lib/scap/rotate.ts): each part opens on its own, in
// tdig and in sysdig, and prints its slice of what the whole capture prints: process, thread and fd names,
// roles and ports, and the first exits of a part (whose enters were in the part before) included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { HAVE_SYSDIG, ROOT, tdig, tdigText } from './helpers.js';

const CAPS = join(ROOT, 'test', 'captures');
const CURL = join(ROOT, 'test', 'data', 'curl_google.scap');

/** Fields that read the state: names, ids, parents, users, fd names, types, roles, ports, addresses, containers. */
const FIELDS =
  '*%evt.rawtime %evt.cpu %proc.name %thread.tid %proc.pid %proc.ppid %proc.pname %evt.dir %evt.type %fd.name %fd.type %fd.num ' +
  '%evt.info %proc.exe %proc.args %user.name %fd.is_server %fd.lport %fd.rport %fd.cip %fd.l4proto %proc.nchilds %thread.vtid %evt.latency ' +
  '%container.id %container.name %container.image %container.type %container.mounts';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'tdig-parts-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The parts in `dir` named base0, base1... in order. */
function parts(dir: string, base: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(base) && /^\d+$/.test(f.slice(base.length)))
    .sort((a, b) => Number(a.slice(base.length)) - Number(b.slice(base.length)))
    .map((f) => join(dir, f));
}

function sysdigText(args: string[]): string {
  const r = spawnSync('sysdig', args, { encoding: 'latin1', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `sysdig ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function split(cap: string, out: string, opts: string[]): void {
  const r = tdig('tdig-fmt', ['--to', 'scap', '-w', out, ...opts, cap]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(r.stderr.length, 0);
}

/**
 * What the process list cannot carry, at a cut: an IPv6 connection's client or server role (readers give one
 * only to IPv4 connections from it), an unconnected socket's flags, a tracer half parsed. The lines that
 * differ from the whole are those, on sockets and tracers, and few.
 */
function socketOrTracer(line: string): boolean {
  return / ipv[46] | tracer | write \/dev\/null /.test(line);
}

for (const [name, cap, every, exact] of [
  ['curl_google', CURL, 200, false],
  ['apache_ab', join(CAPS, 'apache_ab.scap'), 300, false],
  ['loopback_workload', join(CAPS, 'loopback_workload.scap'), 700, false],
  ['mixed_calls', join(CAPS, 'mixed_calls.scap'), 500, false],
  ['tracers', join(CAPS, 'tracers.scap'), 200, false],
  ['unix_threads', join(CAPS, 'unix_threads.scap'), 250, true],
  ['file_ops', join(CAPS, 'file_ops.scap'), 150, true],
  ['creds', join(CAPS, 'creds.scap'), 400, true],
  ['path_quirks', join(CAPS, 'path_quirks.scap'), 200, true],
  // each part starts with the container events of what is known (as sysdig's dumper starts each file); a
  // thread's health-probe category is not kept (the process list, read first, has no field for it)
  ['containers_json', join(CAPS, 'containers_json.scap'), 1500, true],
] as const) {
  test(`-e ${every} on ${name}: every part prints its slice of the whole, in tdig and in sysdig`, () => {
    withDir((dir) => {
      split(cap, join(dir, 'part'), ['-e', String(every)]);
      const list = parts(dir, 'part');
      assert.ok(list.length > 3, `${list.length} parts`);
      assert.equal(readdirSync(dir).length, list.length, 'nothing else left in the directory');
      for (const p of list) assert.equal(statSync(p).mode & 0o777, 0o600);
      const whole = tdigText('tdig-fmt', ['-p', FIELDS, cap]);
      const mine = list.map((p) => tdigText('tdig-fmt', ['-p', FIELDS, p])).join('');
      if (exact) {
        assert.equal(mine, whole);
      } else {
        // the lines of each that the other lacks (a tracer cut in two may print as its writes)
        const a = whole.split('\n');
        const b = mine.split('\n');
        const only = (x: string[], y: string[]): string[] => {
          const n = new Map<string, number>();
          for (const l of y) n.set(l, (n.get(l) ?? 0) + 1);
          return x.filter((l) => {
            const k = n.get(l) ?? 0;
            if (k === 0) return true;
            n.set(l, k - 1);
            return false;
          });
        };
        const lost = only(a, b);
        assert.ok(lost.length * 50 < a.length, `${lost.length} of ${a.length} lines differ`);
        for (const l of [...lost, ...only(b, a)]) assert.ok(socketOrTracer(l), l);
      }
      if (HAVE_SYSDIG) {
        // sysdig reads every part as tdig does, and the whole capture as tdig does
        assert.equal(sysdigText(['-r', cap, '-p', FIELDS]), whole, 'tdig and sysdig on the whole capture');
        assert.equal(list.map((p) => sysdigText(['-r', p, '-p', FIELDS])).join(''), mine);
      }
    });
  });
}

test('-C MB: parts of at most MB megabytes (but one event each at least), gzip parts included', () => {
  withDir((dir) => {
    const cap = join(CAPS, 'loopback_workload.scap');
    split(cap, join(dir, 'c'), ['-C', '1']);
    // the capture is ~0.5 MB: one part
    assert.equal(parts(dir, 'c').length, 1);
    const big = join(dir, 'big.scap');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'mkbig.js'), CURL, big, '40']);
    assert.equal(r.status, 0);
    split(big, join(dir, 's'), ['-C', '1']);
    const list = parts(dir, 's');
    const size = statSync(big).size;
    assert.ok(list.length >= Math.floor(size / 1e6), `${list.length} parts of ${size} bytes`);
    for (const p of list) assert.ok(statSync(p).size <= 1e6, `${p}: ${statSync(p).size}`);
    const F = '*%evt.num %evt.rawtime %proc.name %thread.tid %fd.name %evt.info';
    const renumbered = (t: string): string => t.replace(/^\d+ /gm, '');
    const whole = renumbered(tdigText('tdig-fmt', ['-p', F, big]));
    assert.equal(renumbered(list.map((p) => tdigText('tdig-fmt', ['-p', F, p])).join('')), whole);
  });
});

test('-C MB with -z or --lz4: MB counts the compressed file, as sysdig -C -z counts it (gzoffset)', () => {
  withDir((dir) => {
    const big = join(dir, 'big.scap');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'mkbig.js'), CURL, big, '250']);
    assert.equal(r.status, 0);
    // (not evt.info: an IPv6 connection's role, which a process list cannot carry, is lost at a cut)
    const F = '*%evt.num %evt.rawtime %proc.name %thread.tid %fd.name %evt.type %evt.dir %evt.res';
    const renumbered = (t: string): string => t.replace(/^\d+ /gm, '');
    const whole = renumbered(tdigText('tdig-fmt', ['-p', F, big]));
    const raw = statSync(big).size;
    for (const [flag, unpack] of [
      ['-z', (b: Buffer) => gunzipSync(b)],
      ['--lz4', undefined],
    ] as const) {
      const base = flag === '-z' ? 'z' : 'l';
      split(big, join(dir, base), ['-C', '1', flag]);
      const list = parts(dir, base);
      const sizes = list.map((p) => statSync(p).size);
      // each part but the last is 1 MB on disk, to within 1% over and 5% under (what is still held when a
      // part ends counts at the ratio reached so far; sysdig's parts run ~2% over); together they hold far
      // more than 1 MB a part
      sizes.forEach((n, i) => assert.ok(n <= 1.01e6 && (i === sizes.length - 1 || n > 0.95e6), `${flag} part ${i}: ${n} bytes`));
      assert.ok(list.length >= 2 && list.length < raw / 1e6 / 2, `${flag}: ${list.length} parts of a ${raw}-byte capture`);
      // a gzip part is one gzip file (of members), which gunzip reads whole
      if (unpack) for (const p of list) assert.equal(unpack(readFileSync(p)).readUInt32LE(0), 0x0a0d0d0a, p);
      assert.equal(renumbered(list.map((p) => tdigText('tdig-fmt', ['-p', F, p])).join('')), whole, flag);
      if (HAVE_SYSDIG && flag === '-z') {
        // sysdig reads each part as tdig does, and cuts the whole into as many
        for (const p of list) assert.equal(renumbered(sysdigText(['-r', p, '-p', F])), renumbered(tdigText('tdig-fmt', ['-p', F, p])), p);
        const sdir = join(dir, 'sysdig');
        mkdirSync(sdir);
        sysdigText(['-r', big, '-w', join(sdir, 'z'), '-C', '1', '-z']);
        assert.equal(parts(sdir, 'z').length, list.length);
      }
    }
  });
});

test('-e N: N events a part (internal ones included); -W N: N files whose names are reused in turn', () => {
  withDir((dir) => {
    mkdirSync(join(dir, 'all'));
    mkdirSync(join(dir, 'ring'));
    split(CURL, join(dir, 'all', 'p'), ['-e', '200']);
    const list = parts(join(dir, 'all'), 'p');
    // 1536 events (210 procinfo first): 8 parts, 200 events each but the first (199: sysdig's cycle writer counts
    // the event that ends a part in the part before) and the last (137)
    const events = (f: string): number => tdig('tdig-fmt', ['--ndjson', f]).stdout.toString().split('\n').filter((l) => l.startsWith('{"block":"event"') && !l.includes('"state_only":true')).length;
    assert.deepEqual(list.map(events), [199, 200, 200, 200, 200, 200, 200, 137]);
    if (HAVE_SYSDIG) {
      // sysdig -r -w -e 200 cuts the same parts (of a capture whose header blocks it writes again readably:
      // tdig-fmt reads its parts, sysdig cannot)
      const cap = join(CAPS, 'loopback_workload.scap');
      mkdirSync(join(dir, 'sysdig'));
      mkdirSync(join(dir, 'lw'));
      sysdigText(['-r', cap, '-w', join(dir, 'sysdig', 'p'), '-e', '200']);
      split(cap, join(dir, 'lw', 'p'), ['-e', '200']);
      const [theirs, ours] = [parts(join(dir, 'sysdig'), 'p'), parts(join(dir, 'lw'), 'p')];
      assert.ok(ours.length > 2);
      assert.equal(theirs.length, ours.length);
      const T = '*%evt.rawtime %evt.type';
      theirs.forEach((f, i) => assert.equal(tdigText('tdig-fmt', ['-p', T, f]), tdigText('tdig-fmt', ['-p', T, ours[i]!]), f));
    }
    split(CURL, join(dir, 'ring', 'w'), ['-e', '200', '-W', '3']);
    assert.deepEqual(readdirSync(join(dir, 'ring')).sort(), ['w0', 'w1', 'w2']);
    // the last three written: part 5 (w2), part 6 (w0), part 7 (w1)
    assert.ok(readFileSync(join(dir, 'ring', 'w2')).equals(readFileSync(list[5]!)));
    assert.ok(readFileSync(join(dir, 'ring', 'w0')).equals(readFileSync(list[6]!)));
    assert.ok(readFileSync(join(dir, 'ring', 'w1')).equals(readFileSync(list[7]!)));
  });
});

test('-G SECONDS: parts by capture time, named by strftime of their first event; -W N keeps the last N', () => {
  withDir((dir) => {
    const cap = join(CAPS, 'logs', 'log_writes.scap');
    split(cap, join(dir, 'g-%s'), ['-G', '1']);
    const names = readdirSync(dir).sort();
    assert.ok(names.length >= 2, names.join(' '));
    const F = '*%evt.rawtime %proc.name %fd.name %evt.info';
    const whole = tdigText('tdig-fmt', ['-p', F, cap]);
    const texts = names.map((n) => tdigText('tdig-fmt', ['-p', F, join(dir, n)]));
    assert.equal(texts.join(''), whole);
    for (let i = 0; i < names.length; i++) {
      const times = texts[i]!.trim().split('\n').map((l) => BigInt(l.split(' ')[0]!));
      // named after its first event's second; whole seconds, as sysdig's cycle writer counts them: with -G 1,
      // every event of a part is in that one second
      assert.equal(names[i], `g-${times[0]! / 1000000000n}`);
      assert.equal(times[times.length - 1]! / 1000000000n, times[0]! / 1000000000n);
    }
    if (HAVE_SYSDIG) {
      // sysdig -r -w -G 1 cuts the same parts (it names its first one first_dump.scap, in the working directory,
      // and cannot read its parts back: tdig-fmt reads them)
      const sdir = join(dir, 'sysdig');
      mkdirSync(sdir);
      const r = spawnSync('sysdig', ['-r', cap, '-w', join(sdir, 'g-%s'), '-G', '1'], { cwd: sdir, encoding: 'latin1' });
      assert.equal(r.status, 0, r.stderr);
      const T = '*%evt.rawtime';
      const theirs = readdirSync(sdir).filter((n) => n.startsWith('g-')).sort();
      assert.deepEqual(theirs, names.slice(1));
      for (const n of theirs) assert.equal(tdigText('tdig-fmt', ['-p', T, join(sdir, n)]), tdigText('tdig-fmt', ['-p', T, join(dir, n)]), n);
      assert.equal(tdigText('tdig-fmt', ['-p', T, join(sdir, 'first_dump.scap')]), tdigText('tdig-fmt', ['-p', T, join(dir, names[0]!)]));
    }
    // -W N: the last N parts, each in its own file (sysdig's cycle writer removes the file N parts before)
    withDir((d2) => {
      split(cap, join(d2, 'h-%s'), ['-G', '1', '-W', '2']);
      assert.deepEqual(readdirSync(d2).sort(), names.slice(-2).map((n) => n.replace('g-', 'h-')));
      for (const n of readdirSync(d2)) assert.ok(readFileSync(join(d2, n)).equals(readFileSync(join(dir, n.replace('h-', 'g-')))), n);
    });
    // a name without a strftime code takes the part's number, as sysdig's does (one name would be written over)
    withDir((d3) => {
      split(cap, join(d3, 'k'), ['-G', '1']);
      assert.deepEqual(readdirSync(d3).sort(), names.map((_n, i) => `k${i}`).sort());
    });
  });
});

test('-C, -G, -e and -W: usage errors without --to scap -w, and -W alone', () => {
  for (const args of [['-e', '10', CURL], ['--to', 'scap', '-e', '10', CURL], ['--to', 'scap', '-w', '/dev/null', '-W', '2', CURL], ['--to', 'scap', '-w', '/dev/null', '-C', 'x', CURL]]) {
    const r = tdig('tdig-fmt', args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stderr.toString().split('\n').length, 2, r.stderr.toString());
  }
  // 0 of each is refused, as sysdig refuses it ("invalid file size", "invalid duration"...): it made a
  // file for every event
  const dir = mkdtempSync(join(tmpdir(), 'tdig-rot0-'));
  try {
    for (const flag of ['-C', '-G', '-e', '-W']) {
      const extra = flag === '-W' ? ['-C', '1'] : [];
      const r = tdig('tdig-fmt', ['-r', CURL, '-w', join(dir, 'out'), ...extra, flag, '0']);
      assert.equal(r.status, 2, flag);
      assert.equal(r.stderr.toString(), `tdig-fmt: ${flag} needs a number above 0, not "0"\n`);
      const c = tdig('tdig-capture', ['-w', join(dir, 'out'), ...extra, flag, '0']);
      assert.equal(c.status, 2, `tdig-capture ${flag}`);
      assert.equal(c.stderr.toString(), `tdig-capture: ${flag}: bad number '0'\n`);
    }
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
