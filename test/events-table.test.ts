import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EC,
  EF,
  EVENT_MAX,
  OLD_EVENT_MAX,
  PF,
  PT,
  PT_NAMES,
  SOURCE_ENUMS,
  dynamicTable,
  paramIndexFor,
  paramIndexIn,
  errnoName,
  eventInfo,
  eventTypeNames,
  flagTable,
  headEventInfo,
  headSyscallName,
  isLargePayload,
  oldEventInfo,
  syscallName,
  syscallsX86_64,
} from '../lib/events/table.js';

function paramNames(id: number, head = false): string[] {
  const e = head ? headEventInfo(id) : eventInfo(id);
  assert.ok(e, `event ${id}`);
  return e.params.map((p) => p.name);
}

// Every member of the const enums PT, PF, EC and EF (tsc writes their numbers into the code, so there is no object to
// list): `satisfies` makes the compiler refuse a list that misses a member or names one that does not exist.
const PT_MEMBERS = {
  NONE: PT.NONE, INT8: PT.INT8, INT16: PT.INT16, INT32: PT.INT32, INT64: PT.INT64, UINT8: PT.UINT8,
  UINT16: PT.UINT16, UINT32: PT.UINT32, UINT64: PT.UINT64, CHARBUF: PT.CHARBUF, BYTEBUF: PT.BYTEBUF,
  ERRNO: PT.ERRNO, SOCKADDR: PT.SOCKADDR, SOCKTUPLE: PT.SOCKTUPLE, FD: PT.FD, PID: PT.PID, FDLIST: PT.FDLIST,
  FSPATH: PT.FSPATH, SYSCALLID: PT.SYSCALLID, SIGTYPE: PT.SIGTYPE, RELTIME: PT.RELTIME, ABSTIME: PT.ABSTIME,
  PORT: PT.PORT, L4PROTO: PT.L4PROTO, SOCKFAMILY: PT.SOCKFAMILY, BOOL: PT.BOOL, IPV4ADDR: PT.IPV4ADDR,
  DYN: PT.DYN, FLAGS8: PT.FLAGS8, FLAGS16: PT.FLAGS16, FLAGS32: PT.FLAGS32, UID: PT.UID, GID: PT.GID,
  DOUBLE: PT.DOUBLE, SIGSET: PT.SIGSET, CHARBUFARRAY: PT.CHARBUFARRAY,
  CHARBUF_PAIR_ARRAY: PT.CHARBUF_PAIR_ARRAY, IPV4NET: PT.IPV4NET, IPV6ADDR: PT.IPV6ADDR, IPV6NET: PT.IPV6NET,
  IPADDR: PT.IPADDR, IPNET: PT.IPNET, MODE: PT.MODE, FSRELPATH: PT.FSRELPATH, ENUMFLAGS8: PT.ENUMFLAGS8,
  ENUMFLAGS16: PT.ENUMFLAGS16, ENUMFLAGS32: PT.ENUMFLAGS32, FD32: PT.FD32, PID32: PT.PID32,
} satisfies Record<keyof typeof PT, number>;
const PF_MEMBERS = {
  NA: PF.NA, DEC: PF.DEC, HEX: PF.HEX, '10_PADDED_DEC': PF['10_PADDED_DEC'], ID: PF.ID, DIR: PF.DIR,
  OCT: PF.OCT,
} satisfies Record<keyof typeof PF, number>;
const EC_MEMBERS = {
  UNKNOWN: EC.UNKNOWN, OTHER: EC.OTHER, FILE: EC.FILE, NET: EC.NET, IPC: EC.IPC, MEMORY: EC.MEMORY,
  PROCESS: EC.PROCESS, SLEEP: EC.SLEEP, SYSTEM: EC.SYSTEM, SIGNAL: EC.SIGNAL, USER: EC.USER, TIME: EC.TIME,
  PROCESSING: EC.PROCESSING, IO_BASE: EC.IO_BASE, IO_READ: EC.IO_READ, IO_WRITE: EC.IO_WRITE,
  IO_OTHER: EC.IO_OTHER, WAIT: EC.WAIT, SCHEDULER: EC.SCHEDULER, INTERNAL: EC.INTERNAL, SYSCALL: EC.SYSCALL,
  TRACEPOINT: EC.TRACEPOINT, PLUGIN: EC.PLUGIN, METAEVENT: EC.METAEVENT, ITER: EC.ITER,
} satisfies Record<keyof typeof EC, number>;
const EF_MEMBERS = {
  NONE: EF.NONE, CREATES_FD: EF.CREATES_FD, DESTROYS_FD: EF.DESTROYS_FD, USES_FD: EF.USES_FD,
  READS_FROM_FD: EF.READS_FROM_FD, WRITES_TO_FD: EF.WRITES_TO_FD, MODIFIES_STATE: EF.MODIFIES_STATE,
  UNUSED: EF.UNUSED, WAITS: EF.WAITS, SKIPPARSERESET: EF.SKIPPARSERESET, OLD_VERSION: EF.OLD_VERSION,
  DROP_SIMPLE_CONS: EF.DROP_SIMPLE_CONS, LARGE_PAYLOAD: EF.LARGE_PAYLOAD,
  CONVERTER_MANAGED: EF.CONVERTER_MANAGED,
} satisfies Record<keyof typeof EF, number>;

test('constants match the enums extracted from the sources', () => {
  for (const rev of ['old', 'head'] as const) {
    const en = SOURCE_ENUMS[rev];
    for (const [k, v] of Object.entries(en.param_types)) {
      if (k !== 'MAX') assert.equal((PT_MEMBERS as Record<string, number>)[k], v, `PT_${k}`);
    }
    for (const [k, v] of Object.entries(en.print_formats)) assert.equal((PF_MEMBERS as Record<string, number>)[k], v, `PF_${k}`);
    for (const [k, v] of Object.entries(en.categories)) assert.equal((EC_MEMBERS as Record<string, number>)[k], v, `EC_${k}`);
    for (const [k, v] of Object.entries(en.event_flags)) assert.equal((EF_MEMBERS as Record<string, number>)[k], v, `EF_${k}`);
  }
  assert.equal(PT_NAMES[PT.FSRELPATH], 'FSRELPATH');
});

test('table sizes', () => {
  assert.equal(EVENT_MAX, 454);
  assert.equal(OLD_EVENT_MAX, 336);
  assert.ok(headEventInfo(453));
  assert.equal(headEventInfo(454), undefined);
  assert.ok(oldEventInfo(335));
  assert.equal(oldEventInfo(336), undefined);
  assert.equal(eventInfo(400), headEventInfo(400));
});

test('open exit (3): OLD 5 params, HEAD adds ino', () => {
  const e = eventInfo(3);
  assert.ok(e);
  assert.equal(e.name, 'open');
  assert.equal(e.dir, '<');
  assert.deepEqual(paramNames(3), ['fd', 'name', 'flags', 'mode', 'dev']);
  assert.deepEqual(paramNames(3, true), ['fd', 'name', 'flags', 'mode', 'dev', 'ino']);
  const [fd, name, flags, mode, dev] = e.params;
  assert.equal(fd?.type, PT.FD);
  assert.equal(name?.type, PT.FSPATH);
  assert.equal(flags?.type, PT.FLAGS32);
  assert.equal(flags?.info, 'file_flags');
  assert.equal(mode?.fmt, PF.OCT);
  assert.equal(dev?.fmt, PF.HEX);
  assert.equal(e.flags, EF.CREATES_FD | EF.MODIFIES_STATE);
  assert.equal(e.category, EC.FILE);
  assert.equal(eventInfo(2)?.dir, '>');
});

test('generic event and execve 293', () => {
  assert.deepEqual(paramNames(0), ['ID', 'nativeID']);
  assert.equal(eventInfo(0)?.params[0]?.type, PT.SYSCALLID);
  assert.deepEqual(paramNames(1), ['ID']);
  assert.equal(eventInfo(293)?.params.length, 20);
  assert.equal(headEventInfo(293)?.params.length, 31);
  assert.equal(eventInfo(293)?.params[19]?.name, 'flags');
  assert.equal(headEventInfo(293)?.params[30]?.name, 'filename');
});

test('large payload and unused', () => {
  assert.ok((headEventInfo(322)?.flags ?? 0) & EF.LARGE_PAYLOAD);
  assert.ok((headEventInfo(324)?.flags ?? 0) & EF.LARGE_PAYLOAD);
  assert.ok((headEventInfo(402)?.flags ?? 0) & EF.LARGE_PAYLOAD);
  assert.ok(isLargePayload(322));
  assert.ok(isLargePayload(324));
  assert.ok(!isLargePayload(3));
  assert.equal(headEventInfo(17)?.name, 'NA');
  assert.ok((headEventInfo(17)?.flags ?? 0) & EF.UNUSED);
  assert.ok((eventInfo(17)?.flags ?? 0) & EF.UNUSED);
});

test('OLD vs HEAD type differences from scap-facts 2.6', () => {
  assert.equal(eventInfo(18)?.params[0]?.type, PT.FLAGS32);
  assert.equal(headEventInfo(18)?.params[0]?.type, PT.ENUMFLAGS32);
  assert.equal(eventInfo(24)?.params[1]?.type, PT.UINT32);
  assert.equal(headEventInfo(24)?.params[1]?.type, PT.INT32);
  assert.equal(eventInfo(249)?.params.length, 5);
  assert.equal(eventInfo(125)?.params.length, 1);
  assert.equal(headEventInfo(389)?.name, 'accept4');
});

test('FSRELPATH dirfd indexes (DIRFD_PARAM(0) is stored as a NULL pointer)', () => {
  const openatE = eventInfo(306);
  assert.equal(openatE?.params[1]?.type, PT.FSRELPATH);
  assert.equal(openatE?.params[1]?.info, 0);
  assert.equal(eventInfo(307)?.params[2]?.info, 1);
  // OLD openat2 enter points at itself (index 1); HEAD fixed it to 0.
  assert.equal(eventInfo(326)?.params[1]?.info, 1);
  assert.equal(headEventInfo(326)?.params[1]?.info, 0);
});

test('flag and dynamic tables', () => {
  const ff = flagTable('file_flags');
  assert.ok(ff);
  assert.ok(ff.some(([n, v]) => n === 'O_RDONLY' && v === 1));
  assert.ok(ff.some(([n, v]) => n === 'O_CLOEXEC' && v === 0x1000));
  assert.ok(flagTable('creat_flags', 'head'));
  assert.equal(flagTable('creat_flags', 'old'), undefined);
  const so = dynamicTable('sockopt_dynamic_param');
  assert.deepEqual(
    so?.map((d) => d.type),
    [PT.BYTEBUF, PT.ERRNO, PT.UINT32, PT.UINT64, PT.RELTIME],
  );
  assert.equal(eventInfo(47)?.params[4]?.info, 'sockopt_dynamic_param');
});

test('syscall names', () => {
  assert.equal(syscallName(75), 'mprotect');
  assert.equal(syscallName(176), 'clock_gettime');
  assert.equal(syscallName(296), 'arch_prctl');
  assert.equal(syscallName(0), '<unknown>');
  assert.equal(syscallName(305), 'setuid');
  assert.equal(headSyscallName(305), 'setuid32');
  const names = eventTypeNames();
  assert.ok(names.has('open'));
  assert.ok(names.has('clock_gettime'));
  assert.ok(names.has('accept4'));
});

test('errno names', () => {
  assert.equal(errnoName(2), 'ENOENT');
  assert.equal(errnoName(-2), 'ENOENT');
  assert.equal(errnoName(11), 'EAGAIN');
  assert.equal(errnoName(0), undefined);
});

test('x86_64 syscall routing (OLD)', () => {
  const byName = new Map(syscallsX86_64().map((s) => [s.name, s]));
  assert.deepEqual([byName.get('accept4')?.enter, byName.get('accept4')?.exit], [248, 249]);
  for (const n of ['dup', 'dup2', 'dup3']) assert.equal(byName.get(n)?.enter, 124);
  assert.deepEqual([byName.get('pipe2')?.enter, byName.get('pipe2')?.exit], [60, 61]);
  assert.deepEqual([byName.get('openat')?.enter, byName.get('openat')?.exit], [306, 307]);
  const cg = byName.get('clock_gettime');
  assert.deepEqual([cg?.nr, cg?.enter, cg?.exit, cg?.ppmSc], [228, 0, 1, 176]);
});

test('paramIndexIn: the first parameter of a name, per event type, as a scan of the entry finds it', () => {
  const names = new Set<string>(['no_such_param']);
  for (let id = 0; id <= EVENT_MAX; id++) for (const p of eventInfo(id)?.params ?? []) names.add(p.name);
  for (const name of names) {
    const pi = paramIndexFor(name);
    assert.equal(paramIndexFor(name), pi, 'one ParamIndex per name');
    for (let round = 0; round < 2; round++) {
      for (let id = 0; id <= EVENT_MAX; id++) {
        const info = eventInfo(id);
        if (info === undefined) continue;
        assert.equal(paramIndexIn(info, pi), info.params.findIndex((p) => p.name === name), `${info.name} ${id} ${name}`);
      }
    }
  }
  // an entry that is not the table's own (HEAD's entry of an old id, a copy) is scanned
  for (let id = 0; id < OLD_EVENT_MAX; id++) {
    const head = headEventInfo(id);
    if (head === undefined || head === eventInfo(id)) continue;
    for (const p of head.params) assert.equal(paramIndexIn(head, paramIndexFor(p.name)), head.params.findIndex((q) => q.name === p.name));
  }
  const own = eventInfo(3)!;
  const copy = { ...own, params: [...own.params].reverse() };
  const name = own.params[0]!.name;
  assert.equal(paramIndexIn(copy, paramIndexFor(name)), copy.params.findIndex((p) => p.name === name));
});
