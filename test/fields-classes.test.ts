// Field classes other than evt: catalogue vs `sysdig -l`, and the tricky semantics of libsinsp 0.29.3.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

import { EventView } from '../lib/scap/event.js';
import { EVENT_HEADER_V2 } from '../lib/scap/blocks.js';
import { eventInfo } from '../lib/events/table.js';
import {
  CL_CLONE_THREAD,
  FD_FILE_V2,
  FD_IPV4_SERVSOCK,
  FD_IPV4_SOCK,
  FD_IPV6_SOCK,
  FD_UNIX_SOCK,
  FDF_ROLE_CLIENT,
  FDF_ROLE_SERVER,
  L4_TCP,
  L4_UDP,
  Fd,
  StateTables,
  Thread,
} from '../lib/state/model.js';
import { BufferFormat, type Ctx, type FieldArg, type FieldClass, type FieldValue } from '../lib/fields/types.js';
import { processClass } from '../lib/fields/proc.js';
import { userClass, groupClass } from '../lib/fields/user.js';
import { containerClass, globMatch } from '../lib/fields/container.js';
import { fdClass, concatenatePaths } from '../lib/fields/fd.js';
import { concatenatePathBytes } from '../lib/events/render.js';
import { fdlistClass, ipv6ToString } from '../lib/fields/fdlist.js';
import { syslogClass, parseSyslog } from '../lib/fields/syslog.js';

const CLASSES: FieldClass[] = [processClass, userClass, groupClass, containerClass, fdClass, syslogClass, fdlistClass];

// ---------------------------------------------------------------------------------------------------------
// helpers

function i64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return b;
}

function cstr(s: string): Buffer {
  return Buffer.from(s + '\0', 'latin1');
}

/** A v2 event with the given params. */
function event(type: number, tid: number, params: Buffer[], ts = 1_000_000_000n): EventView {
  const lens = params.length * 2;
  const len = EVENT_HEADER_V2 + lens + params.reduce((a, p) => a + p.length, 0);
  const b = Buffer.alloc(len);
  b.writeBigUInt64LE(ts, 0);
  b.writeBigInt64LE(BigInt(tid), 8);
  b.writeUInt32LE(len, 16);
  b.writeUInt16LE(type, 20);
  b.writeUInt32LE(params.length, 22);
  let o = EVENT_HEADER_V2;
  for (const p of params) {
    b.writeUInt16LE(p.length, o);
    o += 2;
  }
  for (const p of params) {
    p.copy(b, o);
    o += p.length;
  }
  const ev = new EventView();
  ev.set(b, 0, false, false, params.length);
  return ev;
}

interface CtxOpts {
  type: number;
  params?: Buffer[];
  thread?: Thread;
  fd?: Fd;
  fdNum?: number;
  tables: StateTables;
  texts?: Record<number, { text: string; resolved: string }>;
  ts?: bigint;
}

function ctx(o: CtxOpts): Ctx {
  const info = eventInfo(o.type);
  assert.ok(info, `event type ${o.type}`);
  const ev = event(o.type, o.thread?.tid ?? 1, o.params ?? [], o.ts);
  return {
    ev,
    info,
    thread: o.thread,
    fd: o.fd,
    fdNum: o.fdNum ?? -1,
    tables: o.tables,
    firstTs: 0n,
    bufferFormat: BufferFormat.Normal,
    maxBufLen: 80,
    paramText: (i) => o.texts?.[i] ?? { text: '', resolved: '' },
    paramIndex: (pi) => info.params.findIndex((p) => p.name === pi.name),
  };
}

function field(name: string) {
  for (const c of CLASSES) for (const f of c.fields) if (f.name === name) return f;
  throw new Error('no field ' + name);
}

function get(name: string, c: Ctx, arg?: FieldArg): FieldValue {
  return field(name).extract(c, arg);
}

function ip4(s: string): Buffer {
  return Buffer.from(s.split('.').map(Number));
}

function ip6(words: number[]): Buffer {
  const b = Buffer.alloc(16);
  words.forEach((w, i) => b.writeUInt16BE(w, 2 * i));
  return b;
}

/** IPv4 socket with the tuple client->server */
function sock4(cip: string, cport: number, sip: string, sport: number, role: number, l4 = L4_TCP): Fd {
  const f = new Fd();
  f.type = FD_IPV4_SOCK;
  ip4(cip).copy(f.sock, 0);
  ip4(sip).copy(f.sock, 4);
  f.sock.writeUInt16LE(cport, 8);
  f.sock.writeUInt16LE(sport, 10);
  f.sock[12] = l4;
  f.flags = role;
  f.name = `${cip}:${cport}->${sip}:${sport}`;
  return f;
}

function thread(tables: StateTables, tid: number, pid: number, ptid: number, comm: string, args: string[] = []): Thread {
  const t = new Thread(tid, pid);
  t.ptid = ptid;
  t.comm = comm;
  t.exe = comm;
  t.args = args;
  tables.threads.set(tid, t);
  return t;
}

function tablesWithLocal(...addrs: string[]): StateTables {
  const tables = new StateTables();
  for (const a of addrs) {
    tables.interfaces.push({ type: 1, name: 'eth', addr: ip4(a), netmask: ip4('255.0.0.0'), bcast: ip4('0.0.0.0'), linkspeed: 0n });
  }
  return tables;
}

const READ_X = 7;
const READ_E = 6;
const OPEN_X = 3;
const OPENAT_2_X = 307;
const CONNECT_X = 23;
const GETPID_X = 11; // brk exit: no fd flags
const POLL_X = 81;
const WRITE_X = 9;

// ---------------------------------------------------------------------------------------------------------
// catalogue vs sysdig

const SYSDIG = '/usr/bin/sysdig';
const haveSysdig = existsSync(SYSDIG);

function sysdigOut(args: string[]): string {
  return execFileSync(SYSDIG, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
}

test('field names and order match sysdig -l', { skip: !haveSysdig && 'sysdig not installed' }, () => {
  const out = sysdigOut(['-l']);
  const byClass = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of out.split('\n')) {
    const m = /^Field Class:\s+(\S+)/.exec(line);
    if (m) {
      const name = m[1]!;
      cur = byClass.get(name) ?? [];
      byClass.set(name, cur);
      continue;
    }
    const f = /^([a-z][\w.]*)(\s|$)/.exec(line);
    if (f && cur) cur.push(f[1]!);
  }
  for (const c of CLASSES) {
    const want = byClass.get(c.name);
    assert.ok(want, `class ${c.name} in sysdig -l`);
    const have = c.fields.filter((f) => !f.hidden).map((f) => f.name);
    assert.deepEqual(have, want, c.name);
  }
});

test('descriptions and types match sysdig --list-markdown', { skip: !haveSysdig && 'sysdig not installed' }, () => {
  const out = sysdigOut(['--list-markdown']);
  const rows = new Map<string, { type: string; desc: string }>();
  const classDesc = new Map<string, string>();
  const lines = out.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const h = /^## Field Class: (\S+)/.exec(line);
    if (h) classDesc.set(h[1]!, lines[i + 2]!);
    const r = /^`([^`]+)` \| (\w+) \| (.*)$/.exec(line);
    if (r) rows.set(r[1]!, { type: r[2]!, desc: r[3]! });
  }
  for (const c of CLASSES) {
    assert.equal(c.desc, classDesc.get(c.name), `${c.name} description`);
    for (const f of c.fields) {
      if (f.hidden) continue;
      const r = rows.get(f.name);
      assert.ok(r, f.name);
      assert.equal(f.type, r.type, `${f.name} type`);
      assert.equal(f.desc, r.desc, `${f.name} description`);
    }
  }
});

// ---------------------------------------------------------------------------------------------------------
// fd

test('fd fields are missing on events without fd flags, or without a thread', () => {
  const tables = new StateTables();
  const t = thread(tables, 10, 10, 1, 'x');
  const c = ctx({ type: GETPID_X, thread: t, tables, fdNum: 3 });
  for (const n of ['fd.num', 'fd.name', 'fd.type', 'fd.typechar', 'fd.uid', 'fd.cip', 'fd.directory']) {
    assert.equal(get(n, c), undefined, n);
  }
  const c2 = ctx({ type: READ_X, thread: undefined, tables, fdNum: 3 });
  assert.equal(get('fd.num', c2), undefined);
  assert.equal(get('fd.name', c2), undefined);
});

test('fd.num and fd.uid do not need the fd; a missing fd names itself from the event', () => {
  const tables = new StateTables();
  const t = thread(tables, 10, 10, 1, 'x');
  const c = ctx({ type: READ_X, thread: t, tables, fdNum: 7 });
  assert.equal(get('fd.num', c), 7);
  assert.equal(get('fd.uid', c), '107');
  assert.equal(get('fd.type', c), undefined);
  // an exit that does not create fds: empty name, directory "/", typechar 'o'
  assert.equal(get('fd.name', c), '');
  assert.equal(get('fd.directory', c), '/');
  assert.equal(get('fd.typechar', c), 'o');
  assert.equal(get('fd.filename', c), undefined);
  assert.equal(get('fd.containername', c), ':');
  // an enter event: no name at all
  const ce = ctx({ type: READ_E, thread: t, tables, fdNum: 7, params: [i64(7), Buffer.alloc(4)] });
  assert.equal(get('fd.name', ce), undefined);
});

test('fd.name of a failed open comes from the params; failed connect uses the tuple text', () => {
  const tables = new StateTables();
  const t = thread(tables, 10, 10, 1, 'x');
  const c = ctx({
    type: OPEN_X,
    thread: t,
    tables,
    fdNum: -1,
    params: [i64(-2), cstr('relative/f'), Buffer.alloc(4), Buffer.alloc(4)],
    texts: { 1: { text: 'relative/f', resolved: '/tmp/relative/f' } },
  });
  assert.equal(get('fd.name', c), '/tmp/relative/f');
  assert.equal(get('fd.directory', c), '/tmp/relative');
  assert.equal(get('fd.typechar', c), 'f');

  const fd = sock4('10.0.0.1', 4000, '10.0.0.2', 80, FDF_ROLE_CLIENT);
  const cc = ctx({
    type: CONNECT_X,
    thread: t,
    tables,
    fd,
    fdNum: 3,
    params: [i64(-111), Buffer.alloc(1)],
    texts: { 1: { text: '10.0.0.1:4000->10.0.0.9:81', resolved: '' } },
  });
  assert.equal(get('fd.name', cc), '10.0.0.1:4000->10.0.0.9:81');
  // other fields still read the fd
  assert.equal(get('fd.sport', cc), 80);
});

test('fd.name of a failed openat (v2) joins the name to cwd or the dirfd', () => {
  const tables = new StateTables();
  const t = thread(tables, 10, 10, 1, 'x');
  t.cwd = '/home/u/';
  const dir = new Fd();
  dir.type = 2;
  dir.name = '/etc';
  t.fds.set(5, dir);
  const mk = (dirfd: number, name: string) =>
    ctx({
      type: OPENAT_2_X,
      thread: t,
      tables,
      params: [i64(-2), i64(dirfd), cstr(name), Buffer.alloc(4), Buffer.alloc(4), Buffer.alloc(4)],
    });
  assert.equal(get('fd.name', mk(-100, 'a/../b/./c')), '/home/u/b/c');
  assert.equal(get('fd.name', mk(5, 'passwd')), '/etc/passwd');
  assert.equal(get('fd.name', mk(9, '/abs//x/')), '/abs/x');
  assert.equal(get('fd.name', mk(9, 'rel')), '<UNKNOWN>rel');
});

test('concatenatePaths follows libsinsp', () => {
  assert.equal(concatenatePaths('/a/b/', '../c'), '/a/c');
  assert.equal(concatenatePaths('/a/b/', '..'), '/a');
  assert.equal(concatenatePaths('/', '../../x'), '/x');
  assert.equal(concatenatePaths('/a/', 'x\x01y'), '/a/x.y');
  assert.equal(concatenatePaths('/a/', '/etc/'), '/etc');
  assert.equal(concatenatePaths('/a/', ''), ''); // an empty name is not relative
  assert.equal(concatenatePaths('/a/', 'b..c'), '/a/b..c');
});

test('concatenatePathBytes: a joined path found again is what the join makes, whatever the base and bytes after the NUL', () => {
  // the join of the path's text with the base, computed afresh (concatenatePaths on a string)
  const fresh = (base: string, b: Buffer, off: number, len: number): string => {
    if (base.length + len + 1 > 1024) return '/PATH_TOO_LONG';
    let end = off;
    while (end < off + len && b[end] !== 0) end++;
    const p = b.toString('latin1', off, end);
    // a lone NUL joins with the base (libsinsp tests the byte length); '.' there resolves to the same
    if (len !== 0 && p.length === 0) return concatenatePaths(base, '.');
    return len !== 0 && p.charCodeAt(0) !== 0x2f ? concatenatePaths(base, p) : concatenatePaths('', p);
  };
  const cases: [string, Buffer][] = [];
  const names = ['/etc/passwd', 'rel/x', '../up', './a//b/', '', '/', 'a', 'ab', '/proc/1234/stat', '/proc/5678/stat', '/proc/1234/stst', 'x\x01y'];
  for (const n of names) {
    cases.push(['/home/u/', Buffer.from(n + '\0', 'latin1')]);
    cases.push(['/srv/', Buffer.from(n + '\0', 'latin1')]);
    cases.push(['/home/v/', Buffer.from(n + '\0', 'latin1')]); // a base of the same length
    cases.push(['/home/u/', Buffer.from(n, 'latin1')]); // no NUL: the parameter's end ends it
    cases.push(['/home/u/', Buffer.from(n + '\0junk', 'latin1')]); // bytes after the NUL do not count
    cases.push(['/home/u/', Buffer.from(n + '\0\0', 'latin1')]);
  }
  // same length and ends, different middles (one hash), beyond the chain's bound
  for (let i = 0; i < 40; i++) cases.push(['/', Buffer.from(`/proc/${String(1000 + i * 37)}0/stat\0`, 'latin1')]);
  cases.push(['/'.repeat(1000), Buffer.from('abcdefghijklmnopqrstuvwxyz\0', 'latin1')]);
  for (let round = 0; round < 3; round++) {
    for (const [base, b] of cases) {
      // the path at an offset inside a larger buffer, as in an event
      const big = Buffer.concat([Buffer.from('/zz'), b, Buffer.from('/tail\0')]);
      assert.equal(concatenatePathBytes(base, big, 3, b.length, new DataView(big.buffer, big.byteOffset, big.length)), fresh(base, big, 3, b.length), `${JSON.stringify(b.toString('latin1'))} on ${base.slice(0, 20)}`);
    }
  }
});

test('fd.cip/sip/cport/sport follow the client->server tuple; role none is missing', () => {
  const tables = tablesWithLocal('10.0.0.1');
  const t = thread(tables, 10, 10, 1, 'x');
  const fd = sock4('10.0.0.1', 4000, '10.0.0.2', 80, FDF_ROLE_CLIENT);
  const c = ctx({ type: READ_X, thread: t, tables, fd, fdNum: 3 });
  assert.deepEqual(get('fd.cip', c), ip4('10.0.0.1'));
  assert.deepEqual(get('fd.sip', c), ip4('10.0.0.2'));
  assert.equal(get('fd.cport', c), 4000);
  assert.equal(get('fd.sport', c), 80);
  assert.equal(get('fd.l4proto', c), 'tcp');
  assert.equal(get('fd.sockfamily', c), 'ip');
  assert.equal(get('fd.cproto', c), '4000');
  assert.equal(get('fd.sproto', c), '80');
  // client is local: l = client, r = server
  assert.deepEqual(get('fd.lip', c), ip4('10.0.0.1'));
  assert.deepEqual(get('fd.rip', c), ip4('10.0.0.2'));
  assert.equal(get('fd.lport', c), 4000);
  assert.equal(get('fd.rport', c), 80);
  assert.equal(get('fd.is_server', c), false);

  const none = sock4('10.0.0.1', 4000, '10.0.0.2', 80, 0);
  const cn = ctx({ type: READ_X, thread: t, tables, fd: none, fdNum: 3 });
  for (const n of ['fd.cip', 'fd.sip', 'fd.cport', 'fd.sport', 'fd.lip', 'fd.rip', 'fd.lport', 'fd.rport', 'fd.cproto']) {
    assert.equal(get(n, cn), undefined, n);
  }
  assert.equal(get('fd.l4proto', cn), '<NA>');
  assert.equal(get('fd.name', cn), '10.0.0.1:4000->10.0.0.2:80');
  // is_server reads the server address whatever the role
  assert.equal(get('fd.is_server', cn), false);
});

test('server side: remote client, local server', () => {
  const tables = tablesWithLocal('10.0.0.2');
  const t = thread(tables, 10, 10, 1, 'x');
  const fd = sock4('192.168.1.5', 5555, '10.0.0.2', 80, FDF_ROLE_SERVER, L4_UDP);
  const c = ctx({ type: READ_X, thread: t, tables, fd, fdNum: 3 });
  assert.equal(get('fd.is_server', c), true);
  assert.deepEqual(get('fd.lip', c), ip4('10.0.0.2'));
  assert.deepEqual(get('fd.rip', c), ip4('192.168.1.5'));
  assert.equal(get('fd.lport', c), 80);
  assert.equal(get('fd.rport', c), 5555);
  assert.equal(get('fd.l4proto', c), 'udp');
  assert.deepEqual(field('fd.ip').anyOf!(c, undefined), [ip4('192.168.1.5'), ip4('10.0.0.2')]);
  assert.deepEqual(field('fd.port').anyOf!(c, undefined), [5555, 80]);
  assert.equal(get('fd.ip', c), undefined);
  assert.equal(field('fd.ip').filterOnly, true);
});

test('servsock: sip/sport are the bound address; cport falls through to 0', () => {
  const tables = tablesWithLocal('10.0.0.2');
  const t = thread(tables, 10, 10, 1, 'x');
  const fd = new Fd();
  fd.type = FD_IPV4_SERVSOCK;
  ip4('0.0.0.0').copy(fd.sock, 0);
  fd.sock.writeUInt16LE(8080, 4);
  fd.sock[6] = L4_TCP;
  fd.name = '0.0.0.0:8080';
  const c = ctx({ type: READ_X, thread: t, tables, fd, fdNum: 3 });
  // role none (from the /proc scan): client and server ip missing, sport present
  assert.equal(get('fd.sip', c), undefined);
  assert.equal(get('fd.cport', c), undefined);
  assert.equal(get('fd.sport', c), 8080);
  fd.flags = FDF_ROLE_SERVER;
  assert.deepEqual(get('fd.sip', c), ip4('0.0.0.0'));
  assert.equal(get('fd.cip', c), undefined);
  assert.equal(get('fd.cport', c), 0);
  assert.equal(get('fd.cproto', c), '');
  assert.equal(get('fd.sproto', c), '');
  assert.equal(get('fd.lip', c), undefined);
  assert.equal(get('fd.is_server', c), true);
  assert.equal(get('fd.l4proto', c), 'tcp');
  assert.deepEqual(field('fd.port').anyOf!(c, undefined), [8080, 8080]);
});

test('IPv6 locality compares the first 64 bits', () => {
  const tables = new StateTables();
  tables.interfaces.push({
    type: 2,
    name: 'eth0',
    addr: ip6([0x2001, 0xdb8, 0, 1, 0, 0, 0, 5]),
    netmask: Buffer.alloc(16),
    bcast: Buffer.alloc(16),
    linkspeed: 0n,
  });
  const t = thread(tables, 10, 10, 1, 'x');
  const fd = new Fd();
  fd.type = FD_IPV6_SOCK;
  ip6([0x2607, 0xf8b0, 0, 0, 0, 0, 0, 0x2004]).copy(fd.sock, 0);
  ip6([0x2001, 0xdb8, 0, 1, 0, 0, 0, 9]).copy(fd.sock, 16);
  fd.sock.writeUInt16LE(37140, 32);
  fd.sock.writeUInt16LE(80, 34);
  fd.sock[36] = L4_TCP;
  fd.flags = FDF_ROLE_SERVER;
  const c = ctx({ type: READ_X, thread: t, tables, fd, fdNum: 3 });
  assert.equal(get('fd.is_server', c), true);
  assert.equal(get('fd.lport', c), 80);
  assert.equal(get('fd.rport', c), 37140);
  assert.equal(get('fd.typechar', c), '6');
});

test('unix sockets: family unix, cport 0 once a role is set', () => {
  const tables = new StateTables();
  const t = thread(tables, 10, 10, 1, 'x');
  const fd = new Fd();
  fd.type = FD_UNIX_SOCK;
  fd.name = '/run/x.sock';
  fd.flags = FDF_ROLE_SERVER;
  const c = ctx({ type: READ_X, thread: t, tables, fd, fdNum: 3 });
  assert.equal(get('fd.sockfamily', c), 'unix');
  assert.equal(get('fd.cport', c), 0);
  assert.equal(get('fd.sport', c), undefined);
  assert.equal(get('fd.l4proto', c), '<NA>');
  assert.equal(get('fd.is_server', c), false);
});

test('file fd: directory, filename, dev fields', () => {
  const tables = new StateTables();
  const t = thread(tables, 10, 10, 1, 'x');
  const fd = new Fd();
  fd.type = FD_FILE_V2;
  fd.name = '/etc/ld.so.cache';
  fd.dev = 0x803;
  const c = ctx({ type: READ_X, thread: t, tables, fd, fdNum: 3 });
  assert.equal(get('fd.directory', c), '/etc');
  assert.equal(get('fd.filename', c), 'ld.so.cache');
  assert.equal(get('fd.containerdirectory', c), ':/etc');
  assert.equal(get('fd.type', c), 'file');
  assert.equal(get('fd.dev', c), 0x803);
  assert.equal(get('fd.dev.major', c), 8);
  assert.equal(get('fd.dev.minor', c), 3);
  assert.equal(get('fd.sockfamily', c), undefined);
  assert.equal(get('fd.connected', c), false);
  assert.equal(get('fd.name_changed', c), false);
  fd.name = '/top';
  assert.equal(get('fd.directory', c), '/');
  assert.equal(get('fd.filename', c), 'top');
  fd.name = 'x\ty\u00e9';
  assert.equal(get('fd.name', c), 'xy');
});

test('fd falls back to the thread table entry for fdNum', () => {
  const tables = new StateTables();
  const t = thread(tables, 10, 10, 1, 'x');
  const fd = new Fd();
  fd.type = FD_FILE_V2;
  fd.name = '/a/b';
  t.fds.set(4, fd);
  const c = ctx({ type: READ_X, thread: t, tables, fdNum: 4 });
  assert.equal(get('fd.name', c), '/a/b');
});

// ---------------------------------------------------------------------------------------------------------
// process

test('proc.aname / proc.apid walk from the main thread', () => {
  const tables = new StateTables();
  thread(tables, 1, 1, 0, 'systemd');
  thread(tables, 100, 100, 1, 'sshd');
  thread(tables, 200, 200, 100, 'bash');
  thread(tables, 300, 300, 200, 'curl', ['-6', 'http://x']);
  const th = thread(tables, 301, 300, 300, 'curl');
  th.flags = CL_CLONE_THREAD;
  const c = ctx({ type: GETPID_X, thread: th, tables });
  assert.equal(get('proc.aname', c, { index: 0, raw: '0' }), 'curl');
  assert.equal(get('proc.aname', c, { index: 1, raw: '1' }), 'bash');
  assert.equal(get('proc.aname', c, { index: 3, raw: '3' }), 'systemd');
  assert.equal(get('proc.aname', c, { index: 4, raw: '4' }), undefined);
  assert.equal(get('proc.apid', c, { index: 2, raw: '2' }), 100);
  assert.equal(get('proc.aname', c, undefined), 'curl');
  // without an index a filter matches any ancestor (not the process itself)
  assert.deepEqual(field('proc.aname').anyOf!(c, undefined), ['bash', 'sshd', 'systemd']);
  assert.equal(field('proc.aname').anyOf!(c, { index: 1, raw: '1' }), undefined);
  assert.equal(get('proc.loginshellid', c), 200);
  assert.equal(get('proc.ppid', c), 200);
  assert.equal(get('proc.pname', c), 'curl'); // the thread's own parent: the main thread
  assert.equal(get('proc.pid', c), 300);
  assert.equal(get('thread.tid', c), 301);
  assert.equal(get('thread.ismain', c), false);
  assert.equal(get('proc.sname', c), 'systemd'); // sid 0 unknown: eldest ancestor with the same sid
});

test('ancestor walk stops on a parent loop', () => {
  const tables = new StateTables();
  thread(tables, 5, 5, 6, 'a');
  thread(tables, 6, 6, 5, 'b');
  const t = thread(tables, 7, 7, 5, 'c');
  const c = ctx({ type: GETPID_X, thread: t, tables });
  const got = field('proc.aname').anyOf!(c, undefined)!;
  assert.ok(got.length <= 3);
});

test('proc.cmdline, exeline, args, env, cgroups', () => {
  const tables = new StateTables();
  const t = thread(tables, 300, 300, 1, 'curl', ['-6', 'http://www.google.com']);
  t.exe = '/usr/bin/curl';
  t.env = ['A=1', 'B=2'];
  t.cgroups = [
    ['cpuset', '/'],
    ['cpu', '/user.slice'],
  ];
  const c = ctx({ type: GETPID_X, thread: t, tables });
  assert.equal(get('proc.cmdline', c), 'curl -6 http://www.google.com');
  assert.equal(get('proc.exeline', c), '/usr/bin/curl -6 http://www.google.com');
  assert.equal(get('proc.args', c), '-6 http://www.google.com');
  assert.equal(get('proc.env', c), 'A=1 B=2');
  assert.equal(get('thread.cgroups', c), 'cpuset=/ cpu=/user.slice');
  assert.equal(get('thread.cgroup', c, { name: 'cpu', raw: 'cpu' }), '/user.slice');
  assert.equal(get('thread.cgroup', c, { name: 'memory', raw: 'memory' }), undefined);
  t.args = [];
  assert.equal(get('proc.cmdline', c), 'curl');
  assert.equal(get('proc.exeline', c), '/usr/bin/curl ');
  t.cgroups = [];
  assert.equal(get('thread.cgroups', c), undefined);
});

test('placeholder thread and unknown parents', () => {
  const tables = new StateTables();
  const t = thread(tables, 25886, 25886, -1, '<NA>');
  t.exe = '<NA>';
  t.loginuid = -1; // as the engine makes placeholders (get_thread_ref)
  const c = ctx({ type: GETPID_X, thread: t, tables });
  assert.equal(get('proc.name', c), '<NA>');
  assert.equal(get('proc.ppid', c), -1);
  assert.equal(get('proc.pname', c), undefined);
  assert.equal(get('proc.pcmdline', c), undefined);
  assert.equal(get('proc.cmdline', c), '<NA>');
  assert.equal(get('proc.nthreads', c), 1);
  assert.equal(get('proc.vpid', c), undefined);
  assert.equal(get('thread.vtid', c), undefined);
  assert.equal(get('proc.duration', c), undefined);
  assert.equal(get('proc.loginshellid', c), undefined);
  assert.equal(get('user.name', c), undefined);
  assert.equal(get('user.uid', c), 4294967295);
  assert.equal(get('group.gid', c), 4294967295);
  assert.equal(get('user.loginuid', c), -1);
  // no thread at all: only thread.tid and exectime answer
  const c0 = ctx({ type: GETPID_X, thread: undefined, tables });
  assert.equal(get('proc.name', c0), undefined);
  assert.equal(get('thread.tid', c0), 1);
  assert.equal(get('thread.exectime', c0), 0);
  assert.equal(get('thread.totexectime', c0), undefined);
});

test('fd counts and usage come from the main thread', () => {
  const tables = new StateTables();
  const m = thread(tables, 50, 50, 1, 'srv');
  m.fdlimit = 1024;
  for (let i = 0; i < 4; i++) m.fds.set(i, new Fd());
  const th = thread(tables, 51, 50, 50, 'srv');
  const c = ctx({ type: GETPID_X, thread: th, tables });
  assert.equal(get('proc.fdopencount', c), 4);
  assert.equal(get('proc.fdlimit', c), 1024);
  assert.equal(get('proc.fdusage', c), 0.390625);
  assert.equal(get('thread.vmsize', c), 0);
  th.cloneTs = 400_000_000n;
  const c2 = ctx({ type: GETPID_X, thread: th, tables, ts: 1_000_000_000n });
  assert.equal(get('proc.duration', c2), 600_000_000);
});

// ---------------------------------------------------------------------------------------------------------
// user, group, container

test('user and group names from the tables', () => {
  const tables = new StateTables();
  tables.users.set(1000, { uid: 1000, gid: 1000, name: 'alice', homedir: '/home/alice', shell: '/bin/bash' });
  tables.groups.set(1000, { gid: 1000, name: 'staff' });
  const t = thread(tables, 10, 10, 1, 'x');
  t.uid = 1000;
  t.gid = 1000;
  t.loginuid = 1000;
  const c = ctx({ type: GETPID_X, thread: t, tables });
  assert.equal(get('user.name', c), 'alice');
  assert.equal(get('user.homedir', c), '/home/alice');
  assert.equal(get('user.shell', c), '/bin/bash');
  assert.equal(get('user.loginname', c), 'alice');
  assert.equal(get('group.name', c), 'staff');
  t.uid = 1001;
  assert.equal(get('user.name', c), undefined);
  assert.equal(get('user.uid', c), 1001);
});

test('container fields on the host', () => {
  const tables = new StateTables();
  const t = thread(tables, 10, 10, 1, 'x');
  const c = ctx({ type: GETPID_X, thread: t, tables });
  assert.equal(get('container.id', c), 'host');
  assert.equal(get('container.name', c), 'host');
  assert.equal(get('container.type', c), 'host');
  for (const n of ['container.image', 'container.image.id', 'container.privileged', 'container.mounts', 'container.healthcheck']) {
    assert.equal(get(n, c), undefined, n);
  }
  assert.equal(get('container.mount', c, { index: 0, raw: '0' }), undefined);
});

test('container fields inside a known container', () => {
  const tables = new StateTables();
  const t = thread(tables, 10, 10, 1, 'x');
  t.containerId = '0123456789ab';
  const c = ctx({ type: GETPID_X, thread: t, tables });
  assert.equal(get('container.id', c), '0123456789ab');
  assert.equal(get('container.name', c), undefined);
  tables.containers.set('0123456789ab', {
    id: '0123456789ab',
    type: 0,
    name: 'web',
    image: 'nginx:latest',
    imageId: 'abc',
    imageRepo: 'nginx',
    imageTag: 'latest',
    imageDigest: '',
    privileged: false,
    mounts: [
      { source: '/var/lib/x', dest: '/data', mode: 'rw', rdwr: true, propagation: 'rprivate' },
      { source: '/etc/y', dest: '/etc/y', mode: '', rdwr: false, propagation: '' },
    ],
    healthProbes: [{ probeType: 1, exe: 'curl', args: ['-f', 'localhost'] }],
    containerIp: 0,
    successful: true,
    labels: new Map(),
  });
  assert.equal(get('container.name', c), 'web');
  assert.equal(get('container.type', c), 'docker');
  assert.equal(get('container.privileged', c), false);
  assert.equal(get('container.image.digest', c), undefined);
  assert.equal(get('container.mounts', c), '/var/lib/x:/data:rw:true:rprivate,/etc/y:/etc/y::false:');
  assert.equal(get('container.mount', c, { index: 1, raw: '1' }), '/etc/y:/etc/y::false:');
  assert.equal(get('container.mount.dest', c, { raw: '/var/*' }), '/data');
  assert.equal(get('container.mount.source', c, { raw: '/data' }), '/var/lib/x');
  assert.equal(get('container.mount.rdwr', c, { index: 0, raw: '0' }), 'true');
  assert.equal(get('container.mount', c, { index: 5, raw: '5' }), undefined);
  assert.equal(get('container.healthcheck', c), 'curl -f localhost');
  assert.equal(get('container.liveness_probe', c), 'NONE');
});

test('globMatch behaves like fnmatch without flags', () => {
  assert.ok(globMatch('/usr/local/*', '/usr/local/lib/x'));
  assert.ok(globMatch('/a?c', '/abc'));
  assert.ok(!globMatch('/a?c', '/ac'));
  assert.ok(globMatch('[a-c]x', 'bx'));
  assert.ok(!globMatch('[!a-c]x', 'bx'));
  assert.ok(globMatch('\\*', '*'));
  assert.ok(!globMatch('abc', 'abcd'));
});

// ---------------------------------------------------------------------------------------------------------
// fdlist, syslog

test('fdlist lists fds of poll events', () => {
  const tables = tablesWithLocal();
  const t = thread(tables, 10, 10, 1, 'x');
  t.fds.set(3, sock4('10.0.0.1', 4000, '10.0.0.2', 80, FDF_ROLE_CLIENT));
  const f = new Fd();
  f.type = FD_FILE_V2;
  f.name = '/dev/null';
  t.fds.set(4, f);
  const fds = Buffer.alloc(2 + 3 * 10);
  fds.writeUInt16LE(3, 0);
  [3, 4, 9].forEach((n, i) => {
    fds.writeBigInt64LE(BigInt(n), 2 + i * 10);
    fds.writeInt16LE(1, 2 + i * 10 + 8);
  });
  const c = ctx({ type: POLL_X, thread: t, tables, params: [i64(1), fds] });
  assert.equal(get('fdlist.nums', c), '3,4,9');
  assert.equal(get('fdlist.names', c), '10.0.0.1:4000->10.0.0.2:80,/dev/null,<NA>');
  assert.equal(get('fdlist.cips', c), '10.0.0.1');
  assert.equal(get('fdlist.sips', c), '10.0.0.2');
  assert.equal(get('fdlist.cports', c), '4000');
  assert.equal(get('fdlist.sports', c), '80');
  const c2 = ctx({ type: READ_X, thread: t, tables, fdNum: 3 });
  assert.equal(get('fdlist.nums', c2), undefined);
});

test('ipv6ToString is inet_ntop', () => {
  assert.equal(ipv6ToString(ip6([0, 0, 0, 0, 0, 0, 0, 1])), '::1');
  assert.equal(ipv6ToString(ip6([0, 0, 0, 0, 0, 0, 0, 0])), '::');
  assert.equal(ipv6ToString(ip6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])), '2001:db8::1:0:0:1');
  assert.equal(ipv6ToString(ip6([0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001])), '::ffff:10.0.0.1');
  assert.equal(ipv6ToString(ip6([0x2607, 0xf8b0, 0x4005, 0x802, 0, 0, 0, 0x2004])), '2607:f8b0:4005:802::2004');
  assert.equal(ipv6ToString(ip6([1, 0, 2, 0, 0, 3, 0, 4])), '1:0:2::3:0:4');
});

test('syslog decodes writes to /dev/log', () => {
  assert.deepEqual(parseSyslog(Buffer.from('<13>Jan 1 hi')), { priority: 13, facility: 1, severity: 5, message: 'Jan 1 hi' });
  assert.equal(parseSyslog(Buffer.from('<>x')), undefined);
  assert.equal(parseSyslog(Buffer.from('<1x>x')), undefined);
  const tables = new StateTables();
  const t = thread(tables, 10, 10, 1, 'logger');
  const fd = new Fd();
  fd.type = FD_UNIX_SOCK;
  fd.name = '/dev/log';
  const c = ctx({ type: WRITE_X, thread: t, tables, fd, fdNum: 3, params: [i64(20), Buffer.from('<86>sshd: accepted')] });
  assert.equal(get('syslog.facility', c), 10);
  assert.equal(get('syslog.facility.str', c), 'authpriv');
  assert.equal(get('syslog.severity', c), 6);
  assert.equal(get('syslog.severity.str', c), 'info');
  assert.equal(get('syslog.message', c), 'sshd: accepted');
  fd.name = '/tmp/other';
  const c2 = ctx({ type: WRITE_X, thread: t, tables, fd, fdNum: 3, params: [i64(20), Buffer.from('<86>x')] });
  assert.equal(get('syslog.message', c2), undefined);
});
