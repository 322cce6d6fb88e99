// Containers found in a thread's cgroups (lib/state/containers.ts), engine by engine, with libsinsp's quirks,
// and the metadata of container events. (Whole captures are compared with sysdig in the parity tests:
// test/captures/containers.sh and containers_json.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ContainerManager, containerEvent, containerFromJson, matchOneContainerId } from '../lib/state/containers.js';
import { eventBlock } from '../lib/scap/writer.js';
import { HAVE_SYSDIG, ROOT, sysdig, tdigText } from './helpers.js';
import { StateTables, Thread } from '../lib/state/model.js';

const HEX = '0123456789abcdef'.repeat(4);

function setup(): { tables: StateTables; cm: ContainerManager } {
  const tables = new StateTables();
  return { tables, cm: new ContainerManager(tables) };
}

function thread(tables: StateTables, tid: number, cgroup: string, opts: { ptid?: number; env?: string[]; root?: string; vpid?: number; exe?: string; args?: string[] } = {}): Thread {
  const t = new Thread(tid, tid);
  t.ptid = opts.ptid ?? -1;
  t.cgroups = [['cpuset', '/'], ['cpu', cgroup]];
  t.env = opts.env ?? [];
  t.root = opts.root ?? '/';
  t.vpid = opts.vpid ?? tid;
  t.exe = opts.exe ?? 'sh';
  t.args = opts.args ?? [];
  tables.threads.set(tid, t);
  return t;
}

test('runc layouts: 64 hex digits between prefix and suffix, 12 reported', () => {
  assert.equal(matchOneContainerId(`/docker/${HEX}`, '/', ''), HEX.slice(0, 12));
  assert.equal(matchOneContainerId(`/system.slice/docker-${HEX}.scope`, '/docker-', '.scope'), HEX.slice(0, 12));
  assert.equal(matchOneContainerId(`/docker/${HEX.slice(1)}`, '/', ''), undefined);
  // libsinsp refuses a non-hex character only before offset 64 of the whole path
  assert.equal(matchOneContainerId(`/x/${HEX.slice(0, 61)}zzz`, '/', ''), HEX.slice(0, 12));
  assert.equal(matchOneContainerId(`/x/zzz${HEX.slice(0, 61)}`, '/', ''), undefined);
});

test('engines in libsinsp order: podman, docker, cri, lxc, libvirt-lxc, mesos, rkt, bpm', () => {
  const { tables, cm } = setup();
  const cases: [string, string, number | undefined, string | undefined][] = [
    [`/machine.slice/libpod-${HEX}.scope`, HEX.slice(0, 12), 11, ''],
    [`/docker/${'a'.repeat(64)}`, 'a'.repeat(12), 0, ''],
    // cri: the id alone (no CRI client reading a capture)
    [`/kubepods/crio-${'f'.repeat(64)}.scope`, 'f'.repeat(12), undefined, undefined],
    [`/x.slice:cri-containerd:${'e'.repeat(64)}`, 'e'.repeat(12), undefined, undefined],
    ['/lxc/web1/init.scope', 'web1', 1, 'web1'],
    ['/lxc.payload/web2', 'web2', 1, 'web2'],
    // "-lxc\x2" and one more character are skipped
    ['/machine.slice/machine-lxc\\x2dvm1.scope', 'vm1', 2, 'vm1'],
    ['/vm2.libvirt-lxc', 'vm2', 2, 'vm2'],
    // "/libvirt/lxc/" holds "/lxc/": the lxc engine, earlier, takes it
    ['/libvirt/lxc/vm3', 'vm3', 1, 'vm3'],
    ['/bpm-job_1.scope', 'job_1', 9, 'job_1'],
    ['/bpm-bad!id.scope', '', undefined, undefined],
    ['/user.slice', '', undefined, undefined],
  ];
  let tid = 100;
  for (const [cgroup, id, type, name] of cases) {
    const t = thread(tables, tid++, cgroup);
    cm.resolve(t);
    assert.equal(t.containerId, id, cgroup);
    const ci = id === '' ? undefined : tables.containers.get(id);
    assert.equal(ci?.type, type, cgroup);
    assert.equal(ci?.name, name, cgroup);
  }
});

test('mesos needs a task id with a dot or an underscore, in the thread or an ancestor', () => {
  const { tables, cm } = setup();
  const uuid = '0b1e3f5a-2c4d-4e6f-8a9b-1c2d3e4f5a6b';
  const lone = thread(tables, 10, `/mesos/${uuid}`);
  cm.resolve(lone);
  assert.equal(lone.containerId, '');
  thread(tables, 20, '/', { env: ['PATH=/bin', 'MESOS_TASK_ID=  web.task_1  '] });
  const child = thread(tables, 21, `/mesos/${uuid}`, { ptid: 20 });
  cm.resolve(child);
  assert.equal(child.containerId, uuid);
  assert.equal(tables.containers.get(uuid)?.name, uuid);
  thread(tables, 30, '/', { env: ['MESOS_TASK_ID=abc'] });
  const bad = thread(tables, 31, `/mesos/${uuid.replace('0b', '1c')}`, { ptid: 30 });
  cm.resolve(bad);
  assert.equal(bad.containerId, '');
});

test('rkt: a stage1 root with container_uuid gives an id, never a stored container', () => {
  const { tables, cm } = setup();
  const coreos = thread(tables, 10, '/', { root: '/opt/stage2/app1/rootfs', env: ['container_uuid=pod-1'] });
  cm.resolve(coreos);
  assert.equal(coreos.containerId, 'pod-1:app1');
  const fly = thread(tables, 11, '/', { root: '/var/lib/rkt/pods/run/pod-2/stage1/rootfs/opt/stage2/app2/rootfs' });
  cm.resolve(fly);
  assert.equal(fly.containerId, 'pod-2:app2');
  assert.equal(tables.containers.size, 0);
  // a ".service" cgroup (or, by libsinsp's unsigned arithmetic, any 7-character one) names a pod's app
  // only when that container is already known; the pod id is in an ancestor's environment
  thread(tables, 20, '/', { env: ['container_uuid=pod-3'] });
  const svc = thread(tables, 21, '/system.slice/app3.service', { ptid: 20 });
  cm.resolve(svc);
  assert.equal(svc.containerId, '');
  cm.add(containerFromJson(JSON.stringify({ container: { id: 'pod-3:app3', type: 4, name: 'app3' } })));
  cm.add(containerFromJson(JSON.stringify({ container: { id: 'pod-3:abcdef', type: 4, name: 'x' } })));
  cm.resolve(svc);
  assert.equal(svc.containerId, 'pod-3:app3');
  const seven = thread(tables, 22, '/abcdef', { ptid: 20 });
  cm.resolve(seven);
  assert.equal(seven.containerId, 'pod-3:abcdef');
});

test('a known container: docker keeps its metadata; one whose lookup failed lets the search go on', () => {
  const { tables, cm } = setup();
  const id = HEX.slice(0, 12);
  cm.add(containerFromJson(JSON.stringify({ container: { id, type: 0, name: 'web', lookup_state: 2 } })));
  const t = thread(tables, 10, `/docker/${HEX}`);
  cm.resolve(t);
  assert.equal(t.containerId, id);
  assert.equal(tables.containers.get(id)?.name, 'web');
  assert.equal(tables.containers.get(id)?.successful, false);
  // lxc names a container after its id only while no lookup of that type is recorded
  cm.add(containerFromJson(JSON.stringify({ container: { id: 'web1', type: 1, name: 'webone' } })));
  const l = thread(tables, 11, '/lxc/web1');
  cm.resolve(l);
  assert.equal(tables.containers.get('web1')?.name, 'webone');
});

test('categories: a container init, its descendants, and health probes outside it', () => {
  const { tables, cm } = setup();
  const cg = `/docker/${HEX}`;
  cm.add(
    containerFromJson(
      JSON.stringify({ container: { id: HEX.slice(0, 12), type: 0, Healthcheck: { exe: 'cat', args: ['/etc/hostname'] }, LivenessProbe: { exe: 'ls', args: [] } } }),
    ),
  );
  const host = thread(tables, 1, '/');
  cm.resolve(host);
  assert.equal(host.category, 0);
  const probe = thread(tables, 10, cg, { ptid: 1, exe: 'cat', args: ['/etc/hostname'] });
  cm.resolve(probe);
  assert.equal(probe.category, 2);
  const live = thread(tables, 11, cg, { ptid: 1, exe: 'ls' });
  cm.resolve(live);
  assert.equal(live.category, 3);
  const init = thread(tables, 20, cg, { ptid: 1, vpid: 1 });
  cm.resolve(init);
  assert.equal(init.category, 1);
  // under the container's init: its category, whatever the command
  const inside = thread(tables, 21, cg, { ptid: 20, exe: 'cat', args: ['/etc/hostname'] });
  cm.resolve(inside);
  assert.equal(inside.category, 1);
  const other = thread(tables, 12, cg, { ptid: 1, exe: 'cat', args: [] });
  cm.resolve(other);
  assert.equal(other.category, 0);
});

test('container events: JSON values as jsoncpp converts them', () => {
  const ci = containerFromJson(
    JSON.stringify({
      container: {
        id: 'abc', type: true, name: 12, image: 'nginx', privileged: 1, ip: '10.1.2.3',
        Mounts: [{ Source: '/a', Destination: '/b', Mode: 'ro', RW: 'yes', Propagation: 'rprivate' }, 'junk'],
        Healthcheck: { exe: 'curl', args: ['-f', 1, null, { x: 1 }] },
        ReadinessProbe: { exe: null },
      },
    }),
  );
  assert.equal(ci.type, 1);
  assert.equal(ci.name, '12');
  assert.equal(ci.privileged, true);
  assert.equal(ci.containerIp, 0x0a010203);
  assert.deepEqual(ci.mounts, [
    { source: '/a', dest: '/b', mode: 'ro', rdwr: false, propagation: 'rprivate' },
    { source: '', dest: '', mode: '', rdwr: false, propagation: '' },
  ]);
  assert.deepEqual(ci.healthProbes, [{ probeType: 1, exe: 'curl', args: ['-f', '1', ''] }]);
  assert.equal(ci.successful, true);
  for (const [state, ok] of [[0, false], [1, true], [2, false], [7, true]] as const) {
    assert.equal(containerFromJson(JSON.stringify({ container: { id: 'x', lookup_state: state } })).successful, ok);
  }
  assert.equal(containerFromJson(JSON.stringify({ container: { ip: '300.1.2.3' } })).containerIp, 0);
  assert.throws(() => containerFromJson('{"container":'), SyntaxError);
});

test('a container event after the first event is an event: shown (unless its lookup failed), filtered, counted', () => {
  // the capture's own container events start it and are consumed as it opens; two more go in at the 300th event
  const raw = gunzipSync(readFileSync(join(ROOT, 'test', 'captures', 'containers_json.scap')));
  const EV = new Set([0x204, 0x216, 0x221, 0x208, 0x217, 0x222]);
  let o = 0;
  let n = 0;
  while (o + 8 <= raw.length) {
    if (EV.has(raw.readUInt32LE(o)) && ++n === 300) break;
    o += raw.readUInt32LE(o + 4);
  }
  const ts = raw.readBigUInt64LE(o + 10);
  const late = (c: object): Buffer => eventBlock(1, 0, containerEvent(containerFromJson(JSON.stringify({ container: c })), ts), true);
  const dir = mkdtempSync(join(tmpdir(), 'tdig-cont-'));
  try {
    const cap = join(dir, 'late.scap');
    writeFileSync(cap, Buffer.concat([raw.subarray(0, o), late({ id: '29edc2f490f0', type: 0, name: 'late_name', image: 'late:1' }), late({ id: 'gone', type: 0, lookup_state: 2 }), raw.subarray(o)]));
    const fmt = '%evt.num %proc.name %thread.tid %evt.type %container.id %container.name %container.image';
    const shown = tdigText('tdig-fmt', ['-p', fmt, cap, 'evt.type=container or container.name=late_name']).split('\n').filter((l) => l !== '');
    assert.equal(shown[0], '300 container:29edc2f490f0 -1 container 29edc2f490f0 late_name late:1');
    assert.ok(shown.length > 1 && shown.slice(1).every((l) => l.endsWith(' 29edc2f490f0 late_name late:1') && !l.includes(' container ')));
    // the first events: the capture's own container events (9) took numbers 1-9 and were consumed
    assert.equal(tdigText('tdig-fmt', ['-n', '1', '-p', '%evt.num', cap]), '10\n');
    if (HAVE_SYSDIG) {
      const filter = 'evt.type=container or container.name=late_name';
      for (const [opts, f] of [[[], []], [['-j'], []], [['-p', fmt], [filter]], [['-n', '400'], []]] as const) {
        assert.equal(tdigText('tdig-fmt', [...opts, cap, ...f]), sysdig(['-r', cap, ...opts, ...f]), [...opts, ...f].join(' '));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('k8s.pod.* from the labels of the container and of its pod sandbox', () => {
  const cap = join(ROOT, 'test', 'captures', 'containers_json.scap');
  const fmt = '*%container.name %k8s.pod.name %k8s.ns.name %k8s.pod.id %k8s.pod.label.app %k8s.pod.label.release %k8s.pod.labels %k8s.rc.name';
  const filter = 'k8s.pod.name exists and evt.type=execve';
  const out = tdigText('tdig-fmt', ['-p', fmt, cap, filter]);
  assert.deepEqual([...new Set(out.split('\n').filter((l) => l !== ''))], [
    // the sandbox's labels: in byte order, without annotations and io.kubernetes.*, an empty value without ':'
    'kube_pod_app web-7d4b9c shop 8f1c2a44-0d3e-4a7b-9c55-2f6e7d8a9b01 web  Zeta:upper, app:web, release, tier:front <NA>',
    // the sandbox itself names a pod, but has no sandbox label: no pod labels
    'k8s_POD_web web-7d4b9c <NA> <NA> <NA> <NA> <NA> <NA>',
  ]);
  if (HAVE_SYSDIG) assert.equal(out, sysdig(['-r', cap, '-p', fmt, filter]));
});
