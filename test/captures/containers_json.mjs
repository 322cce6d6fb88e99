// containers_json.scap: containers/containers.scap (made by containers/containers.sh) with the "container" events (PPME_CONTAINER_JSON_2_E, tid -1) that a
// live capture on a host with a container runtime writes ahead of its first event, one per container it
// knows: full metadata (name, image, mounts, health probes, ip), a lookup that failed and one that never
// finished (hidden events; the metadata is kept), a name for an lxc container (its engine then keeps it), a
// podman and an rkt container, one no thread of the capture is in, and a Kubernetes pod's container with its
// sandbox (their labels: the k8s.* fields).
//   npx tsc -p tsconfig.json && node test/captures/containers_json.mjs
import { gunzipSync, gzipSync } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { eventBlock } = await import(join(here, '../../dist/lib/scap/writer.js'));
const { containerJsonEvent } = await import(join(here, '../../dist/lib/state/containers.js'));
const EVENT_BLOCKS = new Set([0x204, 0x216, 0x221, 0x208, 0x217, 0x222]);

// the ids containers.sh gives its containers (sha256 of a name), as libsinsp reports them: 12 digits
const id = (s) => createHash('sha256').update(s).digest('hex').slice(0, 12);

const containers = [
  {
    id: id('docker1'), type: 0, name: 'web_frontend', image: 'nginx:1.25', imageid: '6f7e2741b66b',
    imagerepo: 'nginx', imagetag: '1.25', imagedigest: 'sha256:d977378f890d445c15e51795296e4e5062f109ce6da83e0a355fc4ad8699d27',
    privileged: true, lookup_state: 1, ip: '172.17.0.2',
    Mounts: [
      { Source: '/srv/www', Destination: '/usr/share/nginx/html', Mode: 'ro', RW: false, Propagation: 'rprivate' },
      { Source: '/var/log/web', Destination: '/var/log/nginx', Mode: '', RW: true, Propagation: 'rprivate' },
    ],
    Healthcheck: { exe: 'cat', args: ['/etc/hostname'] },
    LivenessProbe: { exe: 'ls', args: ['/tmp'] },
    labels: { 'com.example.tier': 'front' },
  },
  { id: id('docker0'), type: 0, name: 'batch_worker', image: 'debian:12', imagerepo: 'debian', imagetag: '12', lookup_state: 1, privileged: false },
  { id: id('docker2'), type: 0, name: 'never_looked_up', image: 'alpine', lookup_state: 2 },
  // a pod's container, whose labels name the pod and its sandbox, and the sandbox, whose labels are the pod's
  {
    id: id('crio1'), type: 8, name: 'kube_pod_app', image: 'registry.k8s.io/pause:3.9', lookup_state: 0,
    labels: {
      'io.kubernetes.pod.name': 'web-7d4b9c', 'io.kubernetes.pod.namespace': 'shop',
      'io.kubernetes.pod.uid': '8f1c2a44-0d3e-4a7b-9c55-2f6e7d8a9b01', 'io.kubernetes.container.name': 'app',
      'io.kubernetes.sandbox.id': createHash('sha256').update('containerd1').digest('hex'),
    },
  },
  {
    id: id('containerd1'), type: 7, name: 'k8s_POD_web', image: 'registry.k8s.io/pause:3.9', lookup_state: 1,
    labels: { tier: 'front', app: 'web', release: '', Zeta: 'upper', 'annotation.io.kubernetes.container.hash': 'abc', 'io.kubernetes.pod.name': 'web-7d4b9c' },
  },
  { id: 'web1', type: 1, name: 'webone', image: '', lookup_state: 1 },
  { id: id('podman1'), type: 11, name: 'podpod', image: 'quay.io/podman/hello', lookup_state: 1 },
  { id: 'pod-coreos-1:app1', type: 4, name: 'app1', image: 'coreos.com/app1', lookup_state: 1 },
  { id: 'deadbeef0000', type: 6, name: 'elsewhere', image: 'busybox', lookup_state: 1, ReadinessProbe: { exe: 'true', args: [] } },
];

const src = join(here, 'containers', 'containers.scap');
const raw = gunzipSync(readFileSync(src));
let o = 0;
let firstTs = 0n;
while (o + 8 <= raw.length) {
  const type = raw.readUInt32LE(o);
  if (EVENT_BLOCKS.has(type)) {
    firstTs = raw.readBigUInt64LE(o + 10);
    break;
  }
  o += raw.readUInt32LE(o + 4);
}
// stamped before the first event, as a live capture stamps them with the time it starts
const blocks = containers.map((c) => eventBlock(0, 0, containerJsonEvent(JSON.stringify({ container: c }), firstTs - 250_000_000n), true));
const out = Buffer.concat([raw.subarray(0, o), ...blocks, raw.subarray(o)]);
writeFileSync(join(here, 'containers_json.scap'), gzipSync(out, { level: 9 }), { mode: 0o600 });
