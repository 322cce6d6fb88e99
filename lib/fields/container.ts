// Field class "container" (libsinsp sinsp_filter_check_container, 0.29.3).
// A thread outside any container (containerId '') reports id, name and type "host" and nothing else.
// Inside one, values come from the container's metadata (tables.containers), missing when it is unknown.

import { globMatch } from './glob.js';
import type { ContainerInfo, ContainerMount, Thread } from '../state/model.js';
import type { Ctx, FieldArg, FieldClass, FieldDef, FieldValue } from './types.js';

const TYPE_NAMES: Record<number, string> = {
  0: 'docker',
  1: 'lxc',
  2: 'libvirt-lxc',
  3: 'mesos',
  4: 'rkt',
  6: 'cri',
  7: 'containerd',
  8: 'cri-o',
  9: 'bpm',
};

/** is_docker_compatible: docker, cri, containerd, cri-o, podman */
function dockerCompatible(type: number): boolean {
  return type === 0 || type === 6 || type === 7 || type === 8 || type === 11;
}

// fnmatch(pattern, s, 0), as libsinsp matches a mount's path
export { globMatch };

function mountString(m: ContainerMount): string {
  return m.source + ':' + m.dest + ':' + m.mode + ':' + (m.rdwr ? 'true' : 'false') + ':' + m.propagation;
}

function findMount(ci: ContainerInfo, arg: FieldArg | undefined, byDest: boolean): ContainerMount | undefined {
  if (arg === undefined) return undefined;
  if (arg.index !== undefined) return arg.index >= 0 ? ci.mounts[arg.index] : undefined;
  const pat = arg.name ?? arg.raw;
  for (const m of ci.mounts) if (globMatch(pat, byDest ? m.dest : m.source)) return m;
  return undefined;
}

/** The container of the event's thread: undefined = no thread; null = host; else its metadata or 'unknown'. */
function containerOf(ctx: Ctx): ContainerInfo | null | undefined | 'unknown' {
  const t: Thread | undefined = ctx.thread;
  if (t === undefined) return undefined;
  if (t.containerId === '') return null;
  return ctx.tables.containers.get(t.containerId) ?? 'unknown';
}

/** A field that is missing on the host and when the container's metadata is unknown. */
function inContainer(
  name: string,
  desc: string,
  get: (ci: ContainerInfo, arg: FieldArg | undefined) => FieldValue,
  extra?: Partial<FieldDef>,
  type: FieldDef['type'] = 'CHARBUF',
): FieldDef {
  return {
    name,
    type,
    desc,
    extract: (ctx, arg) => {
      const ci = containerOf(ctx);
      if (ci === undefined || ci === null || ci === 'unknown') return undefined;
      return get(ci, arg);
    },
    ...extra,
  };
}

function nonEmpty(s: string): FieldValue {
  return s === '' ? undefined : s;
}

function probe(ci: ContainerInfo, probeType: number): string {
  for (const p of ci.healthProbes) {
    if (p.probeType === probeType) {
      let s = p.exe;
      for (const a of p.args) s += ' ' + a;
      return s;
    }
  }
  return 'NONE';
}

/**
 * container.type: each use of the field keeps the last name it gave (libsinsp's m_tstr of its filtercheck),
 * which is what it gives again for a container type without a name (custom, static, podman); '' before any.
 */
function containerType(): (ctx: Ctx) => FieldValue {
  let last = '';
  return (ctx) => {
    const ci = containerOf(ctx);
    if (ci === undefined || ci === 'unknown') return undefined;
    const name = ci === null ? 'host' : TYPE_NAMES[ci.type];
    if (name !== undefined) last = name;
    return last;
  };
}

const MOUNT_ARG = { arg: 'required' } as const;

export const containerClass: FieldClass = {
  name: 'container',
  desc: "Container information. If the event is not happening inside a container, both id and name will be set to 'host'.",
  fields: [
    {
      name: 'container.id',
      type: 'CHARBUF',
      desc: 'the container id.',
      extract: (ctx) => {
        const t = ctx.thread;
        if (t === undefined) return undefined;
        return t.containerId === '' ? 'host' : t.containerId;
      },
    },
    {
      name: 'container.name',
      type: 'CHARBUF',
      desc: 'the container name.',
      extract: (ctx) => {
        const ci = containerOf(ctx);
        if (ci === undefined || ci === 'unknown') return undefined;
        return ci === null ? 'host' : nonEmpty(ci.name);
      },
    },
    inContainer(
      'container.image',
      'the container image name (e.g. falcosecurity/falco:latest for docker).',
      (ci) => nonEmpty(ci.image),
    ),
    inContainer('container.image.id', 'the container image id (e.g. 6f7e2741b66b).', (ci) => nonEmpty(ci.imageId)),
    {
      name: 'container.type',
      type: 'CHARBUF',
      desc: 'the container type, eg: docker or rkt',
      extract: containerType(),
      // libsinsp names no custom, static or podman container: the field then repeats its own last value
      instance: containerType,
      sideEffects: true,
    },
    inContainer(
      'container.privileged',
      'true for containers running as privileged, false otherwise',
      (ci) => (dockerCompatible(ci.type) ? ci.privileged : undefined),
      undefined,
      'BOOL',
    ),
    inContainer(
      'container.mounts',
      'A space-separated list of mount information. Each item in the list has the format <source>:<dest>:<mode>:<rdrw>:<propagation>',
      // the items are joined with commas, whatever the description says
      (ci) => ci.mounts.map(mountString).join(','),
    ),
    inContainer(
      'container.mount',
      'Information about a single mount, specified by number (e.g. container.mount[0]) or mount source (container.mount[/usr/local]). The pathname can be a glob (container.mount[/usr/local/*]), in which case the first matching mount will be returned. The information has the format <source>:<dest>:<mode>:<rdrw>:<propagation>. If there is no mount with the specified index or matching the provided source, returns the string "none" instead of a NULL value.',
      (ci, a) => {
        const m = findMount(ci, a, false);
        return m === undefined ? undefined : mountString(m);
      },
      MOUNT_ARG,
    ),
    inContainer(
      'container.mount.source',
      'the mount source, specified by number (e.g. container.mount.source[0]) or mount destination (container.mount.source[/host/lib/modules]). The pathname can be a glob.',
      (ci, a) => findMount(ci, a, true)?.source,
      MOUNT_ARG,
    ),
    inContainer(
      'container.mount.dest',
      'the mount destination, specified by number (e.g. container.mount.dest[0]) or mount source (container.mount.dest[/lib/modules]). The pathname can be a glob.',
      (ci, a) => findMount(ci, a, false)?.dest,
      MOUNT_ARG,
    ),
    inContainer(
      'container.mount.mode',
      'the mount mode, specified by number (e.g. container.mount.mode[0]) or mount source (container.mount.mode[/usr/local]). The pathname can be a glob.',
      (ci, a) => findMount(ci, a, false)?.mode,
      MOUNT_ARG,
    ),
    inContainer(
      'container.mount.rdwr',
      'the mount rdwr value, specified by number (e.g. container.mount.rdwr[0]) or mount source (container.mount.rdwr[/usr/local]). The pathname can be a glob.',
      (ci, a) => {
        const m = findMount(ci, a, false);
        return m === undefined ? undefined : m.rdwr ? 'true' : 'false';
      },
      MOUNT_ARG,
    ),
    inContainer(
      'container.mount.propagation',
      'the mount propagation value, specified by number (e.g. container.mount.propagation[0]) or mount source (container.mount.propagation[/usr/local]). The pathname can be a glob.',
      (ci, a) => findMount(ci, a, false)?.propagation,
      MOUNT_ARG,
    ),
    inContainer(
      'container.image.repository',
      'the container image repository (e.g. falcosecurity/falco).',
      (ci) => nonEmpty(ci.imageRepo),
    ),
    inContainer('container.image.tag', 'the container image tag (e.g. stable, latest).', (ci) => nonEmpty(ci.imageTag)),
    inContainer(
      'container.image.digest',
      'the container image registry digest (e.g. sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d27).',
      (ci) => nonEmpty(ci.imageDigest),
    ),
    inContainer(
      'container.healthcheck',
      'The container\'s health check. Will be the null value ("N/A") if no healthcheck configured, "NONE" if configured but explicitly not created, and the healthcheck command line otherwise',
      (ci) => probe(ci, 1),
    ),
    inContainer(
      'container.liveness_probe',
      'The container\'s liveness probe. Will be the null value ("N/A") if no liveness probe configured, the liveness probe command line otherwise',
      (ci) => probe(ci, 2),
    ),
    inContainer(
      'container.readiness_probe',
      'The container\'s readiness probe. Will be the null value ("N/A") if no readiness probe configured, the readiness probe command line otherwise',
      (ci) => probe(ci, 3),
    ),
  ],
};
