// Field classes "user" and "group" (libsinsp sinsp_filter_check_user / sinsp_filter_check_group, 0.29.3).
// Names come from the user and group lists of the capture; uid/gid 0xFFFFFFFF never has a name.

import type { StateTables, Thread, UserInfo } from '../state/model.js';
import type { Ctx, FieldClass, FieldDef, FieldValue } from './types.js';

function userOf(tables: StateTables, uid: number): UserInfo | undefined {
  const u = uid >>> 0;
  if (u === 0xffffffff) return undefined;
  return tables.users.get(u);
}

function th(
  name: string,
  type: FieldDef['type'],
  desc: string,
  get: (t: Thread, ctx: Ctx) => FieldValue,
  fmt?: FieldDef['fmt'],
): FieldDef {
  const def: FieldDef = {
    name,
    type,
    desc,
    extract: (ctx) => (ctx.thread === undefined ? undefined : get(ctx.thread, ctx)),
  };
  if (fmt !== undefined) def.fmt = fmt;
  return def;
}

export const userClass: FieldClass = {
  name: 'user',
  desc: 'Information about the user executing the specific event.',
  fields: [
    th('user.uid', 'UINT32', 'user ID.', (t) => t.uid >>> 0, 'ID'),
    th('user.name', 'CHARBUF', 'user name.', (t, c) => userOf(c.tables, t.uid)?.name),
    th('user.homedir', 'CHARBUF', 'home directory of the user.', (t, c) => userOf(c.tables, t.uid)?.homedir),
    th('user.shell', 'CHARBUF', "user's shell.", (t, c) => userOf(c.tables, t.uid)?.shell),
    th('user.loginuid', 'INT32', 'audit user id (auid).', (t) => t.loginuid | 0, 'ID'),
    th('user.loginname', 'CHARBUF', 'audit user name (auid).', (t, c) => userOf(c.tables, t.loginuid)?.name),
  ],
};

export const groupClass: FieldClass = {
  name: 'group',
  desc: 'Information about the user group.',
  fields: [
    // 0.29.3 reads this 32-bit id as 64 bits, taking the thread's child count as the high half
    th('group.gid', 'UINT64', 'group ID.', (t) => (t.gid >>> 0) + t.nchilds * 4294967296, 'ID'),
    th('group.name', 'CHARBUF', 'group name.', (t, c) => {
      const g = t.gid >>> 0;
      return g === 0xffffffff ? undefined : c.tables.groups.get(g)?.name;
    }),
  ],
};
