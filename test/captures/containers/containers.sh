#!/bin/sh
# Processes in cgroups named the way container runtimes name theirs, so that readers find their containers
# in the cgroups alone: docker (plain and systemd), podman (root and the rootless layout), cri-o and containerd
# (four layouts), lxc and lxc.payload, libvirt-lxc (three layouts), mesos with and without a task id, bpm, ids
# that are not all hex, a process in a new pid namespace and a thread, both inside one; rkt's stage1 roots
# (chroot with container_uuid in the environment). One container process runs before the capture starts, so
# that the capture's process table holds it. Recorded as root, with the cgroup v1 hierarchies of
# /sys/fs/cgroup (the cpu one), by
#   sh containers.sh record      (tdig-capture -z -w containers.scap -p <a shell that runs sh containers.sh work>)
# ../containers_json.mjs adds container events to it: test/captures/containers_json.scap, which the parity
# tests read (this capture is its source: all it holds is there too).
set -e
CG=/sys/fs/cgroup/cpu
# the ids, made once (the work below inherits them)
if [ -z "$D0" ]; then
  id() { printf '%s' "$1" | sha256sum | cut -c1-64; }
  D1=$(id docker1); D2=$(id docker2); D0=$(id docker0); P1=$(id podman1); P2=$(id podman2)
  C1=$(id crio1); C2=$(id containerd1); C3=$(id containerd2); C4=$(id crio2)
  H61=$(id hex61 | cut -c1-61)
  export D0 D1 D2 P1 P2 C1 C2 C3 C4 H61
fi
M1=0b1e3f5a-2c4d-4e6f-8a9b-1c2d3e4f5a6b; M2=1c2f4a6b-3d5e-4f70-9bac-2d3e4f5a6b7c
DIRS="docker/$D0 docker/$D1 system.slice/docker-$D2.scope machine.slice/libpod-$P1.scope
user.slice/user-1000.slice/user@1000.service/user.slice/libpod-$P2.scope/container kubepods.slice/crio-$C1.scope
system.slice/cri-containerd-$C2.scope system.slice/containerd.service/kubepods-besteffort.slice:cri-containerd:$C3
crio-$C4 lxc/web1 lxc.payload/web2/init.scope machine.slice/machine-lxc\\x2dvm1.scope vm2.libvirt-lxc libvirt/lxc/vm3
mesos/$M1 mesos/$M2 bpm-job_1.scope bpm-bad!id.scope x/${H61}zzz x/zzz${H61}"

# run a command in the cgroup named by $1 (relative to $CG)
in_cg() { d=$1; shift; sh -c 'echo $$ > "$0/cgroup.procs"; exec "$@"' "$CG/$d" "$@"; }

case "$1" in
record)
  for d in $DIRS; do mkdir -p "$CG/$d"; done
  mkdir -p /opt/stage2/app1/rootfs /var/lib/rkt/pods/run/pod-fly-1/stage1/rootfs/opt/stage2/app2/rootfs
  here=$(cd "$(dirname "$0")" && pwd)
  out="$here/containers.scap"
  rm -f "$out"
  # the tracked shell; its first child is in a container before the capture starts (process table); both
  # wait for the capture's first bytes
  ( in_cg "docker/$D0" sh -c 'while [ ! -s "$0" ]; do sleep 0.1; done; sleep 0.5; cat /etc/hostname > /dev/null; ls / > /dev/null' "$out" &
    while [ ! -s "$out" ]; do sleep 0.1; done; sleep 0.5; sh "$here/containers.sh" work; wait ) &
  pre=$!
  sleep 0.3
  "$here/../../../bin/tdig-capture.js" -z -w "$out" -p "$pre" &
  cap=$!
  wait "$pre" || true
  sleep 0.3
  kill -INT "$cap"; wait "$cap" || true
  for d in $DIRS; do rmdir "$CG/$d" 2>/dev/null || true; done
  rmdir "$CG/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-$P2.scope"
  for d in docker system.slice/containerd.service system.slice machine.slice user.slice/user-1000.slice/user@1000.service/user.slice \
    user.slice/user-1000.slice/user@1000.service user.slice/user-1000.slice user.slice kubepods.slice lxc.payload/web2 lxc.payload lxc \
    libvirt/lxc libvirt mesos x; do rmdir "$CG/$d" 2>/dev/null || true; done
  rm -rf /opt/stage2 /var/lib/rkt
  ;;
work)
  # docker: a shell that execs in the container and starts two commands there
  in_cg "docker/$D1" sh -c 'cat /etc/hostname > /dev/null; ls /tmp > /dev/null'
  in_cg "system.slice/docker-$D2.scope" cat /etc/os-release > /dev/null
  # podman
  in_cg "machine.slice/libpod-$P1.scope" cat /etc/hostname > /dev/null
  in_cg "user.slice/user-1000.slice/user@1000.service/user.slice/libpod-$P2.scope/container" cat /etc/hostname > /dev/null
  # cri-o and containerd
  in_cg "kubepods.slice/crio-$C1.scope" cat /etc/hostname > /dev/null
  in_cg "system.slice/cri-containerd-$C2.scope" cat /etc/hostname > /dev/null
  in_cg "system.slice/containerd.service/kubepods-besteffort.slice:cri-containerd:$C3" cat /etc/hostname > /dev/null
  in_cg "crio-$C4" cat /etc/hostname > /dev/null
  # lxc and libvirt-lxc
  in_cg lxc/web1 cat /etc/hostname > /dev/null
  in_cg lxc.payload/web2/init.scope cat /etc/hostname > /dev/null
  in_cg 'machine.slice/machine-lxc\x2dvm1.scope' cat /etc/hostname > /dev/null
  in_cg vm2.libvirt-lxc cat /etc/hostname > /dev/null
  in_cg libvirt/lxc/vm3 cat /etc/hostname > /dev/null
  # mesos: a task id in the environment (with a dot), then none
  in_cg "mesos/$M1" env MESOS_TASK_ID=web.task_1 cat /etc/hostname > /dev/null
  in_cg "mesos/$M2" cat /etc/hostname > /dev/null
  # bpm, then an id with a character bpm refuses
  in_cg bpm-job_1.scope cat /etc/hostname > /dev/null
  in_cg 'bpm-bad!id.scope' cat /etc/hostname > /dev/null
  # 64 characters that are not all hex: after offset 64 of the path, then before it
  in_cg "x/${H61}zzz" cat /etc/hostname > /dev/null
  in_cg "x/zzz${H61}" cat /etc/hostname > /dev/null
  # a new pid namespace in a docker container (its first process has vpid 1), and a thread there
  in_cg "docker/$D1" unshare -p -f /usr/bin/python3 -c 'import threading, os
def t(): os.stat("/etc/hostname")
th = threading.Thread(target=t); th.start(); th.join()
os.system("cat /etc/hostname > /dev/null")'
  # rkt: stage1-coreos and stage1-fly roots
  env container_uuid=pod-coreos-1 /usr/bin/python3 -c 'import os
os.chroot("/opt/stage2/app1/rootfs")
try: os.open("/etc/hostname", os.O_RDONLY)
except OSError: pass'
  /usr/bin/python3 -c 'import os
os.chroot("/var/lib/rkt/pods/run/pod-fly-1/stage1/rootfs/opt/stage2/app2/rootfs")
try: os.open("/etc/hostname", os.O_RDONLY)
except OSError: pass'
  ;;
*)
  echo "usage: sh containers.sh record" >&2
  exit 2
  ;;
esac
