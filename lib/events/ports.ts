// Port numbers as text: the number, or under -R (sysdig's "resolve port numbers to names") the service's
// name from the services database, as libsinsp's port_to_string (userspace/libsinsp/utils.cpp) gives it:
// getservbyport(port, "tcp" | "udp" | NULL) with the protocol taken from the l4 protocol it is handed
// (NULL, any protocol, for every other value), and the number when the database has no entry.
//
// getservbyport reads /etc/services through NSS ("services: files" on Debian): the first line, in file
// order, whose port and protocol match gives its official name (the first word). tdig reads the file once,
// the first time a name is asked for, with glibc's rules for a line: '#' starts a comment, the words are
// separated by blanks, the second is PORT/PROTO with PORT a decimal number below 65536.

import { readFileSync } from 'node:fs';
import { L4_TCP, L4_UDP } from '../state/model.js';

let resolving = false;
let servicesFile = '/etc/services';
let byTcp: Map<number, string> | undefined;
let byUdp: Map<number, string> | undefined;
let byAny: Map<number, string> | undefined;

/** Turn resolution on or off for the whole process (-R). `file`: another services file, for tests. */
export function setPortResolution(on: boolean, file = '/etc/services'): void {
  resolving = on;
  byTcp = byUdp = byAny = undefined;
  servicesFile = file;
}

/** Whether -R is on. */
export function resolvingPorts(): boolean {
  return resolving;
}

function load(): void {
  byTcp = new Map();
  byUdp = new Map();
  byAny = new Map();
  let text: string;
  try {
    text = readFileSync(servicesFile, 'latin1');
  } catch {
    return; // no database: every port stays a number, as getservbyport's NULL leaves it
  }
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    const words = (hash >= 0 ? raw.slice(0, hash) : raw).split(/[ \t]+/).filter((w) => w !== '');
    if (words.length < 2) continue;
    const slash = words[1]!.indexOf('/');
    if (slash <= 0) continue;
    const num = words[1]!.slice(0, slash);
    if (!/^[0-9]+$/.test(num)) continue;
    const port = Number(num);
    if (port > 65535) continue;
    const proto = words[1]!.slice(slash + 1);
    const name = words[0]!;
    if (!byAny.has(port)) byAny.set(port, name);
    if (proto === 'tcp' && !byTcp.has(port)) byTcp.set(port, name);
    if (proto === 'udp' && !byUdp.has(port)) byUdp.set(port, name);
  }
}

/** port_to_string: `port` (host order) as text; with -R its service name for the l4 protocol `l4`. */
export function portText(port: number, l4: number): string {
  if (!resolving) return String(port);
  if (byAny === undefined) load();
  const name = (l4 === L4_TCP ? byTcp : l4 === L4_UDP ? byUdp : byAny)!.get(port);
  return name ?? String(port);
}
