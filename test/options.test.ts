// sysdig options of reading: -v's counters on stderr at the end, -E (no user table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { HAVE_SYSDIG, tdig, tdigText } from './helpers.js';

const CAP = 'test/captures/apache_ab.scap';
const LINES = /^Driver Events:0\nDriver Drops:0\nSuppressed by Comm:(\d+)\nElapsed time: \d+\.\d{3}, Captured Events: (\d+), (?:\d+\.\d\d|inf|-nan) eps\n$/;

function stats(args: string[]): { suppressed: number; events: number; stdout: string } {
  const r = tdig('tdig-fmt', ['-v', ...args]);
  assert.equal(r.status, 0, r.stderr.toString());
  const m = LINES.exec(r.stderr.toString());
  assert.ok(m, `stderr: ${JSON.stringify(r.stderr.toString())}`);
  return { suppressed: Number(m[1]), events: Number(m[2]), stdout: r.stdout.toString() };
}

test('-v counts the events that pass the filter, and those -U left out', () => {
  // every event printed by -p with a filter is one counted (accept events are never hidden)
  const f = stats(['-p', '%evt.num', CAP, 'evt.type=accept']);
  assert.equal(f.events, f.stdout.split('\n').length - 1);
  assert.ok(f.events > 0);
  assert.equal(f.suppressed, 0);
  // -d: every event passes; -n stops the count where it stops reading
  const all = stats(['-q', '-d', CAP, 'evt.type=accept']);
  assert.ok(all.events > f.events);
  assert.equal(stats(['-q', '-n', '123', CAP]).events, 123);
  const u = stats(['-q', '-U', 'ab', CAP]);
  assert.ok(u.suppressed > 0);
  assert.equal(u.events + u.suppressed, all.events, 'the events of ab are left out before they are counted');
  // without -v, nothing on stderr
  assert.equal(tdig('tdig-fmt', ['-q', CAP]).stderr.length, 0);
});

test('-v prints what sysdig -v prints but the CPU time', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const strip = (s: string) => s.replace(/Elapsed time: [\d.]+/, 'T').replace(/, [\d.]+ eps/, '');
  for (const args of [['-q'], ['-q', '-U', 'ab'], ['-q', 'evt.type=accept'], ['-q', '-d', 'evt.type=read'], ['-n', '30'], ['-q', '-n', '100', '-U', 'ab']]) {
    const s = spawnSync('sysdig', ['-r', CAP, '-v', ...args]);
    const t = tdig('tdig-fmt', ['-r', CAP, '-v', ...args]);
    assert.equal(strip(t.stderr.toString()), strip(s.stderr.toString()), args.join(' '));
    assert.ok(t.stdout.equals(s.stdout), args.join(' '));
  }
});

test('-E: the user and group tables of the capture are not used, in tdig-fmt, tdig-filter and the chisels', () => {
  const fmt = ['-p', '*%evt.num %user.name %group.name %user.uid'];
  const withUsers = tdig('tdig-fmt', [...fmt, '-n', '50', CAP]).stdout.toString();
  assert.match(withUsers, /^\d+ root root 0$/m, 'the capture has a user table');
  const without = tdig('tdig-fmt', ['-E', ...fmt, '-n', '50', CAP]).stdout.toString();
  assert.equal(without, withUsers.replace(/^(\d+) root root 0$/gm, '$1 <NA> <NA> 0').replace(/ www-data www-data /g, ' <NA> <NA> '));
  // a format without "*" prints no line when a field has no value
  assert.equal(tdig('tdig-fmt', ['-E', '-p', '%evt.num %user.name', CAP]).stdout.length, 0);
  assert.equal(tdig('tdig-filter', ['-E', 'user.name=root', CAP, '--thin']).stdout.length > 0, true, 'the header still');
  assert.equal(tdigText('tdig-fmt', ['-'], tdig('tdig-filter', ['-E', 'user.name=root', CAP]).stdout), '', 'no event matches');
  assert.ok(tdigText('tdig-fmt', ['-'], tdig('tdig-filter', ['user.name=root', CAP]).stdout).length > 0);
});

test('-E prints what sysdig -E prints', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  for (const args of [['-p', '*%evt.num %user.name %group.name %user.uid %user.homedir'], ['-p', '%evt.num %user.name'], ['-j', '-n', '30'], ['-p', '%evt.num', 'user.uid=0'], ['user.name=root']]) {
    const want = spawnSync('sysdig', ['-r', CAP, '-E', ...args], { maxBuffer: 1 << 28 }).stdout.toString();
    assert.equal(tdigText('tdig-fmt', ['-r', CAP, '-E', ...args]), want, args.join(' '));
  }
  for (const c of ['ps', 'topprocs_net']) {
    const want = spawnSync('sysdig', ['-r', CAP, '-E', '-c', c], { maxBuffer: 1 << 28 }).stdout.toString();
    assert.equal(tdigText('tdig-agg', ['-E', c, CAP]), want, c);
  }
});

test('tdig-agg and tdig-echo -v: the same counters, after the chisel printed (sysdig -v -c)', () => {
  const run = (cmd: string, args: string[]): { events: number; suppressed: number; stdout: string } => {
    const r = tdig(cmd, ['-v', ...args]);
    assert.equal(r.status, 0, r.stderr.toString());
    const m = LINES.exec(r.stderr.toString());
    assert.ok(m, `stderr: ${JSON.stringify(r.stderr.toString())}`);
    return { suppressed: Number(m[1]), events: Number(m[2]), stdout: r.stdout.toString() };
  };
  const all = stats(['-q', CAP]).events;
  const agg = run('tdig-agg', ['topprocs_net', CAP]);
  assert.equal(agg.events, all);
  assert.equal(agg.stdout, tdigText('tdig-agg', ['topprocs_net', CAP]), '-v leaves the table alone');
  assert.equal(run('tdig-echo', ['echo_fds', '-n', '300', CAP]).events, 300);
  const u = run('tdig-agg', ['-U', 'ab', 'topconns', CAP]);
  assert.equal(u.events + u.suppressed, all);
  assert.equal(run('tdig-agg', ['topconns', 'evt.type=accept', CAP]).events, stats(['-q', CAP, 'evt.type=accept']).events);
});

test('tdig-agg -v prints what sysdig -v -c prints but the CPU time', { skip: !HAVE_SYSDIG && 'sysdig not installed' }, () => {
  const strip = (s: string) => s.replace(/Elapsed time: [\d.]+/, 'T').replace(/, [\d.]+ eps/, '');
  for (const args of [['-c', 'topprocs_net'], ['-c', 'topprocs_net', '-U', 'ab'], ['-c', 'fdbytes_by', 'proc.name', 'evt.type=read'], ['-c', 'topconns', '-c', 'topprocs_net']]) {
    const s = spawnSync('sysdig', ['-r', CAP, '-v', ...args]);
    const t = tdig('tdig-agg', ['-r', CAP, '-v', ...args]);
    assert.equal(strip(t.stderr.toString()), strip(s.stderr.toString()), args.join(' '));
  }
});

// -D: internal events (procinfo: one per process at the start of curl_google.scap, before its first system call)
const OLD = 'test/data/curl_google.scap';

test('-D: internal events are printed, counted by -n and -v, and pass the filter', () => {
  const lines = (args: string[]) => tdigText('tdig-fmt', args).split('\n').filter((l) => l !== '');
  const plain = lines([OLD]);
  const all = lines(['-D', OLD]);
  const procinfo = all.filter((l) => / > procinfo cpu_usr=\d+ cpu_sys=\d+ $/.test(l));
  assert.ok(procinfo.length > 100, `${procinfo.length} procinfo lines`);
  assert.equal(plain.filter((l) => l.includes(' procinfo ')).length, 0, 'not without -D');
  assert.equal(all.length, plain.length + procinfo.length, 'the other events are printed as without -D');
  // -n counts them: the first 20 events are all procinfo
  assert.deepEqual(lines(['-D', '-n', '20', OLD]), all.slice(0, 20));
  // through a filter they fail; -d still decides
  const opens = lines(['-D', OLD, 'evt.type=open']);
  assert.equal(opens.filter((l) => l.includes(' procinfo ')).length, procinfo.length);
  assert.equal(opens.length - procinfo.length, lines([OLD, 'evt.type=open']).length);
  assert.deepEqual(lines(['-D', '-d', OLD, 'evt.type=open']), lines(['-d', OLD, 'evt.type=open']));
  // -v: the same count as the lines (every event here prints)
  const v = tdig('tdig-fmt', ['-D', '-q', '-v', OLD, 'evt.type=open']);
  assert.match(v.stderr.toString(), new RegExp(`Captured Events: ${opens.length},`));
  // getopt's spellings; not with scap or NDJSON output
  assert.deepEqual(lines(['-Dn5', OLD]), all.slice(0, 5));
  for (const out of [['--to', 'scap'], ['--ndjson']]) {
    const r = tdig('tdig-fmt', ['-D', ...out, OLD]);
    assert.equal(r.status, 2);
    assert.match(r.stderr.toString(), /-D go with text or JSON output/);
  }
});

test('-D: tdig-agg and tdig-echo hand the internal events to the chisels through the filter', () => {
  const rows = (args: string[]) => tdigText('tdig-agg', ['topprocs_cpu', ...args]).split('\n').slice(2).filter((l) => l !== '');
  const sshd = rows(['proc.name=sshd', 'test/data/single_ipv6_conn.scap']);
  assert.ok(sshd.length > 0 && sshd.every((l) => / sshd +\d+$/.test(l)), sshd.join('\n'));
  // with -D every process's procinfo comes through: the busiest process is not sshd
  const all = rows(['-D', 'proc.name=sshd', 'test/data/single_ipv6_conn.scap']);
  assert.equal(all.length, 10);
  assert.match(all[0]!, /emacs/);
  const r = tdig('tdig-echo', ['-D', '-n', '5', 'echo_fds', OLD]);
  assert.equal(r.status, 0, r.stderr.toString());
});

test('sysdig\'s capture options (-s N, -F, -T, --large-environment, --page-faults) are taken and change nothing, as in sysdig reading a capture', () => {
  const plain = tdigText('tdig-fmt', ['-A', CAP]);
  for (const args of [['-s', '4096'], ['-s4096'], ['--snaplen=20'], ['--snaplen', '20'], ['-F'], ['--fatfile'], ['-T'], ['--large-environment'], ['--page-faults']]) {
    assert.equal(tdigText('tdig-fmt', ['-A', ...args, CAP]), plain, args.join(' '));
    if (HAVE_SYSDIG) assert.equal(spawnSync('sysdig', ['-r', CAP, '-A', ...args], { maxBuffer: 1 << 28 }).stdout.toString(), plain, `sysdig ${args.join(' ')}`);
  }
  // -s still wants a number
  const r = tdig('tdig-fmt', ['-s', 'x', CAP]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.toString(), 'tdig-fmt: -s needs a number, not "x"\n');
});

test('tdig-agg and tdig-echo take sysdig\'s capture options too, and print the same', () => {
  for (const [cmd, chisel] of [['tdig-agg', 'topprocs_net'], ['tdig-echo', 'echo_fds']] as const) {
    const plain = tdigText(cmd, [chisel, CAP]);
    for (const args of [['-s', '4096'], ['--snaplen=20'], ['-F'], ['-T'], ['--large-environment'], ['--page-faults']]) {
      assert.equal(tdigText(cmd, [...args, chisel, CAP]), plain, `${cmd} ${args.join(' ')}`);
    }
  }
});

test('-n 0 is refused as sysdig refuses it ("invalid event count 0"), in one line, exit 2', () => {
  for (const [cmd, args] of [['tdig-fmt', []], ['tdig-agg', ['topconns']], ['tdig-echo', ['echo_fds']], ['tdig-filter', ['evt.type=open']]] as const) {
    const r = tdig(cmd, ['-n', '0', ...args, CAP]);
    assert.equal(r.status, 2, cmd);
    assert.equal(r.stderr.toString(), `${cmd}: invalid event count 0\n`);
    assert.equal(r.stdout.length, 0);
  }
  if (HAVE_SYSDIG) assert.match(spawnSync('sysdig', ['-r', CAP, '-n', '0'], { encoding: 'utf8' }).stderr, /invalid event count 0/);
});

test('tdig-fmt -c, -cl and -i (sysdig\'s chisel options) say where the chisels are, exit 2', () => {
  for (const args of [['-c', 'topconns'], ['-ctopconns'], ['-cl'], ['-i', 'topconns']]) {
    const r = tdig('tdig-fmt', [...args, CAP]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr.toString(), /^tdig-fmt: -c[l]?: chisels run in tdig-agg \(tables\) and tdig-echo|^tdig-fmt: -i: chisels run in tdig-agg/);
  }
});
