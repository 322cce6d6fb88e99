// Field class "fd": the file descriptor an event refers to (libsinsp sinsp_filter_check_fd, 0.29.3).
//
// Which fd: only events flagged EF_CREATES_FD / EF_USES_FD / EF_DESTROYS_FD that have a thread have fd fields
// at all; the fd is the one the state engine resolved (ctx.fd), else the thread's table entry for ctx.fdNum.
// When there is no fd, a few fields still answer: fd.num, fd.uid, and fd.name / fd.directory / fd.typechar /
// fd.containername / fd.containerdirectory, which fall back to what the creating event's parameters say
// (a failed open or connect).
//
// Tuples are stored client->server: sip:sport is the client, dip:dport the server. A servsock holds its bound
// address and port (Fd.sip / Fd.sport). Sockets found in the /proc scan have no role until an event gives
// them one, and until then the client/server fields are missing.

import { EF } from '../events/table.js';
import { EventView } from '../scap/event.js';
import { EVENT_HEADER_V2 } from '../scap/blocks.js';
import { eventInfo } from '../events/table.js';
import {
  FD_DIRECTORY,
  FD_FILE,
  FD_FILE_V2,
  FD_IPV4_SERVSOCK,
  FD_IPV4_SOCK,
  FD_IPV6_SERVSOCK,
  FD_IPV6_SOCK,
  FD_UNIX_SOCK,
  L4_ICMP,
  L4_RAW,
  L4_TCP,
  L4_UDP,
  FDF_SOCKET_CONNECTED,
  type Fd,
  type StateTables,
  type Thread,
} from '../state/model.js';
import type { Ctx, FieldArg, FieldClass, FieldDef, FieldValue } from './types.js';
import { fieldDef } from './types.js';
import { concatenatePaths, sanitize } from '../events/render.js';
import { portText } from '../events/ports.js';

export { concatenatePaths, sanitize };


// ---------------------------------------------------------------------------------------------------------
// Event type ids (driver/ppm_events_public.h) used for the "no fd" fallbacks

const OPEN_E = 2;
const OPEN_X = 3;
const SOCKET_E = 18;
const CONNECT_X = 23;
const ACCEPT_E = 26;
const ACCEPT_X = 27;
const ACCEPT4_E = 56;
const ACCEPT4_X = 57;
const CREAT_E = 58;
const CREAT_X = 59;
const PIPE_E = 60;
const EVENTFD_E = 62;
const OPENAT_E = 102;
const OPENAT_X = 103;
const SIGNALFD_E = 126;
const TIMERFD_CREATE_E = 136;
const INOTIFY_INIT_E = 138;
const ACCEPT_5_E = 246;
const ACCEPT_5_X = 247;
const ACCEPT4_5_E = 248;
const ACCEPT4_5_X = 249;
const CONTAINER_JSON_E = 272;
const OPENAT_2_E = 306;
const OPENAT_2_X = 307;
const CONTAINER_JSON_2_E = 324;
const OPENAT2_E = 326;
const OPENAT2_X = 327;

const AT_FDCWD = -100;
const FD_MASK = EF.CREATES_FD | EF.USES_FD | EF.DESTROYS_FD;

// ---------------------------------------------------------------------------------------------------------
// Shared helpers (also used by fdlist.ts and proc.ts)


/** libsinsp is_ipv4addr_in_local_machine: an interface (or the thread's container) has this address. */
export function isIpv4Local(tables: StateTables, addr: Buffer, t: Thread | undefined): boolean {
  if (t !== undefined && t.containerId !== '') {
    const ci = tables.containers.get(t.containerId);
    if (ci !== undefined) {
      const a = addr.readUInt32BE(0);
      if (ci.containerIp !== 0) {
        if (a === ci.containerIp >>> 0) return true;
      } else {
        for (const c of tables.containers.values()) if (c.containerIp >>> 0 === a) return true;
      }
    }
  }
  const ifs = tables.interfaces;
  for (let i = 0; i < ifs.length; i++) {
    const it = ifs[i]!;
    if ((it.type === 1 || it.type === 3) && it.addr.length === 4 && it.addr.equals(addr)) return true;
  }
  return false;
}

/** libsinsp is_ipv6addr_in_local_machine: an interface address shares the first 64 bits (never in containers). */
export function isIpv6Local(tables: StateTables, addr: Buffer, t: Thread | undefined): boolean {
  if (t !== undefined && t.containerId !== '') return false;
  const ifs = tables.interfaces;
  for (let i = 0; i < ifs.length; i++) {
    const it = ifs[i]!;
    if ((it.type === 2 || it.type === 4) && it.addr.length === 16 && it.addr.compare(addr, 0, 8, 0, 8) === 0) {
      return true;
    }
  }
  return false;
}

const NO_FD = null;

/**
 * libsinsp sinsp_filter_check_fd::extract_fd: null when the event has no fd fields at all (no fd flags, or no
 * thread); otherwise the fd, or undefined when the thread's table does not have it.
 */
export function fdOf(ctx: Ctx): Fd | undefined | null {
  if ((ctx.info.flags & FD_MASK) === 0) return NO_FD;
  const t = ctx.thread;
  if (t === undefined) return NO_FD;
  if (ctx.fd !== undefined) return ctx.fd;
  if (ctx.fdNum !== -1) return ctx.tables.getFd(t, ctx.fdNum);
  return undefined;
}

function isFile(fd: Fd): boolean {
  return fd.type === FD_FILE || fd.type === FD_FILE_V2;
}

function ipSock(fd: Fd): boolean {
  return fd.type === FD_IPV4_SOCK || fd.type === FD_IPV6_SOCK;
}

/** Client ip is a local address: l = client, r = server; otherwise l = server, r = client. */
function clientIsLocal(ctx: Ctx, fd: Fd): boolean {
  return fd.type === FD_IPV4_SOCK
    ? isIpv4Local(ctx.tables, fd.sip, ctx.thread)
    : isIpv6Local(ctx.tables, fd.sip, ctx.thread);
}

// ---------------------------------------------------------------------------------------------------------
// Names from the creating event's parameters (failed open / accept / connect)

const scratch = new EventView();

function paramCString(ev: EventView, i: number): string {
  if (i >= ev.nparams) return '';
  const b = ev.paramBytes(i);
  let end = b.indexOf(0);
  if (end < 0) end = b.length;
  return b.toString('latin1', 0, end);
}

function paramI64(ev: EventView, i: number): number {
  return i < ev.nparams ? ev.paramInt(i, true) : 0;
}

function renderedParam(ctx: Ctx, i: number): string {
  if (i >= ctx.ev.nparams) return '';
  const p = ctx.paramText(i);
  return p.resolved !== '' ? p.resolved : p.text;
}

/** The openat enter event stored on the thread, if it pairs with this exit. */
function storedEnter(ctx: Ctx, enterType: number): EventView | undefined {
  const t = ctx.thread;
  if (t === undefined || !t.lastEnterValid || t.lastEnter === null) return undefined;
  const buf = t.lastEnter;
  if (buf.length < EVENT_HEADER_V2 || buf.readUInt16LE(20) !== enterType) return undefined;
  // the engine stores an enter as a v2 event (EventView.copyInto), whatever the capture's header version
  const info = eventInfo(enterType);
  scratch.set(buf, 0, false, info !== undefined && (info.flags & EF.LARGE_PAYLOAD) !== 0, 0);
  return scratch;
}

/** libsinsp extract_fdname_from_creator: undefined = no name (enter events, or the enter event is gone). */
export function fdNameFromCreator(ctx: Ctx): string | undefined {
  const type = ctx.ev.type;
  if ((type & 1) === 0) return undefined;
  switch (type) {
    case OPEN_X:
    case ACCEPT_X:
    case ACCEPT_5_X:
    case ACCEPT4_X:
    case ACCEPT4_5_X:
    case CREAT_X:
    case CONNECT_X:
      return renderedParam(ctx, 1);
    case OPENAT_X:
    case OPENAT_2_X:
    case OPENAT2_X: {
      let name: string;
      let dirfd: number;
      if (type === OPENAT_X) {
        const en = storedEnter(ctx, OPENAT_E);
        if (en === undefined) return undefined;
        name = paramCString(en, 1);
        dirfd = paramI64(en, 0);
      } else {
        name = paramCString(ctx.ev, 2);
        dirfd = paramI64(ctx.ev, 1);
      }
      return sanitize(concatenatePaths(dirfdBase(ctx, name, dirfd), name));
    }
    default:
      return '';
  }
}

/** libsinsp sinsp_parser::parse_dirfd: the directory a relative name is joined to. */
function dirfdBase(ctx: Ctx, name: string, dirfd: number): string {
  if (name.charCodeAt(0) === 0x2f) return '.';
  const t = ctx.thread;
  if (t === undefined) return '';
  if (dirfd === AT_FDCWD) return ctx.tables.cwd(t);
  const d = ctx.tables.getFd(t, dirfd);
  if (d === undefined) return '<UNKNOWN>';
  // libsinsp tests the byte after the name (always the terminator), so it always appends '/'.
  return d.name + '/';
}

function dirOfFileName(s: string): string {
  const pos = s.lastIndexOf('/');
  if (pos > 0) return pos < s.length - 1 ? s.slice(0, pos) : s;
  return '/';
}

function typecharFromEventType(type: number): string {
  switch (type & ~1) {
    case OPEN_E:
    case OPENAT_E:
    case OPENAT_2_E:
    case OPENAT2_E:
    case CREAT_E:
      return 'f';
    case SOCKET_E:
    case ACCEPT_E:
    case ACCEPT_5_E:
    case ACCEPT4_E:
    case ACCEPT4_5_E:
      return '4';
    case PIPE_E:
      return 'p';
    case EVENTFD_E:
      return 'e';
    case SIGNALFD_E:
      return 's';
    case TIMERFD_CREATE_E:
      return 't';
    case INOTIFY_INIT_E:
      return 'i';
    default:
      return 'o';
  }
}

function containerPrefix(ctx: Ctx): string {
  return (ctx.thread?.containerId ?? '') + ':';
}

// ---------------------------------------------------------------------------------------------------------
// Extractors

function fdNum(ctx: Ctx): FieldValue {
  if (fdOf(ctx) === NO_FD) return undefined;
  return ctx.fdNum;
}

function fdType(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  return fd ? fd.typeString() : undefined;
}

function fdTypechar(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (fd === NO_FD) return undefined;
  if (fd === undefined) return typecharFromEventType(ctx.ev.type);
  return fd.typeChar();
}

/** A connect exit that failed names the fd from its tuple parameter, like a failed creation. */
function failedConnect(ctx: Ctx): boolean {
  return ctx.ev.type === CONNECT_X && ctx.ev.nparams > 0 && ctx.ev.paramInt(0, true) < 0;
}

function fdName(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (fd === NO_FD) return undefined;
  if (fd === undefined || failedConnect(ctx)) return fdNameFromCreator(ctx);
  return cleanName(fd);
}

/** The fd's name without its non-printable bytes: worked out once per name (table chisels read it per event). */
function cleanName(fd: Fd): string {
  if (fd.cleanOf !== fd.name) {
    fd.clean = sanitize(fd.name);
    fd.cleanOf = fd.name;
  }
  return fd.clean;
}

function fdContainerName(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (fd === NO_FD) return undefined;
  if (fd === undefined || failedConnect(ctx)) {
    const n = fdNameFromCreator(ctx);
    return n === undefined ? undefined : containerPrefix(ctx) + n;
  }
  return sanitize(containerPrefix(ctx) + fd.name);
}

function directoryOf(ctx: Ctx, container: boolean): FieldValue {
  const fd = fdOf(ctx);
  if (fd === NO_FD) return undefined;
  let s: string;
  if (fd === undefined) {
    const n = fdNameFromCreator(ctx);
    if (n === undefined) return undefined;
    s = dirOfFileName(sanitize(n));
  } else {
    if (!isFile(fd) && fd.type !== FD_DIRECTORY) return undefined;
    s = cleanName(fd);
    if (isFile(fd)) s = dirOfFileName(s);
  }
  return container ? containerPrefix(ctx) + s : s;
}

function fdFilename(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  // Without an fd libsinsp only tries enter events, which never carry a creator name: always missing.
  if (fd === NO_FD || fd === undefined) return undefined;
  if (!isFile(fd)) return undefined;
  const s = cleanName(fd);
  const pos = s.lastIndexOf('/');
  if (pos < 0) return '/';
  return pos < s.length - 1 ? s.slice(pos + 1) : s;
}

/** fd.cip / fd.cnet */
function clientIp(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (!fd || fd.isRoleNone() || !ipSock(fd)) return undefined;
  return fd.sip;
}

/** fd.sip / fd.snet */
function serverIp(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (!fd || fd.isRoleNone()) return undefined;
  if (ipSock(fd)) return fd.dip;
  if (fd.type === FD_IPV4_SERVSOCK || fd.type === FD_IPV6_SERVSOCK) return fd.sip;
  return undefined;
}

/** fd.lip / fd.lnet (local = true), fd.rip / fd.rnet */
function localRemoteIp(ctx: Ctx, local: boolean): FieldValue {
  const fd = fdOf(ctx);
  if (!fd || !ipSock(fd) || fd.isRoleNone()) return undefined;
  return clientIsLocal(ctx, fd) === local ? fd.sip : fd.dip;
}

function clientPort(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (!fd || fd.isRoleNone()) return undefined;
  if (ipSock(fd)) return fd.sport;
  // libsinsp falls through into fd.cproto here, which yields an empty value: it reads as port 0.
  return 0;
}

function clientProto(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (!fd || fd.isRoleNone()) return undefined;
  return ipSock(fd) ? portText(fd.sport, fd.l4()) : '';
}

function serverPort(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (!fd) return undefined;
  if (ipSock(fd)) return fd.isRoleNone() ? undefined : fd.dport;
  if (fd.type === FD_IPV4_SERVSOCK || fd.type === FD_IPV6_SERVSOCK) return fd.sport;
  return undefined;
}

function serverProto(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (!fd) return undefined;
  if (ipSock(fd)) return fd.isRoleNone() ? undefined : portText(fd.dport, fd.l4());
  if (fd.type === FD_IPV4_SERVSOCK || fd.type === FD_IPV6_SERVSOCK) return '';
  return undefined;
}

function localRemotePort(ctx: Ctx, local: boolean): number | undefined {
  const fd = fdOf(ctx);
  if (!fd || !ipSock(fd) || fd.isRoleNone()) return undefined;
  return clientIsLocal(ctx, fd) === local ? fd.sport : fd.dport;
}

function localRemoteProto(ctx: Ctx, local: boolean): FieldValue {
  const p = localRemotePort(ctx, local);
  return p === undefined ? undefined : portText(p, fdOf(ctx)!.l4());
}

function l4proto(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (!fd) return undefined;
  switch (fd.l4()) {
    case L4_TCP:
      return 'tcp';
    case L4_UDP:
      return 'udp';
    case L4_ICMP:
      return 'icmp';
    case L4_RAW:
      return 'raw';
    default:
      return '<NA>';
  }
}

function isServer(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (!fd) return undefined;
  switch (fd.type) {
    case FD_IPV4_SERVSOCK:
    case FD_IPV6_SERVSOCK:
      return true;
    case FD_IPV4_SOCK:
      return isIpv4Local(ctx.tables, fd.dip, ctx.thread);
    case FD_IPV6_SOCK:
      return isIpv6Local(ctx.tables, fd.dip, ctx.thread);
    default:
      return false;
  }
}

function sockFamily(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  if (!fd) return undefined;
  if (fd.isIp()) return 'ip';
  if (fd.type === FD_UNIX_SOCK) return 'unix';
  return undefined;
}

function fdUid(ctx: Ctx): FieldValue {
  if (fdOf(ctx) === NO_FD) return undefined;
  const type = ctx.ev.type;
  if (type === CONTAINER_JSON_E || type === CONTAINER_JSON_2_E) return undefined;
  return String(ctx.thread!.tid) + String(ctx.fdNum);
}

function connected(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  return fd ? (fd.flags & FDF_SOCKET_CONNECTED) !== 0 : undefined;
}

function nameChanged(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  return fd ? ctx.fdNameChanged === true : undefined;
}

/** fd.*ip.name: no DNS manager data in a capture read back, so never a name. */
function noDomainName(): FieldValue {
  return undefined;
}

function dev(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  return fd ? fd.dev | 0 : undefined;
}

function devMajor(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  return fd ? (fd.dev & 0xfff00) >>> 8 : undefined;
}

function devMinor(ctx: Ctx): FieldValue {
  const fd = fdOf(ctx);
  return fd ? ((fd.dev & 0xff) | ((fd.dev >>> 12) & 0xfff00)) >>> 0 : undefined;
}

// Filter-only multi-value matching

function anyIp(ctx: Ctx): FieldValue[] | undefined {
  const fd = fdOf(ctx);
  if (!fd) return [];
  if (ipSock(fd)) return [fd.sip, fd.dip];
  if (fd.type === FD_IPV4_SERVSOCK || fd.type === FD_IPV6_SERVSOCK) return [fd.sip];
  return [];
}

function anyPort(ctx: Ctx): FieldValue[] | undefined {
  const fd = fdOf(ctx);
  if (!fd) return [];
  if (ipSock(fd)) return [fd.sport, fd.dport];
  if (fd.type === FD_IPV4_SERVSOCK || fd.type === FD_IPV6_SERVSOCK) return [fd.sport, fd.sport];
  return [];
}

function missing(): FieldValue {
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------

const f = fieldDef;

export const fdClass: FieldClass = {
  name: 'fd',
  desc: 'Every syscall that has a file descriptor in its arguments has these fields set with information related to the file.',
  fields: [
    f('fd.num', 'INT64', 'the unique number identifying the file descriptor.', fdNum, { fmt: 'ID' }),
    f(
      'fd.type',
      'CHARBUF',
      "type of FD. Can be 'file', 'directory', 'ipv4', 'ipv6', 'unix', 'pipe', 'event', 'signalfd', 'eventpoll', 'inotify' or 'signalfd'.",
      fdType,
    ),
    f(
      'fd.typechar',
      'CHARBUF',
      "type of FD as a single character. Can be 'f' for file, 4 for IPv4 socket, 6 for IPv6 socket, 'u' for unix socket, p for pipe, 'e' for eventfd, 's' for signalfd, 'l' for eventpoll, 'i' for inotify, 'o' for unknown.",
      fdTypechar,
    ),
    f(
      'fd.name',
      'CHARBUF',
      'FD full name. If the fd is a file, this field contains the full path. If the FD is a socket, this field contain the connection tuple.',
      fdName,
    ),
    f('fd.directory', 'CHARBUF', 'If the fd is a file, the directory that contains it.', (c) => directoryOf(c, false)),
    f('fd.filename', 'CHARBUF', 'If the fd is a file, the filename without the path.', fdFilename),
    f('fd.ip', 'IPADDR', 'matches the ip address (client or server) of the fd.', missing, {
      filterOnly: true,
      anyOf: anyIp,
      anyOfNe: 'all',
    }),
    f('fd.cip', 'IPADDR', 'client IP address.', clientIp),
    f('fd.sip', 'IPADDR', 'server IP address.', serverIp),
    f('fd.lip', 'IPADDR', 'local IP address.', (c) => localRemoteIp(c, true)),
    f('fd.rip', 'IPADDR', 'remote IP address.', (c) => localRemoteIp(c, false)),
    f('fd.port', 'PORT', 'matches the port (either client or server) of the fd.', missing, {
      filterOnly: true,
      anyOf: anyPort,
      anyOfNe: 'all',
    }),
    f('fd.cport', 'PORT', 'for TCP/UDP FDs, the client port.', clientPort),
    f('fd.sport', 'PORT', 'for TCP/UDP FDs, server port.', serverPort),
    f('fd.lport', 'PORT', 'for TCP/UDP FDs, the local port.', (c) => localRemotePort(c, true)),
    f('fd.rport', 'PORT', 'for TCP/UDP FDs, the remote port.', (c) => localRemotePort(c, false)),
    f('fd.l4proto', 'CHARBUF', "the IP protocol of a socket. Can be 'tcp', 'udp', 'icmp' or 'raw'.", l4proto),
    f('fd.sockfamily', 'CHARBUF', "the socket family for socket events. Can be 'ip' or 'unix'.", sockFamily),
    f('fd.is_server', 'BOOL', "'true' if the process owning this FD is the server endpoint in the connection.", isServer),
    f(
      'fd.uid',
      'CHARBUF',
      'a unique identifier for the FD, created by chaining the FD number and the thread ID.',
      fdUid,
    ),
    f(
      'fd.containername',
      'CHARBUF',
      'chaining of the container ID and the FD name. Useful when trying to identify which container an FD belongs to.',
      fdContainerName,
    ),
    f(
      'fd.containerdirectory',
      'CHARBUF',
      'chaining of the container ID and the directory name. Useful when trying to identify which container a directory belongs to.',
      (c) => directoryOf(c, true),
    ),
    f('fd.proto', 'PORT', 'matches the protocol (either client or server) of the fd.', missing, {
      filterOnly: true,
      anyOf: anyPort,
      anyOfNe: 'all',
    }),
    f('fd.cproto', 'CHARBUF', 'for TCP/UDP FDs, the client protocol.', clientProto),
    f('fd.sproto', 'CHARBUF', 'for TCP/UDP FDs, server protocol.', serverProto),
    f('fd.lproto', 'CHARBUF', 'for TCP/UDP FDs, the local protocol.', (c) => localRemoteProto(c, true)),
    f('fd.rproto', 'CHARBUF', 'for TCP/UDP FDs, the remote protocol.', (c) => localRemoteProto(c, false)),
    f('fd.net', 'IPNET', 'matches the IP network (client or server) of the fd.', missing, {
      filterOnly: true,
      anyOf: anyIp,
      anyOfNe: 'all',
    }),
    f('fd.cnet', 'IPNET', 'matches the client IP network of the fd.', clientIp, { filterOnly: true }),
    f('fd.snet', 'IPNET', 'matches the server IP network of the fd.', serverIp, { filterOnly: true }),
    f('fd.lnet', 'IPNET', 'matches the local IP network of the fd.', (c) => localRemoteIp(c, true), {
      filterOnly: true,
    }),
    f('fd.rnet', 'IPNET', 'matches the remote IP network of the fd.', (c) => localRemoteIp(c, false), {
      filterOnly: true,
    }),
    f('fd.connected', 'BOOL', "for TCP/UDP FDs, 'true' if the socket is connected.", connected),
    f(
      'fd.name_changed',
      'BOOL',
      'True when an event changes the name of an fd used by this event. This can occur in some cases such as udp connections where the connection tuple changes.',
      nameChanged,
    ),
    f('fd.cip.name', 'CHARBUF', 'Domain name associated with the client IP address.', noDomainName),
    f('fd.sip.name', 'CHARBUF', 'Domain name associated with the server IP address.', noDomainName),
    f('fd.lip.name', 'CHARBUF', 'Domain name associated with the local IP address.', noDomainName),
    f('fd.rip.name', 'CHARBUF', 'Domain name associated with the remote IP address.', noDomainName),
    f('fd.dev', 'INT32', 'device number (major/minor) containing the referenced file', dev, { fmt: 'HEX' }),
    f('fd.dev.major', 'INT32', 'major device number containing the referenced file', devMajor),
    f('fd.dev.minor', 'INT32', 'minor device number containing the referenced file', devMinor),
  ],
};
