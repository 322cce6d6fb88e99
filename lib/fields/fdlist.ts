// Field class "fdlist": the fds of a poll/ppoll call (libsinsp sinsp_filter_check_fdlist, 0.29.3).
// The `fds` parameter is a u16 count followed by (i64 fd, i16 events) entries; each field lists one property
// of each fd, comma-separated, skipping fds it does not apply to. An empty list is missing.

import {
  FD_IPV4_SERVSOCK,
  FD_IPV4_SOCK,
  FD_IPV6_SERVSOCK,
  FD_IPV6_SOCK,
  type Fd,
} from '../state/model.js';
import { ipv4ToString, ipv6ToString } from '../events/render.js';
import type { Ctx, FieldClass, FieldDef, FieldValue } from './types.js';

const POLL_E = 80;
const POLL_X = 81;
const PPOLL_E = 254;
const PPOLL_X = 255;



const enum Kind {
  Nums,
  Names,
  Cips,
  Sips,
  Cports,
  Sports,
}

/** One entry's text, or undefined to skip it (no comma). */
function item(kind: Kind, fdnum: number, fd: Fd | undefined): string | undefined {
  switch (kind) {
    case Kind.Nums:
      return String(fdnum);
    case Kind.Names:
      return fd !== undefined && fd.name !== '' ? fd.name : '<NA>';
    case Kind.Cips:
      if (fd === undefined) return undefined;
      if (fd.type === FD_IPV4_SOCK) return ipv4ToString(fd.sip);
      if (fd.type === FD_IPV6_SOCK) return ipv6ToString(fd.sip);
      return undefined;
    case Kind.Sips:
      if (fd === undefined) return undefined;
      if (fd.type === FD_IPV4_SOCK) return ipv4ToString(fd.dip);
      if (fd.type === FD_IPV6_SOCK) return ipv6ToString(fd.dip);
      if (fd.type === FD_IPV4_SERVSOCK) return ipv4ToString(fd.sip);
      // libsinsp formats an IPv6 servsock's address as IPv4: its first four bytes
      if (fd.type === FD_IPV6_SERVSOCK) return ipv4ToString(fd.sip);
      return undefined;
    case Kind.Cports:
      if (fd === undefined) return undefined;
      if (fd.type === FD_IPV4_SOCK || fd.type === FD_IPV6_SOCK) return String(fd.sport);
      return undefined;
    case Kind.Sports:
      if (fd === undefined) return undefined;
      if (fd.type === FD_IPV4_SOCK || fd.type === FD_IPV6_SOCK) return String(fd.dport);
      return undefined;
  }
}

function extractList(ctx: Ctx, kind: Kind): FieldValue {
  const ev = ctx.ev;
  const type = ev.type;
  let pi: number;
  if (type === POLL_E || type === PPOLL_E) pi = 0;
  else if (type === POLL_X || type === PPOLL_X) pi = 1;
  else return undefined;
  const t = ctx.thread;
  if (t === undefined || pi >= ev.nparams) return undefined;
  const b = ev.paramBytes(pi);
  if (b.length < 2) return undefined;
  const n = b.readUInt16LE(0);
  let s = '';
  for (let j = 0, pos = 2; j < n && pos + 8 <= b.length; j++, pos += 10) {
    const lo = b.readUInt32LE(pos);
    const hi = b.readInt32LE(pos + 4);
    const fdnum = hi * 4294967296 + lo;
    const v = item(kind, fdnum, ctx.tables.getFd(t, fdnum));
    if (v !== undefined) s += v + ',';
  }
  if (s === '') return undefined;
  return s.charCodeAt(s.length - 1) === 0x2c ? s.slice(0, -1) : s;
}

function fl(name: string, desc: string, kind: Kind, fmt?: FieldDef['fmt']): FieldDef {
  const def: FieldDef = { name, type: 'CHARBUF', desc, extract: (ctx) => extractList(ctx, kind) };
  if (fmt !== undefined) def.fmt = fmt;
  return def;
}

export const fdlistClass: FieldClass = {
  name: 'fdlist',
  desc: 'Poll event related fields.',
  fields: [
    fl(
      'fdlist.nums',
      "for poll events, this is a comma-separated list of the FD numbers in the 'fds' argument, returned as a string.",
      Kind.Nums,
      'ID',
    ),
    fl(
      'fdlist.names',
      "for poll events, this is a comma-separated list of the FD names in the 'fds' argument, returned as a string.",
      Kind.Names,
    ),
    fl(
      'fdlist.cips',
      "for poll events, this is a comma-separated list of the client IP addresses in the 'fds' argument, returned as a string.",
      Kind.Cips,
    ),
    fl(
      'fdlist.sips',
      "for poll events, this is a comma-separated list of the server IP addresses in the 'fds' argument, returned as a string.",
      Kind.Sips,
    ),
    fl(
      'fdlist.cports',
      "for TCP/UDP FDs, for poll events, this is a comma-separated list of the client TCP/UDP ports in the 'fds' argument, returned as a string.",
      Kind.Cports,
    ),
    fl(
      'fdlist.sports',
      "for poll events, this is a comma-separated list of the server TCP/UDP ports in the 'fds' argument, returned as a string.",
      Kind.Sports,
    ),
  ],
};

export { ipv4ToString, ipv6ToString };
