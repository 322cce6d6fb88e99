// Containers, as libsinsp's container manager knows them when it reads a capture (libs e5c53d6, the libraries
// of sysdig 0.29.3): container.cpp (resolve_container, add_container, identify_category), runc.cpp (the
// cgroup layouts with a 64-digit id), container_engine/*.cpp (one engine per runtime) and parsers.cpp
// (parse_container_json_evt: the metadata a live capture wrote as "container" events).
//
// Reading a capture, no engine asks a runtime for metadata. The engines run in this order, and the first that
// resolves the thread ends the search (an engine that does not still leaves the id it found):
//   podman   a cgroup ".../libpod-<64 hex>.scope"                      stored with its id and type only
//   docker   a cgroup ".../<64 hex>" or ".../docker-<64 hex>.scope"    stored with its id and type only
//   cri      ".../crio-<64 hex>", ".../cri-containerd-<64 hex>.scope", ".../crio-<64 hex>.scope",
//            "...:cri-containerd:<64 hex>": the id alone, and the search goes on (without a CRI socket on the
//            reading machine there is no CRI client, and cri::resolve returns false)
//   lxc, libvirt-lxc, mesos, bpm: stored, named after their id (mesos only with a task id in the
//            environment of the thread or an ancestor)
//   rkt      the id alone (its metadata is looked up only live)
// docker, podman and cri report the first 12 digits of the id.
//
// A difference, on purpose: libsinsp finds podman's rootless containers through the reading machine's
// /proc/<tid>/cgroup (when the capture has no "name=systemd" cgroup) and /proc/<tid>/uid_map. tdig reads only
// the capture, where they are not, so a capture alone decides what it shows.

import type { ContainerInfo, ContainerMount, StateTables, Thread } from './model.js';
import { parentOf, traverseParents } from './model.js';

/** sinsp_container_type */
export const enum CT {
  DOCKER = 0,
  LXC = 1,
  LIBVIRT_LXC = 2,
  MESOS = 3,
  RKT = 4,
  CRI = 6,
  BPM = 9,
  PODMAN = 11,
}

/** command_category of a thread (threadinfo.h) */
const CAT_CONTAINER = 1;

type Layout = readonly (readonly [prefix: string, suffix: string])[];

const PODMAN_LAYOUT: Layout = [['/libpod-', '.scope']];
const DOCKER_LAYOUT: Layout = [
  ['/', ''],
  ['/docker-', '.scope'],
];
const CRI_LAYOUT: Layout = [
  ['/', ''],
  ['/crio-', ''],
  ['/cri-containerd-', '.scope'],
  ['/crio-', '.scope'],
  [':cri-containerd:', ''],
];

const ID_LENGTH = 64;
const REPORTED_ID_LENGTH = 12;

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/**
 * runc.cpp match_one_container_id: the cgroup ends with prefix, 64 characters, suffix (each found by its
 * last occurrence). The hex test is libsinsp's: the first non-hex character at or after the id must lie
 * before offset 64 of the whole path to refuse it, so only paths whose id starts near the front are checked.
 */
export function matchOneContainerId(cgroup: string, prefix: string, suffix: string): string | undefined {
  const p = cgroup.lastIndexOf(prefix);
  if (p < 0) return undefined;
  const start = p + prefix.length;
  const end = cgroup.lastIndexOf(suffix);
  if (end < 0 || end - start !== ID_LENGTH) return undefined;
  for (let i = start; i < cgroup.length; i++) {
    if (!isHexDigit(cgroup.charCodeAt(i))) {
      if (i < ID_LENGTH) return undefined;
      break;
    }
  }
  return cgroup.substring(start, start + REPORTED_ID_LENGTH);
}

/** runc.cpp matches_runc_cgroups: the first cgroup (in the thread's order) that matches one of the layouts. */
function matchRunc(t: Thread, layout: Layout): { id: string; cgroup: string } | undefined {
  for (const [, cgroup] of t.cgroups) {
    for (const [prefix, suffix] of layout) {
      const id = matchOneContainerId(cgroup, prefix, suffix);
      if (id !== undefined) return { id, cgroup };
    }
  }
  return undefined;
}

/**
 * Whether an engine may recognize cgroups from their raw text: their marks (lxc, mesos, bpm, podman, docker,
 * cri-o and containerd) or a last path component of at least 64 characters (docker's and cri's plain layout).
 */
const MAY_MATCH = /lxc|\/mesos\/|bpm-|libpod-|docker-|crio-|cri-containerd|\/[^/\0]{64,}(?:\0|$)/;

/** A container with only what its engine knows (sinsp_container_info's defaults: a successful lookup). */
function bareContainer(id: string, type: number, name: string): ContainerInfo {
  return {
    id,
    type,
    name,
    image: '',
    imageId: '',
    imageRepo: '',
    imageTag: '',
    imageDigest: '',
    privileged: false,
    mounts: [],
    healthProbes: [],
    containerIp: 0,
    successful: true,
    labels: new Map(),
  };
}

/** sinsp_threadinfo::get_env(name): the main thread's environment; spaces around the value dropped. */
function envValue(tables: StateTables, t: Thread, name: string): string {
  for (const v of envOf(tables, t)) {
    if (v.length > name.length + 1 && v.charCodeAt(name.length) === 0x3d && v.startsWith(name)) {
      let a = name.length + 1;
      while (a < v.length && v.charCodeAt(a) === 0x20) a++;
      if (a === v.length) return '';
      let b = v.length - 1;
      while (v.charCodeAt(b) === 0x20) b--;
      return v.substring(a, b + 1);
    }
  }
  return '';
}

/** sinsp_threadinfo::get_env(): the main thread's environment (the thread's own when that is unknown). */
function envOf(tables: StateTables, t: Thread): string[] {
  return (tables.mainThread(t) ?? t).env;
}

/** rkt's pod id: the value of a "container_uuid=" entry of the environment, or '' */
function podIdOf(tables: StateTables, t: Thread): string {
  for (const v of envOf(tables, t)) if (v.startsWith('container_uuid=')) return v.substring(15);
  return '';
}

/** C++ substr(pos, n) where n came from unsigned arithmetic: a negative count takes the rest. */
function substrC(s: string, pos: number, n: number): string {
  return n < 0 ? s.substring(pos) : s.substring(pos, pos + n);
}

export class ContainerManager {
  /** (id, type) pairs whose lookup has a state (container.h m_lookups): set by every stored container */
  private lookups = new Map<string, Set<number>>();

  constructor(private readonly tables: StateTables) {}

  /** a stored container's id has a ':' (rkt's "pod:app"): rkt's test of ".service" cgroups can then succeed */
  private rktIds = false;

  /** MAY_MATCH's answers for the cgroup texts last seen (the threads of a process, or of a service, share theirs) */
  private seen = new Map<string, boolean>();

  private mayMatch(raw: string): boolean {
    let r = this.seen.get(raw);
    if (r === undefined) {
      if (this.seen.size >= 1024) this.seen.clear();
      this.seen.set(raw, (r = MAY_MATCH.test(raw)));
    }
    return r;
  }

  /** container.cpp add_container */
  add(ci: ContainerInfo): void {
    if (ci.id.includes(':')) this.rktIds = true;
    let types = this.lookups.get(ci.id);
    if (types === undefined) this.lookups.set(ci.id, (types = new Set()));
    types.add(ci.type);
    this.tables.containers.set(ci.id, ci);
  }

  private shouldLookup(id: string, type: number): boolean {
    return this.lookups.get(id)?.has(type) !== true;
  }

  /** container.cpp resolve_container, with query_os_for_missing_info false (a capture is being read). */
  resolve(t: Thread): void {
    t.containerId = '';
    // (most threads are on the host: a look at the raw text rules out every engine for them, unless an rkt
    // container is known, whose ".service" test takes any cgroup, or the root is one of rkt's stage1)
    if (!this.rktIds && !t.root.startsWith('/opt/stage2/') && !t.root.startsWith('/var/lib/rkt/pods/run/') && !this.mayMatch(t.cgroupText())) return;
    // each engine in sinsp_container_manager::create_engines's order; the first true ends the search
    void (this.podman(t) || this.docker(t) || this.cri(t) || this.lxc(t) || this.libvirtLxc(t) || this.mesos(t) || this.rkt(t) || this.bpm(t));
    this.identifyCategory(t);
  }

  /** docker/base.cpp resolve_impl: a container not yet known is stored with its id and type. */
  private runtime(t: Thread, id: string, type: number): boolean {
    t.containerId = id;
    const ci = this.tables.containers.get(id);
    if (ci === undefined) {
      this.add(bareContainer(id, type, ''));
      return true;
    }
    return ci.successful;
  }

  /**
   * docker/podman.cpp detect_podman: the libpod layout. (Its other test, for rootless containers, takes a systemd
   * cgroup ".../podman-N.scope/<64 hex>" and the root uid of the thread's user namespace from the reading
   * machine's /proc; see the top.)
   */
  private podman(t: Thread): boolean {
    const m = matchRunc(t, PODMAN_LAYOUT);
    return m !== undefined && this.runtime(t, m.id, CT.PODMAN);
  }

  private docker(t: Thread): boolean {
    const m = matchRunc(t, DOCKER_LAYOUT);
    return m !== undefined && this.runtime(t, m.id, CT.DOCKER);
  }

  /** cri.cpp resolve: the id is set; with no CRI client there is nothing more (false: the search goes on). */
  private cri(t: Thread): boolean {
    const m = matchRunc(t, CRI_LAYOUT);
    if (m !== undefined) t.containerId = m.id;
    return false;
  }

  /** The engines that name a container after its id (lxc.cpp, libvirt_lxc.cpp, mesos.cpp, bpm.cpp resolve). */
  private named(t: Thread, id: string, type: number): true {
    t.containerId = id;
    if (this.shouldLookup(id, type)) this.add(bareContainer(id, type, id));
    return true;
  }

  private lxc(t: Thread): boolean {
    for (const [, cgroup] of t.cgroups) {
      for (const mark of ['/lxc/', '/lxc.payload/']) {
        const pos = cgroup.indexOf(mark);
        if (pos < 0) continue;
        const start = pos + mark.length;
        const end = cgroup.indexOf('/', start);
        return this.named(t, end < 0 ? cgroup.substring(start) : cgroup.substring(start, end), CT.LXC);
      }
    }
    return false;
  }

  private libvirtLxc(t: Thread): boolean {
    for (const [, cgroup] of t.cgroups) {
      // non-systemd: ".../<id>.libvirt-lxc"
      let pos = cgroup.indexOf('.libvirt-lxc');
      if (pos >= 0 && pos === cgroup.length - 12) {
        const slash = cgroup.lastIndexOf('/');
        if (slash >= 0) return this.named(t, substrC(cgroup, slash + 1, pos - slash - 1), CT.LIBVIRT_LXC);
      }
      // systemd: "...-lxc\x2d<id>.scope" (libsinsp skips "-lxc\x2" and one more character)
      pos = cgroup.indexOf('-lxc\\x2');
      if (pos >= 0) {
        const scope = cgroup.indexOf('.scope');
        if (scope >= 0 && scope === cgroup.length - 6) return this.named(t, substrC(cgroup, pos + 8, scope - pos - 8), CT.LIBVIRT_LXC);
      }
      // legacy: ".../libvirt/lxc/<id>"
      pos = cgroup.indexOf('/libvirt/lxc/');
      if (pos >= 0) return this.named(t, cgroup.substring(pos + 13), CT.LIBVIRT_LXC);
    }
    return false;
  }

  /** mesos.cpp: "/mesos/<36 characters of hex and '-'>", valid only with a task id found in an environment. */
  private mesos(t: Thread): boolean {
    for (const [, cgroup] of t.cgroups) {
      const pos = cgroup.indexOf('/mesos/');
      if (pos < 0) continue;
      const id = cgroup.substring(pos + 7);
      if (id.length !== 36 || !/^[0-9a-fA-F-]*$/.test(id)) continue;
      return this.mesosTaskId(t) && this.named(t, id, CT.MESOS);
    }
    return false;
  }

  /** mesos.cpp set_mesos_task_id: MESOS_TASK_ID, mesos_task_id or MESOS_EXECUTOR_ID of the thread or an ancestor. */
  private mesosTaskId(t: Thread): boolean {
    let mtid = '';
    const visit = (p: Thread): boolean => {
      for (const name of ['MESOS_TASK_ID', 'mesos_task_id', 'MESOS_EXECUTOR_ID']) {
        mtid = envValue(this.tables, p, name);
        if (mtid !== '') return false;
      }
      return true;
    };
    if (visit(t)) traverseParents(this.tables, t, visit);
    return mtid.length >= 3 && /[._]/.test(mtid);
  }

  /** rkt.cpp match: a pod's app from a ".service" cgroup (only once its container is known) or from the root. */
  private rkt(t: Thread): boolean {
    for (const [, cgroup] of t.cgroups) {
      // libsinsp's test is rfind(".service") == size - 8 in unsigned arithmetic: a 7-character path passes too
      const last = cgroup.lastIndexOf('.service');
      if (!(last >= 0 ? last === cgroup.length - 8 : cgroup.length === 7)) continue;
      let podid = '';
      traverseParents(this.tables, t, (p) => {
        podid = podIdOf(this.tables, p);
        if (podid !== '') return false;
        for (const a of p.args) {
          if (a.includes('--uuid=')) {
            podid = a.substring(7);
            return false;
          }
        }
        return true;
      });
      if (podid === '') continue;
      const slash = cgroup.lastIndexOf('/');
      const app = substrC(cgroup, slash + 1, cgroup.length - slash - 8 - 1);
      // valid only for a container already in the table (the pod's files are looked at only live)
      if (this.tables.containers.has(podid + ':' + app)) return this.rktId(t, podid + ':' + app);
    }
    const root = t.root;
    if (root.startsWith('/opt/stage2/')) {
      const suffix = root.indexOf('/rootfs');
      if (suffix < 0) return false;
      const app = substrC(root, 12, suffix - 12);
      let podid = '';
      const visit = (p: Thread): boolean => (podid = podIdOf(this.tables, p)) === '';
      if (visit(t)) traverseParents(this.tables, t, visit);
      return podid !== '' && this.rktId(t, podid + ':' + app);
    }
    if (root.startsWith('/var/lib/rkt/pods/run/')) {
      const podEnd = root.indexOf('/stage1/rootfs/opt/stage2/', 22);
      if (podEnd < 0) return false;
      const podid = root.substring(22, podEnd);
      const appEnd = root.indexOf('/rootfs', podEnd + 26);
      if (appEnd < 0) return false;
      return this.rktId(t, podid + ':' + substrC(root, podEnd + 26, appEnd - podEnd - 26));
    }
    return false;
  }

  /** rkt.cpp resolve, reading a capture: the id, and no container stored. */
  private rktId(t: Thread, id: string): true {
    t.containerId = id;
    return true;
  }

  /** bpm.cpp: "bpm-<id>" up to ".scope", the id of letters, digits, '.', '_' and '-'. */
  private bpm(t: Thread): boolean {
    for (const [, cgroup] of t.cgroups) {
      const pos = cgroup.indexOf('bpm-');
      if (pos < 0) continue;
      const end = cgroup.indexOf('.scope', pos + 4);
      const id = end < 0 ? cgroup.substring(pos + 4) : cgroup.substring(pos + 4, end);
      if (/^[A-Za-z0-9._-]+$/.test(id)) return this.named(t, id, CT.BPM);
    }
    return false;
  }

  /**
   * container.cpp identify_category: a container's first process (vpid 1) is its init; other threads take
   * their parent's category, or, when the command matches a health probe of the container and no ancestor is
   * the container's init, the probe's.
   */
  private identifyCategory(t: Thread): void {
    if (t.containerId === '') return;
    if (t.vpid === 1) {
      t.category = CAT_CONTAINER;
      return;
    }
    const parent = parentOf(this.tables, t);
    if (parent !== undefined && parent.category !== 0) {
      t.category = parent.category;
      return;
    }
    const ci = this.tables.containers.get(t.containerId);
    if (ci === undefined || !ci.successful) return;
    const probe = ci.healthProbes.find((p) => p.exe === t.exe && p.args.length === t.args.length && p.args.every((a, i) => a === t.args[i]));
    if (probe === undefined || probe.probeType === 0) return;
    let underInit = false;
    traverseParents(this.tables, t, (p) => {
      if (p.vpid === 1 && p.containerId !== '') {
        underInit = true;
        return false;
      }
      return true;
    });
    if (!underInit) t.category = probe.probeType + 1;
  }
}

// ---- container events (parsers.cpp parse_container_json_evt) ----

/** Json::Value::isConvertibleTo(stringValue) then asString(). */
function jsonString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : jsonReal(v);
  return undefined;
}

/** jsoncpp's valueToString(double): 17 significant digits, trailing zeros cut. */
function jsonReal(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'null' : v < 0 ? '-1e+9999' : '1e+9999';
  let s = v.toPrecision(17);
  if (s.includes('e')) return s.replace(/\.?0+e/, 'e').replace(/e([+-])(\d)$/, 'e$10$2');
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '.0');
  return s;
}

/** isConvertibleTo(uintValue) then asUInt(); undefined when not convertible. */
function jsonUint(v: unknown): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && v >= 0 && v <= 0xffffffff && Number.isInteger(v)) return v;
  return undefined;
}

/** isConvertibleTo(booleanValue) then asBool(). */
function jsonBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return undefined;
}

/** container_mount_info's get_string_value: a string member, else empty. */
function mountString(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

const PROBE_KEYS = ['None', 'Healthcheck', 'LivenessProbe', 'ReadinessProbe'];

const CONTAINER_JSON_2_E = 324;

/** inet_pton(AF_INET): dotted quad of four decimal parts, each at most 255 and at most 3 digits. */
function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (m === null) return undefined;
  let ip = 0;
  for (let i = 1; i <= 4; i++) {
    const n = Number(m[i]);
    if (n > 255) return undefined;
    ip = ip * 256 + n;
  }
  return ip;
}

/**
 * The metadata of a container event's JSON ({"container": {...}}), as parse_container_json_evt reads it.
 * Throws a SyntaxError for text that is not JSON (libsinsp throws too, and sysdig stops).
 */
export function containerFromJson(text: string): ContainerInfo {
  const root: unknown = JSON.parse(text);
  const c = (root !== null && typeof root === 'object' && !Array.isArray(root) ? (root as Record<string, unknown>).container : undefined) ?? {};
  const o = (typeof c === 'object' && c !== null && !Array.isArray(c) ? c : {}) as Record<string, unknown>;
  // (libsinsp leaves m_type unset when the JSON has none: docker's 0 here)
  const ci = bareContainer(jsonString(o.id) ?? '', jsonUint(o.type) ?? CT.DOCKER, jsonString(o.name) ?? '');
  ci.image = jsonString(o.image) ?? '';
  ci.imageId = jsonString(o.imageid) ?? '';
  ci.imageRepo = jsonString(o.imagerepo) ?? '';
  ci.imageTag = jsonString(o.imagetag) ?? '';
  ci.imageDigest = jsonString(o.imagedigest) ?? '';
  ci.privileged = jsonBool(o.privileged) ?? false;
  const state = jsonUint(o.lookup_state);
  // 0 started (never finishes in a capture: failed), 1 successful, 2 failed; others are successful
  if (state !== undefined) ci.successful = state !== 0 && state !== 2;
  if (Array.isArray(o.Mounts)) {
    for (const m of o.Mounts as unknown[]) {
      const mo = (m !== null && typeof m === 'object' && !Array.isArray(m) ? m : {}) as Record<string, unknown>;
      const mount: ContainerMount = {
        source: mountString(mo.Source),
        dest: mountString(mo.Destination),
        mode: mountString(mo.Mode),
        rdwr: typeof mo.RW === 'boolean' ? mo.RW : false,
        propagation: mountString(mo.Propagation),
      };
      ci.mounts.push(mount);
    }
  }
  for (let i = 0; i < PROBE_KEYS.length; i++) {
    const p = o[PROBE_KEYS[i]!];
    if (p === null || typeof p !== 'object' || Array.isArray(p)) continue;
    const exe = jsonString((p as Record<string, unknown>).exe);
    if (exe === undefined) continue;
    const args: string[] = [];
    const a = (p as Record<string, unknown>).args;
    if (Array.isArray(a)) {
      for (const x of a) {
        const s = x === null ? '' : jsonString(x);
        if (s !== undefined) args.push(s);
      }
    }
    ci.healthProbes.push({ probeType: i, exe, args });
  }
  const ip = jsonString(o.ip);
  if (ip !== undefined) ci.containerIp = ipv4(ip) ?? 0;
  // (asString of each member: null is empty)
  if (o.labels !== null && typeof o.labels === 'object' && !Array.isArray(o.labels)) {
    for (const [k, v] of Object.entries(o.labels as Record<string, unknown>)) ci.labels.set(k, v === null ? '' : (jsonString(v) ?? ''));
  }
  return ci;
}

/**
 * A container event's JSON for what the table holds (the members containerFromJson reads, as libsinsp's
 * container_to_json names them), so that a capture cut into parts keeps the metadata in each part.
 */
export function containerToJson(ci: ContainerInfo): string {
  const c: Record<string, unknown> = {
    id: ci.id,
    type: ci.type,
    name: ci.name,
    image: ci.image,
    imageid: ci.imageId,
    imagerepo: ci.imageRepo,
    imagetag: ci.imageTag,
    imagedigest: ci.imageDigest,
    privileged: ci.privileged,
    lookup_state: ci.successful ? 1 : 2,
    Mounts: ci.mounts.map((m) => ({ Source: m.source, Destination: m.dest, Mode: m.mode, RW: m.rdwr, Propagation: m.propagation })),
  };
  for (const p of ci.healthProbes) c[PROBE_KEYS[p.probeType]!] = { exe: p.exe, args: p.args };
  if (ci.containerIp !== 0) c.ip = [24, 16, 8, 0].map((s) => (ci.containerIp >>> s) & 255).join('.');
  if (ci.labels.size > 0) c.labels = Object.fromEntries(ci.labels);
  return JSON.stringify({ container: c });
}

/** PPME_CONTAINER_JSON_2_E (tid -1, a 4-byte parameter length) for a container, at time `ts`. */
export function containerEvent(ci: ContainerInfo, ts: bigint): Buffer {
  return containerJsonEvent(containerToJson(ci), ts);
}

/** PPME_CONTAINER_JSON_2_E with this text as its JSON (NUL-terminated), at time `ts`. */
export function containerJsonEvent(json: string, ts: bigint): Buffer {
  const text = Buffer.from(json + '\0', 'utf8');
  const ev = Buffer.alloc(30 + text.length);
  ev.writeBigUInt64LE(ts, 0);
  ev.writeBigInt64LE(-1n, 8);
  ev.writeUInt32LE(ev.length, 16);
  ev.writeUInt16LE(CONTAINER_JSON_2_E, 20);
  ev.writeUInt32LE(1, 22);
  ev.writeUInt32LE(text.length, 26);
  text.copy(ev, 30);
  return ev;
}
