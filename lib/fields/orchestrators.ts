// Field classes "k8s" and "mesos" (libsinsp filterchecks.cpp sinsp_filter_check_k8s and
// sinsp_filter_check_mesos, 0.29.3). Their values come from a Kubernetes API server or a Mesos master that
// sysdig queries live; a capture file holds none of it, so sysdig reading a file gives them as missing
// (<NA>, null in JSON, false in every comparison). tdig accepts them the same way, so filters and formats
// written for sysdig run unchanged. The *.label fields take a dotted name (k8s.pod.label.app).
// Except: k8s.pod.name, k8s.ns.name and k8s.pod.id come from the labels of the thread's container (from a
// container event: "io.kubernetes.pod.name", ".pod.namespace", ".pod.uid"), and k8s.pod.label and
// k8s.pod.labels from those of its pod's sandbox container ("io.kubernetes.sandbox.id", first 12 digits).

import type { ContainerInfo } from '../state/model.js';
import type { Ctx, FieldArg, FieldClass, FieldDef, FieldValue } from './types.js';

function missing(name: string, desc: string): FieldDef {
  const label = name.endsWith('.label');
  return { name, type: 'CHARBUF', desc, extract: () => undefined, ...(label ? { arg: 'required', dotArg: true, dotArgNoIndex: true } : {}) };
}

const K8S: [string, string][] = [
  ['k8s.pod.name', 'Kubernetes pod name.'],
  ['k8s.pod.id', 'Kubernetes pod id.'],
  ['k8s.pod.label', "Kubernetes pod label. E.g. 'k8s.pod.label.foo'."],
  ['k8s.pod.labels', "Kubernetes pod comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."],
  ['k8s.rc.name', 'Kubernetes replication controller name.'],
  ['k8s.rc.id', 'Kubernetes replication controller id.'],
  ['k8s.rc.label', "Kubernetes replication controller label. E.g. 'k8s.rc.label.foo'."],
  ['k8s.rc.labels', "Kubernetes replication controller comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."],
  ['k8s.svc.name', 'Kubernetes service name (can return more than one value, concatenated).'],
  ['k8s.svc.id', 'Kubernetes service id (can return more than one value, concatenated).'],
  ['k8s.svc.label', "Kubernetes service label. E.g. 'k8s.svc.label.foo' (can return more than one value, concatenated)."],
  ['k8s.svc.labels', "Kubernetes service comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."],
  ['k8s.ns.name', 'Kubernetes namespace name.'],
  ['k8s.ns.id', 'Kubernetes namespace id.'],
  ['k8s.ns.label', "Kubernetes namespace label. E.g. 'k8s.ns.label.foo'."],
  ['k8s.ns.labels', "Kubernetes namespace comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."],
  ['k8s.rs.name', 'Kubernetes replica set name.'],
  ['k8s.rs.id', 'Kubernetes replica set id.'],
  ['k8s.rs.label', "Kubernetes replica set label. E.g. 'k8s.rs.label.foo'."],
  ['k8s.rs.labels', "Kubernetes replica set comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."],
  ['k8s.deployment.name', 'Kubernetes deployment name.'],
  ['k8s.deployment.id', 'Kubernetes deployment id.'],
  ['k8s.deployment.label', "Kubernetes deployment label. E.g. 'k8s.rs.label.foo'."],
  ['k8s.deployment.labels', "Kubernetes deployment comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."],
];

const MESOS: [string, string][] = [
  ['mesos.task.name', 'Mesos task name.'],
  ['mesos.task.id', 'Mesos task id.'],
  ['mesos.task.label', "Mesos task label. E.g. 'mesos.task.label.foo'."],
  ['mesos.task.labels', "Mesos task comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."],
  ['mesos.framework.name', 'Mesos framework name.'],
  ['mesos.framework.id', 'Mesos framework id.'],
  ['marathon.app.name', 'Marathon app name.'],
  ['marathon.app.id', 'Marathon app id.'],
  ['marathon.app.label', "Marathon app label. E.g. 'marathon.app.label.foo'."],
  ['marathon.app.labels', "Marathon app comma-separated key/value labels. E.g. 'foo1:bar1,foo2:bar2'."],
  ['marathon.group.name', 'Marathon group name.'],
  ['marathon.group.id', 'Marathon group id.'],
];

/** The labels of the event's container, when it has some (the field is missing otherwise). */
function containerLabels(ctx: Ctx): Map<string, string> | undefined {
  const t = ctx.thread;
  if (t === undefined || t.containerId === '') return undefined;
  const ci = ctx.tables.containers.get(t.containerId);
  return ci !== undefined && ci.labels.size > 0 ? ci.labels : undefined;
}

/** The labels of the pod's sandbox container (named by io.kubernetes.sandbox.id, its first 12 digits). */
function sandboxLabels(ctx: Ctx): Map<string, string> | undefined {
  const sandbox = containerLabels(ctx)?.get('io.kubernetes.sandbox.id');
  if (sandbox === undefined) return undefined;
  const ci: ContainerInfo | undefined = ctx.tables.containers.get(sandbox.slice(0, 12));
  return ci !== undefined && ci.labels.size > 0 ? ci.labels : undefined;
}

/** concatenate_container_labels: "key:value" (or "key" when empty) in key order, joined by ", ", without annotations and io.kubernetes.* */
function podLabels(labels: Map<string, string>): string {
  const out: string[] = [];
  for (const k of [...labels.keys()].sort(byBytes)) {
    if (k.startsWith('annotation.') || k.startsWith('io.kubernetes.')) continue;
    const v = labels.get(k)!;
    out.push(v === '' ? k : k + ':' + v);
  }
  return out.join(', ');
}

/** std::map's order of its string keys: by bytes */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const FROM_LABELS: Record<string, (ctx: Ctx, arg: FieldArg | undefined) => FieldValue> = {
  'k8s.pod.name': (ctx) => containerLabels(ctx)?.get('io.kubernetes.pod.name'),
  'k8s.ns.name': (ctx) => containerLabels(ctx)?.get('io.kubernetes.pod.namespace'),
  'k8s.pod.id': (ctx) => containerLabels(ctx)?.get('io.kubernetes.pod.uid'),
  'k8s.pod.label': (ctx, arg) => sandboxLabels(ctx)?.get(arg?.name ?? arg?.raw ?? ''),
  'k8s.pod.labels': (ctx) => {
    const l = sandboxLabels(ctx);
    return l === undefined ? undefined : podLabels(l);
  },
};

export const k8sClass: FieldClass = {
  name: 'k8s',
  desc: 'Kubernetes related context. Available when configured to fetch k8s meta-data from API Server.',
  fields: K8S.map(([n, d]) => {
    const def = missing(n, d);
    const get = FROM_LABELS[n];
    return get === undefined ? def : { ...def, extract: get };
  }),
};

export const mesosClass: FieldClass = {
  name: 'mesos',
  desc: 'Mesos related context.',
  fields: MESOS.map(([n, d]) => missing(n, d)),
};
