// Field class "syslog": a syslog message written to /dev/log (libsinsp sinsp_decoder_syslog, 0.29.3).
// libsinsp decodes the data of each successful write to an fd whose name contains "/dev/log"; the fields
// are set on that write's exit event only. The data is "<PRI>message", PRI = facility * 8 + severity.

import { EF } from '../events/table.js';
import type { Ctx, FieldClass, FieldDef, FieldValue } from './types.js';
import { fdOf } from './fd.js';
import { WIDE } from '../scap/event.js';

const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];
const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'clock', 'authpriv', 'ftp',
  'ntp', 'logaudit', 'logalert', 'cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5',
  'local6', 'local7',
];

export interface SyslogMessage {
  /** int32 priority as parsed */
  priority: number;
  /** priority >> 3, as an unsigned 32-bit number */
  facility: number;
  severity: number;
  message: string;
}

/** Parse "<PRI>msg" as libsinsp does: up to 15 characters after the first byte, up to '>' or NUL. */
export function parseSyslog(data: Buffer): SyslogMessage | undefined {
  const len = data.length;
  let j = 0;
  let pri = 0;
  let digits = true;
  for (let p = 1; p < len && j < 15; p++, j++) {
    const c = data[p]!;
    if (c === 0x3e || c === 0) break;
    if (c >= 0x30 && c <= 0x39) pri = (Math.imul(pri, 10) + (c - 0x30)) | 0;
    else digits = false;
  }
  if (len < j + 2 || j === 0 || !digits || pri === -1) return undefined;
  return {
    priority: pri,
    facility: (pri >> 3) >>> 0,
    severity: pri & 7,
    message: data.toString('latin1', j + 2, len),
  };
}

/**
 * evt.info of an event that wrote a syslog message: "syslog sev=SEV msg=MESSAGE" (libsinsp's syslog
 * decoder answers the info line of writes to its fd; the message is read as a C string).
 */
export function syslogInfoLine(m: SyslogMessage): string {
  const z = m.message.indexOf('\0');
  return `syslog sev=${SEVERITIES[m.severity]} msg=${z === -1 ? m.message : m.message.slice(0, z)}`;
}

/**
 * The event syslogOf last decoded, and its message. Fields of an object, not module variables: V8 keeps an
 * event number in a variable as an object of its own (the number field starts wide: WIDE), and storing
 * the reader's buffer, new with every chunk, into an old variable or object costs a call into the GC's
 * write barrier, so it is stored when it changes.
 */
class SyslogCache {
  buf: Buffer | null = null;
  off = -1;
  num = WIDE;
  val: SyslogMessage | undefined = undefined;
  constructor() {
    this.num = -1;
  }
}
const cache = new SyslogCache();

/**
 * The syslog message of this event: a successful exit of a write-type event (EF_WRITES_TO_FD) on an fd
 * named like /dev/log, decoding its `data` parameter (param 1). Also what evt.info shows for such writes
 * (libsinsp: "syslog sev=<severity> msg=<message>") when the syslog decoder is active.
 */
export function syslogOf(ctx: Ctx): SyslogMessage | undefined {
  const ev = ctx.ev;
  const c = cache;
  if (ev.buf === c.buf && ev.off === c.off && ev.num === c.num) return c.val;
  if (ev.buf !== c.buf) c.buf = ev.buf;
  c.off = ev.off;
  c.num = ev.num;
  if (c.val !== undefined) c.val = undefined;
  if ((ev.type & 1) === 0 || (ctx.info.flags & EF.WRITES_TO_FD) === 0 || ev.nparams < 2) return undefined;
  if (ev.paramInt(0, true) < 0) return undefined;
  const fd = fdOf(ctx);
  if (!fd || !fd.name.includes('/dev/log')) return undefined;
  c.val = parseSyslog(ev.paramBytes(1));
  return c.val;
}

function sl(name: string, type: FieldDef['type'], desc: string, get: (m: SyslogMessage) => FieldValue): FieldDef {
  return {
    name,
    type,
    desc,
    extract: (ctx) => {
      const m = syslogOf(ctx);
      return m === undefined ? undefined : get(m);
    },
  };
}

export const syslogClass: FieldClass = {
  name: 'syslog',
  desc: 'Content of Syslog messages.',
  fields: [
    sl('syslog.facility.str', 'CHARBUF', 'facility as a string.', (m) => FACILITIES[m.facility] ?? '<NA>'),
    sl('syslog.facility', 'UINT32', 'facility as a number (0-23).', (m) => m.facility),
    sl(
      'syslog.severity.str',
      'CHARBUF',
      'severity as a string. Can have one of these values: emerg, alert, crit, err, warn, notice, info, debug',
      (m) => SEVERITIES[m.severity] ?? '<NA>',
    ),
    sl('syslog.severity', 'UINT32', 'severity as a number (0-7).', (m) => m.severity),
    sl('syslog.message', 'CHARBUF', 'message sent to syslog.', (m) => m.message),
  ],
};
