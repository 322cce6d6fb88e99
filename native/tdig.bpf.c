// SPDX-License-Identifier: GPL-2.0
/*
 * tdig eBPF capture program (x86-64).
 *
 * Each handler writes one complete scap event block (EV v2: u32 block type, u32 total length,
 * u16 cpu id, then the 26-byte event header, the u16 length array, the parameters, padding and the
 * trailing length) into the ring buffer of its CPU. User space therefore moves ready-made blocks to the
 * output without re-encoding them. Events of a size known at compile time (BEGIN_FIXED) and the data
 * exits with short data (data_exit) are written in place into a reserved ring record; the others are
 * built in a per-CPU scratch buffer and copied (BEGIN). A ring record may be longer than its block:
 * the consumer copies the block's total length.
 *
 * Event ids and parameter layouts are those of the event table that sysdig 0.29.3 reads
 * (falcosecurity/libs 2022-03); formats/ documents them. Syscall handlers are reached by tail call,
 * one program per event pair, so that each stays small for the verifier. Anything without a handler
 * becomes the generic event (0/1) whose ID is the ppm_sc code of the syscall.
 *
 * Kernel structures are declared below with only the members used, marked for CO-RE relocation:
 * libbpf matches them by name against the running kernel's BTF at load time.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <asm/unistd_64.h>
#include "syscall_map.h"

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
typedef __s32 s32;
typedef __s16 s16;

char LICENSE[] SEC("license") = "GPL";

/* ---- kernel types (CO-RE) ---- */
struct pt_regs {
	unsigned long r10, r9, r8, ax, dx, si, di, orig_ax, ip;
} __attribute__((preserve_access_index));

typedef struct { unsigned int val; } kuid_t;
typedef struct { unsigned int val; } kgid_t;

/* uid and gid maps of a user namespace: up to 5 extents kept in place (UID_GID_MAP_MAX_BASE_EXTENTS) */
struct uid_gid_extent { u32 first; u32 lower_first; u32 count; } __attribute__((preserve_access_index));
struct uid_gid_map {
	u32 nr_extents;
	struct uid_gid_extent extent[5];
} __attribute__((preserve_access_index));
struct user_namespace {
	struct uid_gid_map uid_map;
	struct uid_gid_map gid_map;
} __attribute__((preserve_access_index));
struct group_info { int ngroups; kgid_t gid[]; } __attribute__((preserve_access_index));
/* kernel_cap_t: two u32 words before 6.3, one u64 since; the bits used here are in the low 32 either way,
 * read by offset (its members have other names in each layout) */
struct kernel_cap_any { u32 low; };

struct cred {
	kuid_t euid;
	kgid_t egid;
	kuid_t fsuid;
	kgid_t fsgid;
	struct kernel_cap_any cap_effective;
	struct user_namespace *user_ns;
	struct group_info *group_info;
} __attribute__((preserve_access_index));

/* pid numbers per namespace level, and the controlling terminal */
struct pid_namespace { unsigned int level; } __attribute__((preserve_access_index));
struct upid { int nr; struct pid_namespace *ns; } __attribute__((preserve_access_index));
struct pid { unsigned int level; struct upid numbers[1]; } __attribute__((preserve_access_index));
struct tty_driver { int major; int minor_start; } __attribute__((preserve_access_index));
struct tty_struct { int index; struct tty_driver *driver; } __attribute__((preserve_access_index));
struct nsproxy { struct pid_namespace *pid_ns_for_children; } __attribute__((preserve_access_index));

struct rlimit { unsigned long rlim_cur, rlim_max; } __attribute__((preserve_access_index));
typedef struct { int counter; } atomic_t;
struct signal_struct {
	atomic_t live;
	struct rlimit rlim[16];
	struct pid *pids[4];
	struct tty_struct *tty;
} __attribute__((preserve_access_index));

/* the kernel's per-mm page counters (since 6.2 an array of percpu counters; before, atomics: vm_rss 0 there) */
struct percpu_counter { s64 count; } __attribute__((preserve_access_index));
struct file;
struct mm_struct {
	struct file *exe_file;
	unsigned long arg_start, arg_end, env_start, env_end, total_vm;
	struct percpu_counter rss_stat[4];
} __attribute__((preserve_access_index));

struct super_block { unsigned int s_dev; unsigned long s_flags; } __attribute__((preserve_access_index));
struct inode {
	unsigned short i_mode;
	unsigned int i_flags;
	kuid_t i_uid;
	kgid_t i_gid;
	unsigned long i_ino;
	unsigned int i_rdev;
	struct super_block *i_sb;
} __attribute__((preserve_access_index));

struct file {
	void *private_data;
	struct inode *f_inode;
	unsigned int f_flags;
} __attribute__((preserve_access_index));

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
} __attribute__((preserve_access_index));

struct files_struct { struct fdtable *fdt; } __attribute__((preserve_access_index));

/* cgroups: the css of each subsystem, its cgroup's kernfs node, and the node's ancestors (kernel 6.15
 * renamed kernfs_node.parent to __parent: both flavors, chosen at load time) */
struct kernfs_node { const char *name; } __attribute__((preserve_access_index));
struct kernfs_node___old { struct kernfs_node *parent; } __attribute__((preserve_access_index));
struct kernfs_node___new { struct kernfs_node *__parent; } __attribute__((preserve_access_index));
struct cgroup { struct kernfs_node *kn; } __attribute__((preserve_access_index));
struct cgroup_subsys { const char *name; } __attribute__((preserve_access_index));
struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys *ss;
} __attribute__((preserve_access_index));
struct css_set { struct cgroup_subsys_state *subsys[16]; } __attribute__((preserve_access_index));
enum cgroup_subsys_id { cpuset_cgrp_id, cpu_cgrp_id, cpuacct_cgrp_id, io_cgrp_id, memory_cgrp_id };

struct task_struct {
	unsigned int flags;
	int pid;
	int tgid;
	int exit_code;
	char comm[16];
	unsigned long maj_flt, min_flt;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct mm_struct *mm;
	struct files_struct *files;
	struct signal_struct *signal;
	const struct cred *cred;
	kuid_t loginuid;
	struct css_set *cgroups;
	struct pid *thread_pid;
	struct nsproxy *nsproxy;
} __attribute__((preserve_access_index));

struct in6_addr { u8 s6_addr[16]; } __attribute__((preserve_access_index));

struct sock_common {
	unsigned int skc_daddr;
	unsigned int skc_rcv_saddr;
	unsigned short skc_dport;
	unsigned short skc_num;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	unsigned int sk_ack_backlog;
	unsigned int sk_max_ack_backlog;
} __attribute__((preserve_access_index));

struct socket { struct sock *sk; } __attribute__((preserve_access_index));

struct sockaddr_un_k { unsigned short sun_family; char sun_path[108]; };
struct unix_address {
	int len;
	struct sockaddr_un_k name[];
} __attribute__((preserve_access_index));

struct unix_sock {
	struct unix_address *addr;
	struct sock *peer;
} __attribute__((preserve_access_index));

struct iovec_u { u64 base; u64 len; };
struct msghdr_u {
	u64 name; u32 namelen; u32 pad0;
	u64 iov; u64 iovlen;
	u64 control; u64 controllen;
	u32 flags; u32 pad1;
};

/* ---- event ids (sysdig 0.29.3 table) ---- */
enum {
	/* tdig's own record, never written as it is (lib/capture/native.ts, RECEIVED_FD) */
	E_TDIG_RECEIVED_FD = 0xFFFE,
	E_GENERIC = 0, E_OPEN = 2, E_CLOSE = 4, E_READ = 6, E_WRITE = 8,
	E_SOCKET = 18, E_BIND = 20, E_CONNECT = 22, E_LISTEN = 24,
	E_SENDTO = 30, E_RECVFROM = 34, E_SHUTDOWN = 36, E_SOCKETPAIR = 42,
	E_SENDMSG = 48, E_RECVMSG = 52, E_CREAT = 58, E_PIPE = 60, E_EVENTFD = 62,
	E_CHDIR = 94, E_FCHDIR = 96, E_PREAD = 112, E_PWRITE = 114, E_READV = 116,
	E_WRITEV = 118, E_PREADV = 120, E_PWRITEV = 122, E_DUP = 124, E_FCNTL = 150,
	E_PROCEXIT = 186, E_CLONE = 222, E_FORK = 224, E_VFORK = 226,
	E_ACCEPT = 246, E_ACCEPT4 = 248, E_EXECVE = 292, E_OPENAT = 306, E_OPENAT2 = 326,
	E_EXECVEAT = 330, E_CLONE3 = 334,
	/* files and signals: the versions whose exit carries the parameters */
	E_LSEEK = 86, E_KILL = 128, E_TKILL = 130, E_TGKILL = 132, E_RENAME = 174, E_RENAMEAT = 176,
	E_SYMLINK = 178, E_SYMLINKAT = 180, E_MKDIR = 276, E_RMDIR = 278, E_UNLINK = 300, E_UNLINKAT = 302,
	E_MKDIRAT = 304, E_LINK = 308, E_LINKAT = 310, E_FCHMODAT = 312, E_CHMOD = 314, E_FCHMOD = 316,
	E_RENAMEAT2 = 318,
	/* credentials and sessions, and more calls on an fd */
	E_SETRESUID = 192, E_SETRESGID = 194, E_SETUID = 198, E_SETGID = 200, E_CHROOT = 266, E_SETSID = 274,
	E_SETPGID = 294, E_FSTAT = 70, E_IOCTL = 170, E_GETDENTS64 = 238, E_FLOCK = 242, E_SPLICE = 166,
	E_SENDFILE = 188, E_GETCWD = 92, E_ACCESS = 264,
	/* namespaces and mounts */
	E_SETNS = 240, E_MOUNT = 256, E_UMOUNT = 258, E_UNSHARE = 284,
	/* memory, waits and sleeps, limits and ids, and the socket calls without parameters */
	E_BRK = 158, E_MMAP = 160, E_MUNMAP = 164, E_MPROTECT = 328, E_FUTEX = 64, E_EPOLLWAIT = 78,
	E_POLL = 80, E_SELECT = 82, E_NANOSLEEP = 134, E_PPOLL = 254, E_GETRLIMIT = 140, E_SETRLIMIT = 142,
	E_PRLIMIT = 144, E_GETUID = 202, E_GETEUID = 204, E_GETGID = 206, E_GETEGID = 208,
	E_GETRESUID = 210, E_GETRESGID = 212, E_GETSOCKNAME = 38, E_GETPEERNAME = 40, E_SENDMMSG = 50,
	E_RECVMMSG = 54, E_SIGNALFD = 126, E_TIMERFD_CREATE = 136, E_INOTIFY_INIT = 138, E_USERFAULTFD = 320,
	E_COPY_FILE_RANGE = 332, E_SECCOMP = 298, E_SETSOCKOPT = 44, E_GETSOCKOPT = 46,
	E_STAT = 66, E_LSTAT = 68, E_GETDENTS = 236, E_PTRACE = 168, E_SEMOP = 250, E_SEMCTL = 252, E_SEMGET = 262,
	E_BPF = 296, E_QUOTACTL = 190,
	/* page faults (tdig-capture --page-faults) */
	E_PAGE_FAULT = 290,
	/* the scheduler and signal tracepoints */
	E_SWITCH = 152, E_SIGNALDELIVER = 232,
};

/* ---- maps ---- */
#define BLOCK_EV_V2 0x216
#define SCRATCH_SIZE 0x22000   /* event area 0x20000 + temp area */
#define TMP_OFF 0x20000        /* 4 KiB temp area (sockaddr, open_how, ...) */
#define OFF_MASK 0xFFFF
#define LEN_MASK 0xFFFF
#define EV_HDR 10              /* block header (8) + cpuid (2) */
#define LENS_OFF (EV_HDR + 26)
#define MAX_STR 4096
#define MAX_IOV 32      /* iovec entries read, as the driver's MAX_IOVCNT */

struct config {
	u64 boot_offset;     /* ns to add to bpf_ktime_get_boot_ns() to get ns since epoch */
	u32 snaplen;
	u32 self_tgid;       /* never capture this process */
	u32 tree_filter;     /* only capture tgids in `tracked` */
	u32 enabled;
	u32 tracers;         /* writes to /dev/null keep up to TRACER_SNAPLEN bytes (sysdig -T) */
};

struct counters { u64 events; u64 drops; };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct config);
} cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct counters);
} stats SEC(".maps");

struct scratch { u8 b[SCRATCH_SIZE]; };

/* one scratch buffer per CPU (too big for a per-CPU map); user space sets max_entries to the CPU count */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* per-CPU ring buffers; user space creates them, sets max_entries and fills the slots */
struct ringbuf_inner {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); /* template only: the real rings are created by user space */
};
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, u32);
	__array(values, struct ringbuf_inner);
} rings SEC(".maps");

/* process tree filter: thread-group ids to capture */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, u8);
} tracked SEC(".maps");

/* ---- event writer ---- */
struct ev {
	u8 *buf;
	u32 off;
	u32 idx;
	u32 np;
	u32 snaplen;
	u32 size;            /* fixed-size events: the ring record reserved (0: built in scratch) */
};

/* Block size of a fixed-size event: np parameters with `payload` bytes of values in all. */
#define FIXED_SIZE(np, payload) ((LENS_OFF + (np) * 2 + (payload) + 4 + 3) & ~3u)

static __always_inline struct config *get_cfg(void)
{
	u32 k = 0;
	return bpf_map_lookup_elem(&cfg, &k);
}

static __always_inline void ev_header(struct ev *e, struct config *c, u8 *b, u32 cpu, u16 type, u32 np)
{
	e->buf = b;
	e->idx = 0;
	e->np = np;
	e->snaplen = c->snaplen;
	*(u32 *)(b + 0) = BLOCK_EV_V2;
	*(u16 *)(b + 8) = (u16)cpu;
	*(u64 *)(b + EV_HDR + 0) = bpf_ktime_get_boot_ns() + c->boot_offset;
	*(u64 *)(b + EV_HDR + 8) = (u32)bpf_get_current_task_btf()->pid;
	*(u16 *)(b + EV_HDR + 20) = type;
	*(u32 *)(b + EV_HDR + 22) = np;
	e->off = LENS_OFF + np * 2;
}

/* An event of any size, built in the CPU's scratch buffer and copied to its ring by ev_submit. */
static __always_inline int ev_begin(struct ev *e, struct config *c, u16 type, u32 np)
{
	u32 cpu = bpf_get_smp_processor_id();
	u8 *b = bpf_map_lookup_elem(&scratch, &cpu);
	if (!b)
		return -1;
	e->size = 0;
	ev_header(e, c, b, cpu, type, np);
	return 0;
}

static __always_inline void count_drop(void)
{
	u32 k = 0;
	struct counters *cnt = bpf_map_lookup_elem(&stats, &k);
	if (cnt)
		cnt->drops++;
}

/*
 * An event of a size known at compile time (`size` = FIXED_SIZE(...), a constant), written straight into
 * a record reserved in the CPU's ring: no scratch buffer, no copy. ev_submit commits it.
 */
static __always_inline int ev_reserve(struct ev *e, struct config *c, u16 type, u32 np, u32 size)
{
	u32 cpu = bpf_get_smp_processor_id();
	void *rb = bpf_map_lookup_elem(&rings, &cpu);
	u8 *b;
	if (!rb)
		return -1;
	b = bpf_ringbuf_reserve(rb, size, 0);
	if (!b) {
		count_drop();
		return -1;
	}
	e->size = size;
	ev_header(e, c, b, cpu, type, np);
	return 0;
}

static __always_inline void set_len(struct ev *e, u32 len)
{
	*(u16 *)(e->buf + LENS_OFF + ((e->idx & 31) << 1)) = (u16)len;
	e->idx++;
}

static __always_inline void p_u64(struct ev *e, u64 v)
{
	*(u64 *)(e->buf + (e->off & OFF_MASK)) = v;
	e->off += 8;
	set_len(e, 8);
}

static __always_inline void p_u32(struct ev *e, u32 v)
{
	*(u32 *)(e->buf + (e->off & OFF_MASK)) = v;
	e->off += 4;
	set_len(e, 4);
}

static __always_inline void p_u16(struct ev *e, u16 v)
{
	*(u16 *)(e->buf + (e->off & OFF_MASK)) = v;
	e->off += 2;
	set_len(e, 2);
}

static __always_inline void p_u8(struct ev *e, u8 v)
{
	*(u8 *)(e->buf + (e->off & OFF_MASK)) = v;
	e->off += 1;
	set_len(e, 1);
}

static __always_inline void p_u8_str_empty(struct ev *e)
{
	e->buf[e->off & OFF_MASK] = 0;
	e->off += 1;
	set_len(e, 1);
}

static __always_inline void p_empty(struct ev *e)
{
	set_len(e, 0);
}

/* a NUL-terminated string from user memory (length counts the NUL); empty on failure */
static __always_inline void p_ustr(struct ev *e, const void *p)
{
	long n = 0;
	if (p)
		n = bpf_probe_read_user_str(e->buf + (e->off & OFF_MASK), MAX_STR, p);
	if (n <= 0) {
		/* not readable (a page not yet faulted in): an empty string */
		e->buf[e->off & OFF_MASK] = 0;
		n = 1;
	}
	e->off += n & (MAX_STR * 2 - 1);
	set_len(e, n & (MAX_STR * 2 - 1));
}

/* kernel string, as above */
static __always_inline void p_kstr(struct ev *e, const void *p, u32 max)
{
	long n = bpf_probe_read_kernel_str(e->buf + (e->off & OFF_MASK), max & (MAX_STR - 1), p);
	if (n < 0)
		n = 0;
	e->off += n & (MAX_STR * 2 - 1);
	set_len(e, n & (MAX_STR * 2 - 1));
}

/* raw user bytes, at most `len` */
static __always_inline void p_ubytes(struct ev *e, const void *p, u64 len)
{
	if (len > 65000)
		len = 65000;
	if (!p || bpf_probe_read_user(e->buf + (e->off & OFF_MASK), len & LEN_MASK, p))
		len = 0;
	e->off += len & LEN_MASK;
	set_len(e, len & LEN_MASK);
}

/* An argument or environment area (NUL-separated strings): at most `max` bytes of it, its last byte
 * made a NUL, as the drivers write it (libs driver/modern_bpf/helpers/store/auxmap_store_params.h,
 * auxmap__store_user_task_charbufarray_param): a list cut short still ends its last string. */
static __always_inline void p_ustrlist(struct ev *e, const void *p, u64 len, u64 max)
{
	if (len > max)
		len = max;
	if (len > MAX_STR)
		len = MAX_STR;
	if (!p || len == 0 || bpf_probe_read_user(e->buf + (e->off & OFF_MASK), len & (MAX_STR * 2 - 1), p))
		len = 0;
	else
		e->buf[(e->off + len - 1) & OFF_MASK] = 0;
	e->off += len & (MAX_STR * 2 - 1);
	set_len(e, len & (MAX_STR * 2 - 1));
}

/* the data buffer of an I/O call: `res` bytes were moved, cut to the snaplen */
static __always_inline void p_data(struct ev *e, const void *p, s64 res)
{
	u64 n = res > 0 ? (u64)res : 0;
	if (n > e->snaplen)
		n = e->snaplen;
	p_ubytes(e, p, n);
}

/* data gathered from an iovec array (bpf_loop keeps the verifier's work independent of MAX_IOV) */
struct iov_walk {
	u8 *buf;
	u64 iov;
	u64 cnt;
	u64 want;
	u64 total;
	u32 off;
};

static long iov_copy_cb(u64 i, void *ctx)
{
	struct iov_walk *w = ctx;
	struct iovec_u v;
	u64 n;

	if (i >= w->cnt || w->want == 0)
		return 1;
	if (bpf_probe_read_user(&v, sizeof(v), (void *)(w->iov + i * sizeof(v))))
		return 1;
	n = v.len < w->want ? v.len : w->want;
	n &= LEN_MASK;
	if (bpf_probe_read_user(w->buf + (w->off & OFF_MASK), n, (void *)v.base))
		return 1;
	w->off += n;
	w->want -= n;
	return 0;
}

static __always_inline void p_iovdata(struct ev *e, u64 iov, u64 cnt, s64 res)
{
	struct iov_walk w = { .buf = e->buf, .iov = iov, .cnt = cnt, .off = e->off };
	u32 start = e->off;
	w.want = res > 0 ? (u64)res : 0;
	if (w.want > e->snaplen)
		w.want = e->snaplen;
	if (w.want > 65000)
		w.want = 65000;
	bpf_loop(MAX_IOV, iov_copy_cb, &w, 0);
	e->off = w.off;
	set_len(e, (e->off - start) & LEN_MASK);
}

static long iov_sum_cb(u64 i, void *ctx)
{
	struct iov_walk *w = ctx;
	struct iovec_u v;

	if (i >= w->cnt)
		return 1;
	if (bpf_probe_read_user(&v, sizeof(v), (void *)(w->iov + i * sizeof(v))))
		return 1;
	w->total += v.len;
	return 0;
}

static __always_inline u64 iov_total(u64 iov, u64 cnt)
{
	struct iov_walk w = { .iov = iov, .cnt = cnt };
	bpf_loop(MAX_IOV, iov_sum_cb, &w, 0);
	return w.total;
}

static __always_inline void ev_submit(struct ev *e)
{
	u32 cpu = bpf_get_smp_processor_id();
	u32 k = 0;
	struct counters *cnt = bpf_map_lookup_elem(&stats, &k);
	u8 *b = e->buf;
	u32 off = e->off & 0x1FFFF;
	u32 total = (off + 4 + 3) & ~3u;
	void *rb;

	if (e->size) {
		/*
		 * A reserved record. For fixed-size events every offset here is a constant the verifier checks
		 * against the record's size; for data events (data_exit) the block may end before the record
		 * does, and the consumer copies only the block (its total length).
		 */
		u32 end = e->off;
		u32 tail = (end + 3) & ~3u;    /* where the trailing length goes (no "- 4": the verifier keeps bounds) */
		u32 blk = tail + 4;
		*(u32 *)(b + EV_HDR + 16) = end - EV_HDR;
		*(u32 *)(b + 4) = blk;
		*(u32 *)(b + end) = 0;
		*(u32 *)(b + tail) = blk;
		bpf_ringbuf_submit(b, BPF_RB_NO_WAKEUP);
		if (cnt)
			cnt->events++;
		return;
	}
	*(u32 *)(b + EV_HDR + 16) = off - EV_HDR;
	*(u32 *)(b + 4) = total;
	*(u32 *)(b + off) = 0;                     /* padding */
	*(u32 *)(b + ((total - 4) & 0x1FFFF)) = total; /* trailer */
	rb = bpf_map_lookup_elem(&rings, &cpu);
	if (!rb || bpf_ringbuf_output(rb, b, total & 0x1FFFF, BPF_RB_NO_WAKEUP)) {
		if (cnt)
			cnt->drops++;
		return;
	}
	if (cnt)
		cnt->events++;
}

/* ---- helpers over kernel state ---- */
static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds;
	struct file *f = 0;
	unsigned int max;

	if (fd < 0 || !fdt)
		return 0;
	max = BPF_CORE_READ(fdt, max_fds);
	if ((unsigned long)fd >= max)
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

static __always_inline u32 encode_dev(u32 dev)
{
	u32 major = dev >> 20, minor = dev & 0xfffff;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline u32 fd_dev(long fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return 0;
	return encode_dev(BPF_CORE_READ(f, f_inode, i_sb, s_dev));
}

/* open flags as the driver converts them (driver/ppm_flag_helpers.h open_flags_to_scap): each scap flag is set
 * when any bit of the kernel's value is, so O_DIRECTORY (a bit of O_TMPFILE) also sets O_TMPFILE and O_DSYNC
 * also sets O_SYNC, and an access mode of 3 reads as O_RDONLY */
static __always_inline u32 open_flags(u64 f)
{
	u32 r = 0;
	switch (f & 3) {
	case 1: r = 2; break;
	case 2: r = 3; break;
	default: r = 1; break;
	}
	if (f & 0100) r |= 1 << 2;        /* O_CREAT */
	if (f & 02000) r |= 1 << 3;       /* O_APPEND */
	if (f & 010000) r |= 1 << 4;      /* O_DSYNC */
	if (f & 0200) r |= 1 << 5;        /* O_EXCL */
	if (f & 04000) r |= 1 << 6;       /* O_NONBLOCK */
	if (f & 04010000) r |= 1 << 7;    /* O_SYNC */
	if (f & 01000) r |= 1 << 8;       /* O_TRUNC */
	if (f & 040000) r |= 1 << 9;      /* O_DIRECT */
	if (f & 0200000) r |= 1 << 10;    /* O_DIRECTORY */
	if (f & 0100000) r |= 1 << 11;    /* O_LARGEFILE */
	if (f & 02000000) r |= 1 << 12;   /* O_CLOEXEC */
	if (f & 020200000) r |= 1 << 13;  /* O_TMPFILE */
	return r;
}

/* an open's mode as the driver writes it (open_modes_to_scap): the permission bits when the flags create a
 * file (O_CREAT, or a bit of O_TMPFILE), else 0 */
static __always_inline u32 open_mode(u64 flags, u64 mode)
{
	return (flags & (0100 | 020200000)) ? (u32)(mode & 07777) : 0;
}

static __always_inline u32 clone_flags(u64 f)
{
	u32 r = 0;
	if (f & 0x400) r |= 1 << 0;        /* FILES */
	if (f & 0x200) r |= 1 << 1;        /* FS */
	if (f & 0x80000000ull) r |= 1 << 2; /* IO */
	if (f & 0x08000000) r |= 1 << 3;   /* NEWIPC */
	if (f & 0x40000000) r |= 1 << 4;   /* NEWNET */
	if (f & 0x20000) r |= 1 << 5;      /* NEWNS */
	if (f & 0x20000000) r |= 1 << 6;   /* NEWPID */
	if (f & 0x04000000) r |= 1 << 7;   /* NEWUTS */
	if (f & 0x8000) r |= 1 << 8;       /* PARENT */
	if (f & 0x100000) r |= 1 << 9;     /* PARENT_SETTID */
	if (f & 0x2000) r |= 1 << 10;      /* PTRACE */
	if (f & 0x800) r |= 1 << 11;       /* SIGHAND */
	if (f & 0x40000) r |= 1 << 12;     /* SYSVSEM */
	if (f & 0x10000) r |= 1 << 13;     /* THREAD */
	if (f & 0x800000) r |= 1 << 14;    /* UNTRACED */
	if (f & 0x100) r |= 1 << 15;       /* VM */
	if (f & 0x10000000) r |= 1 << 20;  /* NEWUSER */
	if (f & 0x200000) r |= 1 << 23;    /* CHILD_CLEARTID */
	if (f & 0x1000000) r |= 1 << 24;   /* CHILD_SETTID */
	if (f & 0x80000) r |= 1 << 25;     /* SETTLS */
	if (f & 0x4000) r |= 1 << 27;      /* VFORK */
	if (f & 0x2000000) r |= 1 << 28;   /* NEWCGROUP */
	return r;
}

static __always_inline u8 fcntl_cmd(u64 c)
{
	switch (c) {
	case 0: return 1;   case 1: return 2;   case 2: return 3;   case 3: return 4;
	case 4: return 5;   case 5: return 6;   case 6: return 8;   case 7: return 9;
	case 8: return 10;  case 9: return 12;  case 10: return 13; case 11: return 15;
	case 15: return 21; case 16: return 22; case 1024: return 23; case 1025: return 24;
	case 1029: return 25; case 1030: return 26; case 1026: return 27; case 1031: return 28;
	case 1032: return 29; case 36: return 30; case 37: return 31; case 38: return 32;
	}
	return 0;
}

/* A unix socket's path, from kernel memory `src` to `dst`, as the driver's unix_socket_path writes it: an
 * abstract name's leading NUL as '@'. Returns the bytes written, its NUL included (at least 1). */
static __always_inline long unix_path(u8 *dst, const u8 *src)
{
	char first = 0;
	long m;

	bpf_probe_read_kernel(&first, 1, src);
	if (first == 0) {
		dst[0] = '@';
		m = bpf_probe_read_kernel_str(dst + 1, 107, src + 1);
		if (m < 1) {
			dst[1] = 0;
			m = 1;
		}
		return m + 1;
	}
	m = bpf_probe_read_kernel_str(dst, 108, src);
	if (m < 1) {
		dst[0] = 0;
		m = 1;
	}
	return m;
}

/* A socket address from user memory, in scap form: family byte, then address and port. */
static __always_inline void p_usockaddr(struct ev *e, const void *uaddr, u64 ulen)
{
	u8 *tmp = e->buf + TMP_OFF;
	u8 *out = e->buf + (e->off & OFF_MASK);
	u16 fam;
	u32 n = 0;

	if (!uaddr || ulen < 2 || bpf_probe_read_user(tmp, 128, uaddr)) {
		/* the read may fail near the end of a mapping: retry with the exact length */
		if (!uaddr || ulen < 2 || ulen > 128 || bpf_probe_read_user(tmp, ulen & 127, uaddr)) {
			set_len(e, 0);
			return;
		}
	}
	fam = *(u16 *)tmp;
	if (fam == 2) {
		out[0] = 2;
		*(u32 *)(out + 1) = *(u32 *)(tmp + 4);
		*(u16 *)(out + 5) = bpf_ntohs(*(u16 *)(tmp + 2));
		n = 7;
	} else if (fam == 10) {
		out[0] = 10;
		__builtin_memcpy(out + 1, tmp + 8, 16);
		*(u16 *)(out + 17) = bpf_ntohs(*(u16 *)(tmp + 2));
		n = 19;
	} else if (fam == 1) {
		long m;
		out[0] = 1;
		/* a NUL after the address's length, as the driver puts one (bpf_pack_addr): a name need not end in one */
		tmp[(ulen < 128 ? ulen : 127) & 127] = 0;
		if (ulen > 2) {
			m = unix_path(out + 1, tmp + 2);
		} else {
			out[1] = 0;
			m = 1;
		}
		n = 1 + (m & 127);
	}
	e->off += n;
	set_len(e, n);
}

/*
 * The tuple of a socket fd. `in` = the call received (accept/recv*): remote -> local;
 * otherwise local -> remote. `uaddr` (optional) is the peer's address in user memory: the
 * destination given to sendto/sendmsg, or the source recvfrom/recvmsg filled in. It is used when
 * the socket itself has no peer (unconnected UDP), as the kernel module of the reference does
 * (its recvfrom exit takes the remote end from the caller's address).
 */
static __always_inline void p_tuple(struct ev *e, long fd, int in, const void *uaddr, u64 ulen)
{
	struct file *f = fd_file(fd);
	struct socket *so;
	struct sock *sk;
	u8 *out = e->buf + (e->off & OFF_MASK);
	u16 fam;
	u32 n = 0;

	/* only a socket's file has a socket behind private_data (the driver checks f_op; its inode is S_IFSOCK) */
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & 0170000) != 0140000)
		goto none;
	so = BPF_CORE_READ(f, private_data);
	if (!so)
		goto none;
	sk = BPF_CORE_READ(so, sk);
	if (!sk)
		goto none;
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (fam == 2) {
		u32 la = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		u32 ra = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		u16 lp = BPF_CORE_READ(sk, __sk_common.skc_num);
		u16 rp = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		/* an address the call names or is given is the peer, as the driver takes it (use_userdata) */
		if (uaddr && ulen >= 8) {
			u8 *tmp = e->buf + TMP_OFF;
			if (bpf_probe_read_user(tmp, 8, uaddr) == 0 && *(u16 *)tmp == 2) {
				ra = *(u32 *)(tmp + 4);
				rp = bpf_ntohs(*(u16 *)(tmp + 2));
			}
		}
		out[0] = 2;
		if (in) {
			*(u32 *)(out + 1) = ra; *(u16 *)(out + 5) = rp;
			*(u32 *)(out + 7) = la; *(u16 *)(out + 11) = lp;
		} else {
			*(u32 *)(out + 1) = la; *(u16 *)(out + 5) = lp;
			*(u32 *)(out + 7) = ra; *(u16 *)(out + 11) = rp;
		}
		n = 13;
	} else if (fam == 10) {
		u16 lp = BPF_CORE_READ(sk, __sk_common.skc_num);
		u16 rp = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		u8 *local = in ? out + 19 : out + 1, *remote = in ? out + 1 : out + 19;
		out[0] = 10;
		/* 16 bytes each: BPF_CORE_READ_INTO reads sizeof(*dst), one byte through a u8 pointer */
		if (bpf_core_read(local, 16, &sk->__sk_common.skc_v6_rcv_saddr))
			__builtin_memset(local, 0, 16);
		*(u16 *)(local + 16) = lp;
		if (bpf_core_read(remote, 16, &sk->__sk_common.skc_v6_daddr))
			__builtin_memset(remote, 0, 16);
		*(u16 *)(remote + 16) = rp;
		/* an address the call names or is given is the peer, as for IPv4 */
		if (uaddr && ulen >= 24) {
			u8 *tmp = e->buf + TMP_OFF;
			if (bpf_probe_read_user(tmp, 24, uaddr) == 0 && *(u16 *)tmp == 10) {
				__builtin_memcpy(remote, tmp + 8, 16);
				*(u16 *)(remote + 16) = bpf_ntohs(*(u16 *)(tmp + 2));
			}
		}
		n = 37;
	} else if (fam == 1) {
		struct unix_sock *us = (void *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		struct unix_address *ua;
		u64 a = (u64)sk, b = (u64)peer;
		long m = 0;
		out[0] = 1;
		if (in) {
			*(u64 *)(out + 1) = a; *(u64 *)(out + 9) = b;
		} else {
			*(u64 *)(out + 1) = b; *(u64 *)(out + 9) = a;
		}
		ua = BPF_CORE_READ(us, addr);
		if (!ua && peer)
			ua = BPF_CORE_READ((struct unix_sock *)peer, addr);
		if (!in && uaddr && ulen > 2 && ulen <= 110) {
			/* outbound with an address given (connect, sendto, sendmsg): the path is that address's, as the
			 * driver's bpf_fd_to_socktuple takes it (use_userdata) */
			u8 *tmp = e->buf + TMP_OFF;
			if (bpf_probe_read_user(tmp, ulen & 127, uaddr) == 0) {
				tmp[ulen & 127] = 0;
				m = unix_path(out + 17, tmp + 2);
			}
		} else if (ua) {
			m = unix_path(out + 17, (u8 *)ua + bpf_core_field_offset(struct unix_address, name) + 2);
		}
		if (m < 1) {
			out[17] = 0;
			m = 1;
		}
		n = 17 + (m & 127);
	}
	e->off += n;
	set_len(e, n);
	return;
none:
	set_len(e, 0);
}

/* ---- syscall arguments ---- */
struct args { u64 a[6]; };

/* tp_btf programs get a trusted pt_regs pointer: plain loads, no helper calls */
static __always_inline void read_args(struct pt_regs *r, struct args *a)
{
	a->a[0] = r->di;
	a->a[1] = r->si;
	a->a[2] = r->dx;
	a->a[3] = r->r10;
	a->a[4] = r->r8;
	a->a[5] = r->r9;
}

static __always_inline struct config *interesting(void)
{
	struct config *c = get_cfg();
	u32 tgid;
	if (!c || !c->enabled)
		return 0;
	/* a plain load from the current task (bpf_get_current_pid_tgid costs a pid-namespace walk) */
	tgid = bpf_get_current_task_btf()->tgid;
	if (tgid == c->self_tgid)
		return 0;
	if (c->tree_filter && !bpf_map_lookup_elem(&tracked, &tgid))
		return 0;
	return c;
}

#define REGS(ctx) ((struct pt_regs *)(ctx)[0])
#define RET(ctx) ((s64)(ctx)[1])

/* Handlers: each builds one event. BEGIN opens the event or returns. */
#define EHANDLER(name) \
	SEC("tp_btf/sys_enter") int name(u64 *ctx)
#define XHANDLER(name) \
	SEC("tp_btf/sys_exit") int name(u64 *ctx)
#define BEGIN(type, np) \
	struct config *c = interesting(); struct ev e; struct args a; \
	if (!c || ev_begin(&e, c, type, np)) return 0; \
	read_args(REGS(ctx), &a);
/* an event whose np parameters take `payload` bytes whatever their values: reserved in the ring */
#define BEGIN_FIXED(type, np, payload) \
	struct config *c = interesting(); struct ev e; struct args a; \
	if (!c || ev_reserve(&e, c, type, np, FIXED_SIZE(np, payload))) return 0; \
	read_args(REGS(ctx), &a);

/* an enter event without parameters, and an exit whose only parameter is the result */
#define ENTER_NO_PARAMS(name, type) \
	EHANDLER(name) { BEGIN_FIXED(type, 0, 0) ev_submit(&e); return 0; }
#define EXIT_RES_ONLY(name, type) \
	XHANDLER(name) { BEGIN_FIXED(type, 1, 8) p_u64(&e, RET(ctx)); ev_submit(&e); return 0; }

/*
 * The exit of a call that moved one buffer (second argument): res, then the data cut to the snaplen.
 * Short data goes straight into a ring record of the smallest size class that holds it (64, 256 or
 * 1024 bytes: the block ends at the data, the record's tail is not copied out, and a record takes at
 * most 4 times the ring space of its block); longer data is built in scratch.
 */
#define DATA_CLASS(B) \
	if (n <= (B)) { \
		struct ev e; \
		if (ev_reserve(&e, c, type, 2, FIXED_SIZE(2, 8 + (B) + 4))) \
			return 0; \
		p_u64(&e, res); \
		if (n > (B)) \
			n = (B); \
		if (!p || bpf_probe_read_user(e.buf + e.off, n, p)) \
			n = 0; \
		e.off += n; \
		set_len(&e, n); \
		ev_submit(&e); \
		return 0; \
	}

/*
 * sysdig's tracers are text written to /dev/null: with `tracers` set, a write there keeps up to
 * TRACER_SNAPLEN bytes whatever the snaplen, as the reference driver does once tracers are on
 * (driver/bpf/filler_helpers.h bpf_compute_snaplen: RW_SNAPLEN_EVENT for a write to PPM_NULL_RDEV).
 */
#define TRACER_SNAPLEN 4096
#define NULL_RDEV ((1u << 20) | 3u)   /* the kernel's dev_t of /dev/null: MKDEV(1, 3) */

static __always_inline u32 write_snaplen(struct config *c, u16 type, u64 *ctx)
{
	if (c->tracers && type == E_WRITE + 1) {
		struct file *f = fd_file((s32)REGS(ctx)->di);
		if (f && BPF_CORE_READ(f, f_inode, i_rdev) == NULL_RDEV)
			return TRACER_SNAPLEN;
	}
	return c->snaplen;
}

static __always_inline int data_exit(u64 *ctx, u16 type)
{
	struct config *c = interesting();
	s64 res = RET(ctx), want = res;
	void *p;
	u64 n;
	u32 snaplen;

	if (!c)
		return 0;
	p = (void *)REGS(ctx)->si;
	snaplen = write_snaplen(c, type, ctx);
	/* a write's data is what it was asked to write (its count), failed or short as the write may be, as
	 * the driver's sys_write_x takes it; a read's and a send's is what moved */
	if (type == E_WRITE + 1 || type == E_PWRITE + 1)
		want = (s64)REGS(ctx)->dx;
	n = want > 0 ? (u64)want : 0;
	if (n > snaplen)
		n = snaplen;
	DATA_CLASS(64)
	DATA_CLASS(256)
	DATA_CLASS(1024)
	{
		struct ev e;
		if (ev_begin(&e, c, type, 2))
			return 0;
		e.snaplen = snaplen;
		p_u64(&e, res);
		p_data(&e, p, want);
		ev_submit(&e);
	}
	return 0;
}

/* read / write / pread / pwrite */
EHANDLER(e_read) { BEGIN_FIXED(E_READ, 2, 12) p_u64(&e, (s32)a.a[0]); p_u32(&e, a.a[2]); ev_submit(&e); return 0; }
XHANDLER(x_read) { return data_exit(ctx, E_READ + 1); }
EHANDLER(e_write) { BEGIN_FIXED(E_WRITE, 2, 12) p_u64(&e, (s32)a.a[0]); p_u32(&e, a.a[2]); ev_submit(&e); return 0; }
XHANDLER(x_write) { return data_exit(ctx, E_WRITE + 1); }
EHANDLER(e_pread) { BEGIN_FIXED(E_PREAD, 3, 20) p_u64(&e, (s32)a.a[0]); p_u32(&e, a.a[2]); p_u64(&e, a.a[3]); ev_submit(&e); return 0; }
XHANDLER(x_pread) { return data_exit(ctx, E_PREAD + 1); }
EHANDLER(e_pwrite) { BEGIN_FIXED(E_PWRITE, 3, 20) p_u64(&e, (s32)a.a[0]); p_u32(&e, a.a[2]); p_u64(&e, a.a[3]); ev_submit(&e); return 0; }
XHANDLER(x_pwrite) { return data_exit(ctx, E_PWRITE + 1); }

/* readv / writev / preadv / pwritev */
EHANDLER(e_readv) { BEGIN_FIXED(E_READV, 1, 8) p_u64(&e, (s32)a.a[0]); ev_submit(&e); return 0; }
/* readv, preadv and recvmsg: size is res as a u32 (a failure's negative value too), the data what was read;
 * writev, pwritev and sendmsg: the data of the whole iovec array, whatever res (the driver's
 * bpf_parse_readv_writev_bufs with PRB_FLAG_IS_WRITE) */
#define IOV_ALL 65000
XHANDLER(x_readv) { BEGIN(E_READV + 1, 3) s64 res = RET(ctx); p_u64(&e, res); p_u32(&e, (u32)res); p_iovdata(&e, a.a[1], a.a[2], res); ev_submit(&e); return 0; }
EHANDLER(e_writev) { BEGIN_FIXED(E_WRITEV, 2, 12) p_u64(&e, (s32)a.a[0]); p_u32(&e, iov_total(a.a[1], a.a[2])); ev_submit(&e); return 0; }
XHANDLER(x_writev) { BEGIN(E_WRITEV + 1, 2) s64 res = RET(ctx); p_u64(&e, res); p_iovdata(&e, a.a[1], a.a[2], IOV_ALL); ev_submit(&e); return 0; }
EHANDLER(e_preadv) { BEGIN_FIXED(E_PREADV, 2, 16) p_u64(&e, (s32)a.a[0]); p_u64(&e, a.a[3]); ev_submit(&e); return 0; }
XHANDLER(x_preadv) { BEGIN(E_PREADV + 1, 3) s64 res = RET(ctx); p_u64(&e, res); p_u32(&e, (u32)res); p_iovdata(&e, a.a[1], a.a[2], res); ev_submit(&e); return 0; }
EHANDLER(e_pwritev) { BEGIN_FIXED(E_PWRITEV, 3, 20) p_u64(&e, (s32)a.a[0]); p_u32(&e, iov_total(a.a[1], a.a[2])); p_u64(&e, a.a[3]); ev_submit(&e); return 0; }
XHANDLER(x_pwritev) { BEGIN(E_PWRITEV + 1, 2) s64 res = RET(ctx); p_u64(&e, res); p_iovdata(&e, a.a[1], a.a[2], IOV_ALL); ev_submit(&e); return 0; }

/* open family */
EHANDLER(e_open) { BEGIN(E_OPEN, 3) p_ustr(&e, (void *)a.a[0]); p_u32(&e, open_flags(a.a[1])); p_u32(&e, open_mode(a.a[1], a.a[2])); ev_submit(&e); return 0; }
XHANDLER(x_open) {
	BEGIN(E_OPEN + 1, 5) s64 res = RET(ctx);
	p_u64(&e, res); p_ustr(&e, (void *)a.a[0]); p_u32(&e, open_flags(a.a[1])); p_u32(&e, open_mode(a.a[1], a.a[2]));
	p_u32(&e, res >= 0 ? fd_dev(res) : 0);
	ev_submit(&e); return 0;
}
EHANDLER(e_creat) { BEGIN(E_CREAT, 2) p_ustr(&e, (void *)a.a[0]); p_u32(&e, open_mode(0100, a.a[1])); ev_submit(&e); return 0; }
XHANDLER(x_creat) {
	BEGIN(E_CREAT + 1, 4) s64 res = RET(ctx);
	p_u64(&e, res); p_ustr(&e, (void *)a.a[0]); p_u32(&e, open_mode(0100, a.a[1])); p_u32(&e, res >= 0 ? fd_dev(res) : 0);
	ev_submit(&e); return 0;
}
EHANDLER(e_openat) {
	BEGIN(E_OPENAT, 4)
	p_u64(&e, (s32)a.a[0]); p_ustr(&e, (void *)a.a[1]); p_u32(&e, open_flags(a.a[2])); p_u32(&e, open_mode(a.a[2], a.a[3]));
	ev_submit(&e); return 0;
}
XHANDLER(x_openat) {
	BEGIN(E_OPENAT + 1, 6) s64 res = RET(ctx);
	p_u64(&e, res); p_u64(&e, (s32)a.a[0]); p_ustr(&e, (void *)a.a[1]); p_u32(&e, open_flags(a.a[2]));
	p_u32(&e, open_mode(a.a[2], a.a[3])); p_u32(&e, res >= 0 ? fd_dev(res) : 0);
	ev_submit(&e); return 0;
}
static __always_inline void read_how(struct ev *e, u64 uhow, u64 *how)
{
	how[0] = how[1] = how[2] = 0;
	bpf_probe_read_user(how, 24, (void *)uhow);
}
static __always_inline u32 resolve_flags(u64 r)
{
	/* RESOLVE_NO_XDEV 1, NO_MAGICLINKS 2, NO_SYMLINKS 4, BENEATH 8, IN_ROOT 16: the scap bits follow the
	   order BENEATH, IN_ROOT, NO_MAGICLINKS, NO_SYMLINKS, NO_XDEV, CACHED */
	u32 o = 0;
	if (r & 8) o |= 1;
	if (r & 16) o |= 2;
	if (r & 2) o |= 4;
	if (r & 4) o |= 8;
	if (r & 1) o |= 16;
	if (r & 32) o |= 32;
	return o;
}
EHANDLER(e_openat2) {
	BEGIN(E_OPENAT2, 5) u64 how[3];
	read_how(&e, a.a[2], how);
	p_u64(&e, (s32)a.a[0]); p_ustr(&e, (void *)a.a[1]); p_u32(&e, open_flags(how[0])); p_u32(&e, open_mode(how[0], how[1]));
	p_u32(&e, resolve_flags(how[2]));
	ev_submit(&e); return 0;
}
XHANDLER(x_openat2) {
	BEGIN(E_OPENAT2 + 1, 6) s64 res = RET(ctx); u64 how[3];
	read_how(&e, a.a[2], how);
	p_u64(&e, res); p_u64(&e, (s32)a.a[0]); p_ustr(&e, (void *)a.a[1]); p_u32(&e, open_flags(how[0]));
	p_u32(&e, open_mode(how[0], how[1])); p_u32(&e, resolve_flags(how[2]));
	ev_submit(&e); return 0;
}

/* close, dup, fcntl, chdir, fchdir, eventfd */
EHANDLER(e_close) { BEGIN_FIXED(E_CLOSE, 1, 8) p_u64(&e, (s32)a.a[0]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_close, E_CLOSE + 1)
EHANDLER(e_dup) { BEGIN_FIXED(E_DUP, 1, 8) p_u64(&e, (s32)a.a[0]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_dup, E_DUP + 1)
EHANDLER(e_fcntl) { BEGIN_FIXED(E_FCNTL, 2, 9) p_u64(&e, (s32)a.a[0]); p_u8(&e, fcntl_cmd(a.a[1])); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_fcntl, E_FCNTL + 1)
ENTER_NO_PARAMS(e_chdir, E_CHDIR)
XHANDLER(x_chdir) { BEGIN(E_CHDIR + 1, 2) p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); ev_submit(&e); return 0; }
EHANDLER(e_fchdir) { BEGIN_FIXED(E_FCHDIR, 1, 8) p_u64(&e, (s32)a.a[0]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_fchdir, E_FCHDIR + 1)
/*
 * Files and signals. Their flags and modes (unlinkat_flags, linkat_flags, renameat2_flags, chmod_mode,
 * lseek_whence in formats/flags-table.json) have the kernel's values. As the driver writes them: chmod's and
 * fchmod's mode and renameat2's flags whole (sys_chmod_x, sys_fchmod_x, sys_renameat2_x), fchmodat's mode
 * cut to its permission bits (chmod_mode_to_scap).
 */
#define S_MODE_BITS 07777
EHANDLER(e_lseek) {
	BEGIN_FIXED(E_LSEEK, 3, 17)
	p_u64(&e, (s32)a.a[0]); p_u64(&e, a.a[1]); p_u8(&e, a.a[2] <= 2 ? a.a[2] : 0);
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_lseek, E_LSEEK + 1)
EHANDLER(e_kill) { BEGIN_FIXED(E_KILL, 2, 9) p_u64(&e, (s32)a.a[0]); p_u8(&e, a.a[1]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_kill, E_KILL + 1)
EHANDLER(e_tkill) { BEGIN_FIXED(E_TKILL, 2, 9) p_u64(&e, (s32)a.a[0]); p_u8(&e, a.a[1]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_tkill, E_TKILL + 1)
EHANDLER(e_tgkill) {
	BEGIN_FIXED(E_TGKILL, 3, 17)
	p_u64(&e, (s32)a.a[0]); p_u64(&e, (s32)a.a[1]); p_u8(&e, a.a[2]);
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_tgkill, E_TGKILL + 1)
/* mode: 0, as the driver writes it (fillers_table.c: MKDIR_2_E autofills the default, 0) */
EHANDLER(e_mkdir) { BEGIN_FIXED(E_MKDIR, 1, 4) p_u32(&e, 0); ev_submit(&e); return 0; }
XHANDLER(x_mkdir) { BEGIN(E_MKDIR + 1, 2) p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); ev_submit(&e); return 0; }
ENTER_NO_PARAMS(e_mkdirat, E_MKDIRAT)
XHANDLER(x_mkdirat) {
	BEGIN(E_MKDIRAT + 1, 4)
	p_u64(&e, RET(ctx)); p_u64(&e, (s32)a.a[0]); p_ustr(&e, (void *)a.a[1]); p_u32(&e, a.a[2]);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_rmdir, E_RMDIR)
XHANDLER(x_rmdir) { BEGIN(E_RMDIR + 1, 2) p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); ev_submit(&e); return 0; }
ENTER_NO_PARAMS(e_unlink, E_UNLINK)
XHANDLER(x_unlink) { BEGIN(E_UNLINK + 1, 2) p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); ev_submit(&e); return 0; }
ENTER_NO_PARAMS(e_unlinkat, E_UNLINKAT)
XHANDLER(x_unlinkat) {
	BEGIN(E_UNLINKAT + 1, 4)
	p_u64(&e, RET(ctx)); p_u64(&e, (s32)a.a[0]); p_ustr(&e, (void *)a.a[1]); p_u32(&e, a.a[2] & 0x200);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_rename, E_RENAME)
XHANDLER(x_rename) {
	BEGIN(E_RENAME + 1, 3)
	p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); p_ustr(&e, (void *)a.a[1]);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_renameat, E_RENAMEAT)
XHANDLER(x_renameat) {
	BEGIN(E_RENAMEAT + 1, 5)
	p_u64(&e, RET(ctx)); p_u64(&e, (s32)a.a[0]); p_ustr(&e, (void *)a.a[1]); p_u64(&e, (s32)a.a[2]);
	p_ustr(&e, (void *)a.a[3]);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_renameat2, E_RENAMEAT2)
XHANDLER(x_renameat2) {
	BEGIN(E_RENAMEAT2 + 1, 6)
	p_u64(&e, RET(ctx)); p_u64(&e, (s32)a.a[0]); p_ustr(&e, (void *)a.a[1]); p_u64(&e, (s32)a.a[2]);
	p_ustr(&e, (void *)a.a[3]); p_u32(&e, a.a[4]);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_symlink, E_SYMLINK)
XHANDLER(x_symlink) {
	BEGIN(E_SYMLINK + 1, 3)
	p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); p_ustr(&e, (void *)a.a[1]);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_symlinkat, E_SYMLINKAT)
XHANDLER(x_symlinkat) {
	BEGIN(E_SYMLINKAT + 1, 4)
	p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); p_u64(&e, (s32)a.a[1]); p_ustr(&e, (void *)a.a[2]);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_link, E_LINK)
XHANDLER(x_link) {
	BEGIN(E_LINK + 1, 3)
	p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); p_ustr(&e, (void *)a.a[1]);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_linkat, E_LINKAT)
XHANDLER(x_linkat) {
	BEGIN(E_LINKAT + 1, 6)
	p_u64(&e, RET(ctx)); p_u64(&e, (s32)a.a[0]); p_ustr(&e, (void *)a.a[1]); p_u64(&e, (s32)a.a[2]);
	p_ustr(&e, (void *)a.a[3]); p_u32(&e, a.a[4] & 0x1400);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_chmod, E_CHMOD)
XHANDLER(x_chmod) {
	BEGIN(E_CHMOD + 1, 3)
	p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); p_u32(&e, a.a[1]);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_fchmodat, E_FCHMODAT)
XHANDLER(x_fchmodat) {
	BEGIN(E_FCHMODAT + 1, 4)
	p_u64(&e, RET(ctx)); p_u64(&e, (s32)a.a[0]); p_ustr(&e, (void *)a.a[1]); p_u32(&e, a.a[2] & S_MODE_BITS);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_fchmod, E_FCHMOD)
XHANDLER(x_fchmod) {
	BEGIN_FIXED(E_FCHMOD + 1, 3, 20)
	p_u64(&e, RET(ctx)); p_u64(&e, (s32)a.a[0]); p_u32(&e, a.a[1]);
	ev_submit(&e); return 0;
}
/* credentials and sessions: the thread's user, group, root and session follow them */
EHANDLER(e_setuid) { BEGIN_FIXED(E_SETUID, 1, 4) p_u32(&e, a.a[0]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_setuid, E_SETUID + 1)
EHANDLER(e_setgid) { BEGIN_FIXED(E_SETGID, 1, 4) p_u32(&e, a.a[0]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_setgid, E_SETGID + 1)
EHANDLER(e_setresuid) {
	BEGIN_FIXED(E_SETRESUID, 3, 12)
	p_u32(&e, a.a[0]); p_u32(&e, a.a[1]); p_u32(&e, a.a[2]);
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_setresuid, E_SETRESUID + 1)
EHANDLER(e_setresgid) {
	BEGIN_FIXED(E_SETRESGID, 3, 12)
	p_u32(&e, a.a[0]); p_u32(&e, a.a[1]); p_u32(&e, a.a[2]);
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_setresgid, E_SETRESGID + 1)
ENTER_NO_PARAMS(e_chroot, E_CHROOT)
XHANDLER(x_chroot) { BEGIN(E_CHROOT + 1, 2) p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); ev_submit(&e); return 0; }
ENTER_NO_PARAMS(e_setsid, E_SETSID)
EXIT_RES_ONLY(x_setsid, E_SETSID + 1)
EHANDLER(e_setpgid) {
	BEGIN_FIXED(E_SETPGID, 2, 16)
	p_u64(&e, (s32)a.a[0]); p_u64(&e, (s32)a.a[1]);
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_setpgid, E_SETPGID + 1)
/* more calls on an fd (flock_flags and splice_flags have the kernel's values) */
EHANDLER(e_fstat) { BEGIN_FIXED(E_FSTAT, 1, 8) p_u64(&e, (s32)a.a[0]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_fstat, E_FSTAT + 1)
EHANDLER(e_ioctl) {
	BEGIN_FIXED(E_IOCTL, 3, 24)
	p_u64(&e, (s32)a.a[0]); p_u64(&e, a.a[1]); p_u64(&e, a.a[2]);
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_ioctl, E_IOCTL + 1)
EHANDLER(e_getdents64) { BEGIN_FIXED(E_GETDENTS64, 1, 8) p_u64(&e, (s32)a.a[0]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_getdents64, E_GETDENTS64 + 1)
EHANDLER(e_getdents) { BEGIN_FIXED(E_GETDENTS, 1, 8) p_u64(&e, (s32)a.a[0]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_getdents, E_GETDENTS + 1)
/* stat and lstat (the old calls: glibc's stat() calls newfstatat, which sysdig's table leaves generic) */
ENTER_NO_PARAMS(e_stat, E_STAT)
XHANDLER(x_stat) { BEGIN(E_STAT + 1, 2) p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); ev_submit(&e); return 0; }
ENTER_NO_PARAMS(e_lstat, E_LSTAT)
XHANDLER(x_lstat) { BEGIN(E_LSTAT + 1, 2) p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); ev_submit(&e); return 0; }
EHANDLER(e_flock) { BEGIN_FIXED(E_FLOCK, 2, 12) p_u64(&e, (s32)a.a[0]); p_u32(&e, a.a[1] & 15); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_flock, E_FLOCK + 1)
EHANDLER(e_splice) {
	BEGIN_FIXED(E_SPLICE, 4, 28)
	p_u64(&e, (s32)a.a[0]); p_u64(&e, (s32)a.a[2]); p_u64(&e, a.a[4]); p_u32(&e, a.a[5] & 15);
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_splice, E_SPLICE + 1)
/* sendfile's offset parameters are the value *offset holds, before and after (0 without one) */
EHANDLER(e_sendfile) {
	BEGIN_FIXED(E_SENDFILE, 4, 32) u64 off = 0;
	if (a.a[2])
		bpf_probe_read_user(&off, 8, (void *)a.a[2]);
	p_u64(&e, (s32)a.a[0]); p_u64(&e, (s32)a.a[1]); p_u64(&e, off); p_u64(&e, a.a[3]);
	ev_submit(&e); return 0;
}
XHANDLER(x_sendfile) {
	BEGIN_FIXED(E_SENDFILE + 1, 2, 16) u64 off = 0;
	if (a.a[2])
		bpf_probe_read_user(&off, 8, (void *)a.a[2]);
	p_u64(&e, RET(ctx)); p_u64(&e, off);
	ev_submit(&e); return 0;
}
/* getcwd gives readers the thread's directory; access names the path it checks (access_flags: the kernel's) */
ENTER_NO_PARAMS(e_getcwd, E_GETCWD)
XHANDLER(x_getcwd) {
	BEGIN(E_GETCWD + 1, 2) s64 res = RET(ctx);
	p_u64(&e, res);
	if (res > 0)
		p_ustr(&e, (void *)a.a[0]);
	else
		p_u8_str_empty(&e);
	ev_submit(&e); return 0;
}
EHANDLER(e_access) { BEGIN_FIXED(E_ACCESS, 1, 4) p_u32(&e, a.a[1] & 7); ev_submit(&e); return 0; }
XHANDLER(x_access) { BEGIN(E_ACCESS + 1, 2) p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); ev_submit(&e); return 0; }
/*
 * Namespaces and mounts: unshare's and setns's flags are clone flags (clone_flags); mount_flags and
 * umount_flags have the kernel's values, mount's without the old magic number in its high half.
 */
EHANDLER(e_unshare) { BEGIN_FIXED(E_UNSHARE, 1, 4) p_u32(&e, clone_flags(a.a[0])); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_unshare, E_UNSHARE + 1)
EHANDLER(e_setns) { BEGIN_FIXED(E_SETNS, 2, 12) p_u64(&e, (s32)a.a[0]); p_u32(&e, clone_flags(a.a[1])); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_setns, E_SETNS + 1)
EHANDLER(e_mount) {
	BEGIN_FIXED(E_MOUNT, 1, 4) u32 fl = a.a[3];
	if ((fl & 0xffff0000) == 0xC0ED0000)
		fl &= 0xffff;
	p_u32(&e, fl);
	ev_submit(&e); return 0;
}
XHANDLER(x_mount) {
	BEGIN(E_MOUNT + 1, 4)
	p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); p_ustr(&e, (void *)a.a[1]); p_ustr(&e, (void *)a.a[2]);
	ev_submit(&e); return 0;
}
EHANDLER(e_umount2) { BEGIN_FIXED(E_UMOUNT, 1, 4) p_u32(&e, a.a[1] & 15); ev_submit(&e); return 0; }
XHANDLER(x_umount2) { BEGIN(E_UMOUNT + 1, 2) p_u64(&e, RET(ctx)); p_ustr(&e, (void *)a.a[0]); ev_submit(&e); return 0; }
EHANDLER(e_eventfd) { BEGIN_FIXED(E_EVENTFD, 2, 12) p_u64(&e, a.a[0]); p_u32(&e, 0); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_eventfd, E_EVENTFD + 1)

/* pipe / pipe2: the two fds are in user memory */
ENTER_NO_PARAMS(e_pipe, E_PIPE)
XHANDLER(x_pipe) {
	BEGIN_FIXED(E_PIPE + 1, 4, 32) s64 res = RET(ctx); s32 fds[2] = {-1, -1}; u64 ino = 0;
	if (res >= 0) {
		bpf_probe_read_user(fds, sizeof(fds), (void *)a.a[0]);
		struct file *f = fd_file(fds[0]);
		if (f)
			ino = BPF_CORE_READ(f, f_inode, i_ino);
	}
	p_u64(&e, res); p_u64(&e, fds[0]); p_u64(&e, fds[1]); p_u64(&e, ino);
	ev_submit(&e); return 0;
}

/* sockets */
EHANDLER(e_socket) { BEGIN_FIXED(E_SOCKET, 3, 12) p_u32(&e, a.a[0]); p_u32(&e, a.a[1]); p_u32(&e, a.a[2]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_socket, E_SOCKET + 1)
EHANDLER(e_socketpair) { BEGIN_FIXED(E_SOCKETPAIR, 3, 12) p_u32(&e, a.a[0]); p_u32(&e, a.a[1]); p_u32(&e, a.a[2]); ev_submit(&e); return 0; }
XHANDLER(x_socketpair) {
	BEGIN_FIXED(E_SOCKETPAIR + 1, 5, 40) s64 res = RET(ctx); s32 fds[2] = {-1, -1}; u64 src = 0, peer = 0;
	if (res >= 0) {
		bpf_probe_read_user(fds, sizeof(fds), (void *)a.a[3]);
		struct file *f = fd_file(fds[0]);
		if (f) {
			struct socket *so = BPF_CORE_READ(f, private_data);
			struct sock *sk = so ? BPF_CORE_READ(so, sk) : 0;
			src = (u64)sk;
			if (sk)
				peer = (u64)BPF_CORE_READ((struct unix_sock *)sk, peer);
		}
	}
	p_u64(&e, res); p_u64(&e, fds[0]); p_u64(&e, fds[1]); p_u64(&e, src); p_u64(&e, peer);
	ev_submit(&e); return 0;
}
EHANDLER(e_bind) { BEGIN_FIXED(E_BIND, 1, 8) p_u64(&e, (s32)a.a[0]); ev_submit(&e); return 0; }
XHANDLER(x_bind) { BEGIN(E_BIND + 1, 2) p_u64(&e, RET(ctx)); p_usockaddr(&e, (void *)a.a[1], a.a[2]); ev_submit(&e); return 0; }
EHANDLER(e_connect) { BEGIN(E_CONNECT, 2) p_u64(&e, (s32)a.a[0]); p_usockaddr(&e, (void *)a.a[1], a.a[2]); ev_submit(&e); return 0; }
XHANDLER(x_connect) { BEGIN(E_CONNECT + 1, 2) p_u64(&e, RET(ctx)); p_tuple(&e, (s32)a.a[0], 0, (void *)a.a[1], a.a[2]); ev_submit(&e); return 0; }
EHANDLER(e_listen) { BEGIN_FIXED(E_LISTEN, 2, 12) p_u64(&e, (s32)a.a[0]); p_u32(&e, a.a[1]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_listen, E_LISTEN + 1)
EHANDLER(e_shutdown) { BEGIN_FIXED(E_SHUTDOWN, 2, 9) p_u64(&e, (s32)a.a[0]); p_u8(&e, a.a[1]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_shutdown, E_SHUTDOWN + 1)
ENTER_NO_PARAMS(e_accept, E_ACCEPT)
/* flags: 0, as the driver writes them (sys_accept4_e) */
EHANDLER(e_accept4) { BEGIN_FIXED(E_ACCEPT4, 1, 4) p_u32(&e, 0); ev_submit(&e); return 0; }
static __always_inline int accept_exit(u64 *ctx, u16 type)
{
	BEGIN(type, 5) s64 res = RET(ctx); u32 qlen = 0, qmax = 0; u8 pct = 0;
	/* the queue figures of the accepted socket (nothing after a failure), as the driver's sys_accept_x reads them */
	struct file *lf = res >= 0 ? fd_file(res) : 0;
	if (lf && (BPF_CORE_READ(lf, f_inode, i_mode) & 0170000) == 0140000) {
		struct socket *so = BPF_CORE_READ(lf, private_data);
		struct sock *sk = so ? BPF_CORE_READ(so, sk) : 0;
		if (sk) {
			qlen = BPF_CORE_READ(sk, sk_ack_backlog);
			qmax = BPF_CORE_READ(sk, sk_max_ack_backlog);
			if (qmax)
				pct = (u8)((u64)qlen * 100 / qmax);
		}
	}
	p_u64(&e, res);
	if (res >= 0)
		p_tuple(&e, res, 1, 0, 0);
	else
		p_empty(&e);
	p_u8(&e, pct); p_u32(&e, qlen); p_u32(&e, qmax);
	ev_submit(&e);
	return 0;
}
XHANDLER(x_accept) { accept_exit(ctx, E_ACCEPT + 1); return 0; }
XHANDLER(x_accept4) { accept_exit(ctx, E_ACCEPT4 + 1); return 0; }

EHANDLER(e_sendto) {
	BEGIN(E_SENDTO, 3)
	p_u64(&e, (s32)a.a[0]); p_u32(&e, a.a[2]);
	/* a tuple only when the call names an address, as the driver's sys_sendto_e */
	if (a.a[4] && a.a[5])
		p_tuple(&e, (s32)a.a[0], 0, (void *)a.a[4], a.a[5]);
	else
		p_empty(&e);
	ev_submit(&e); return 0;
}
XHANDLER(x_sendto) { return data_exit(ctx, E_SENDTO + 1); }
EHANDLER(e_recvfrom) { BEGIN_FIXED(E_RECVFROM, 2, 12) p_u64(&e, (s32)a.a[0]); p_u32(&e, a.a[2]); ev_submit(&e); return 0; }
XHANDLER(x_recvfrom) {
	BEGIN(E_RECVFROM + 1, 3) s64 res = RET(ctx);
	p_u64(&e, res); p_data(&e, (void *)a.a[1], res);
	/* a tuple only when the call asks for the address, as the driver's sys_recvfrom_x */
	if (res >= 0 && a.a[4] && a.a[5]) {
		u32 alen = 0;
		bpf_probe_read_user(&alen, 4, (void *)a.a[5]);
		p_tuple(&e, (s32)a.a[0], 1, (void *)a.a[4], alen);
	}
	else
		p_empty(&e);
	ev_submit(&e); return 0;
}
EHANDLER(e_sendmsg) {
	BEGIN(E_SENDMSG, 3) struct msghdr_u m = {};
	bpf_probe_read_user(&m, sizeof(m), (void *)a.a[1]);
	p_u64(&e, (s32)a.a[0]); p_u32(&e, iov_total(m.iov, m.iovlen));
	if (m.name && m.namelen)
		p_tuple(&e, (s32)a.a[0], 0, (void *)m.name, m.namelen);
	else
		p_empty(&e);
	ev_submit(&e); return 0;
}
XHANDLER(x_sendmsg) {
	BEGIN(E_SENDMSG + 1, 2) s64 res = RET(ctx); struct msghdr_u m = {};
	bpf_probe_read_user(&m, sizeof(m), (void *)a.a[1]);
	p_u64(&e, res); p_iovdata(&e, m.iov, m.iovlen, IOV_ALL);
	ev_submit(&e); return 0;
}
EHANDLER(e_recvmsg) { BEGIN_FIXED(E_RECVMSG, 1, 8) p_u64(&e, (s32)a.a[0]); ev_submit(&e); return 0; }
XHANDLER(x_recvmsg) {
	BEGIN(E_RECVMSG + 1, 4) s64 res = RET(ctx); struct msghdr_u m = {};
	bpf_probe_read_user(&m, sizeof(m), (void *)a.a[1]);
	p_u64(&e, res); p_u32(&e, (u32)res); p_iovdata(&e, m.iov, m.iovlen, res);
	/* a tuple only when the call names an address, as the driver's sys_recvmsg_x_2 */
	if (res >= 0 && m.name && m.namelen)
		p_tuple(&e, (s32)a.a[0], 1, (void *)m.name, m.namelen);
	else
		p_empty(&e);
	ev_submit(&e);
	/*
	 * A descriptor received with the message (SCM_RIGHTS, the first of its first control message): the
	 * parameters of an accept exit for it, its tuple read now from the receiver's fd table, in tdig's own
	 * record (E_TDIG_RECEIVED_FD). The reader writes it as a state-only accept exit, so that the
	 * receiver's later I/O on it has the connection's name (lib/commands/capture.ts).
	 */
	if (res >= 0 && m.control && m.controllen >= 20) {
		struct { u64 len; s32 level; s32 type; s32 fd; } cm = {};
		if (bpf_probe_read_user(&cm, sizeof(cm), (void *)m.control) == 0 && cm.level == 1 && cm.type == 1 &&
		    cm.len >= 20 && cm.fd >= 0) {
			struct ev f;
			if (ev_begin(&f, c, E_TDIG_RECEIVED_FD, 5) == 0) {
				p_u64(&f, cm.fd); p_tuple(&f, cm.fd, 1, 0, 0); p_u8(&f, 0); p_u32(&f, 0); p_u32(&f, 0);
				ev_submit(&f);
			}
		}
	}
	return 0;
}

/*
 * Memory, waits, sleeps, limits and ids, with the parameters and flag encodings of the reference driver
 * (falcosecurity/libs driver/bpf/fillers.h and driver/ppm_flag_helpers.h at the commit sysdig 0.29.3 pins).
 * Where that driver drops an event whose user memory it cannot read, these write it with the value it
 * would have failed to read as 0 (or an empty fd list).
 */
/* The mm's size, resident and swapped KiB, as the exits of brk, mmap and munmap carry them. */
static __always_inline void p_vm_of(struct ev *e, struct mm_struct *mm)
{
	u64 size = 0, rss = 0, swap = 0;

	if (mm) {
		size = BPF_CORE_READ(mm, total_vm) << 2;
		if (bpf_core_field_exists(mm->rss_stat)) {
			/* MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES; a negative count reads 0 */
			s64 f = BPF_CORE_READ(mm, rss_stat[0].count), an = BPF_CORE_READ(mm, rss_stat[1].count);
			s64 sw = BPF_CORE_READ(mm, rss_stat[2].count), sh = BPF_CORE_READ(mm, rss_stat[3].count);
			rss = ((f > 0 ? f : 0) + (an > 0 ? an : 0) + (sh > 0 ? sh : 0)) << 2;
			swap = (sw > 0 ? sw : 0) << 2;
		}
	}
	p_u32(e, size); p_u32(e, rss); p_u32(e, swap);
}

static __always_inline void p_vm(struct ev *e)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	p_vm_of(e, BPF_CORE_READ(t, mm));
}

/* prot_flags_to_scap: READ, WRITE, EXEC, SEM keep their bits; GROWSDOWN and GROWSUP move */
static __always_inline u32 prot_flags(u64 p)
{
	return (p & 0xf) | ((p & 0x01000000) ? 16 : 0) | ((p & 0x02000000) ? 32 : 0);
}

/* mmap_flags_to_scap, x86-64's MAP_* values */
static __always_inline u32 mmap_flags(u64 f)
{
	u32 r = f & 3;                          /* SHARED, PRIVATE */
	if (f & 0x10) r |= 4;                   /* FIXED */
	if (f & 0x20) r |= 8;                   /* ANONYMOUS */
	if (f & 0x40) r |= 16;                  /* 32BIT */
	if (f & 0x4000) r |= 64;                /* NORESERVE */
	if (f & 0x8000) r |= 128;               /* POPULATE */
	if (f & 0x10000) r |= 256;              /* NONBLOCK */
	if (f & 0x100) r |= 512;                /* GROWSDOWN */
	if (f & 0x800) r |= 1024;               /* DENYWRITE */
	if (f & 0x1000) r |= 2048;              /* EXECUTABLE */
	if (f & 0x2000) r |= 16384;             /* LOCKED */
	return r;
}

/* futex_op_to_scap: the command (0..12 as the kernel's), PRIVATE_FLAG and CLOCK_REALTIME as they are */
static __always_inline u16 futex_op(u64 op)
{
	u64 cmd = op & 127;
	return (cmd <= 12 ? cmd : 0) | (op & 128) | (op & 256);
}

/* poll_events_to_scap */
static __always_inline u16 poll_events(u16 ev)
{
	u16 r = ev & 7;                         /* IN, PRI, OUT */
	if (ev & 0x2000) r |= 8;                /* RDHUP */
	if (ev & 0x8) r |= 16;                  /* ERR */
	if (ev & 0x10) r |= 32;                 /* HUP */
	if (ev & 0x20) r |= 64;                 /* NVAL */
	if (ev & 0x40) r |= 128;                /* RDNORM */
	if (ev & 0x80) r |= 256;                /* RDBAND */
	if (ev & 0x100) r |= 512;               /* WRNORM */
	if (ev & 0x200) r |= 1024;              /* WRBAND */
	return r;
}

/* rlimit_resource_to_scap: 0..15 as the kernel's, anything else RLIMIT_UNKNOWN */
static __always_inline u8 rlimit_resource(u64 r)
{
	return r <= 15 ? r : 255;
}

/* a timespec in user memory as nanoseconds (PT_RELTIME) */
static __always_inline u64 user_timespec(u64 p)
{
	s64 ts[2] = {0, 0};
	if (p)
		bpf_probe_read_user(ts, sizeof(ts), (void *)p);
	return (u64)ts[0] * 1000000000ull + (u64)ts[1];
}

#define POLL_MAXFDS 16
struct pollfd_u { s32 fd; s16 events; s16 revents; };

/* PT_FDLIST: u16 count, then per fd an s64 and its s16 poll flags; the first POLL_MAXFDS of the array */
static __always_inline void p_pollfds(struct ev *e, u64 ufds, u64 nfds, int enter)
{
	u32 start = e->off, off = e->off + 2;
	u16 n = 0;
	int j;

	if (nfds > POLL_MAXFDS)
		nfds = POLL_MAXFDS;
	for (j = 0; j < POLL_MAXFDS; j++) {
		struct pollfd_u pf;
		if (j >= nfds)
			break;
		if (bpf_probe_read_user(&pf, sizeof(pf), (void *)(ufds + j * sizeof(pf))))
			break;
		*(s64 *)(e->buf + (off & OFF_MASK)) = pf.fd;
		*(s16 *)(e->buf + ((off + 8) & OFF_MASK)) = poll_events(enter ? pf.events : pf.revents);
		off += 10;
		n++;
	}
	*(u16 *)(e->buf + (start & OFF_MASK)) = n;
	e->off = off;
	set_len(e, off - start);
}

/* the limit in user memory at p, or -1 and -1 when there is none to read */
static __always_inline void p_rlimit(struct ev *e, u64 p, int read)
{
	s64 rl[2] = {-1, -1};
	if (!read || !p || bpf_probe_read_user(rl, sizeof(rl), (void *)p)) {
		rl[0] = -1;
		rl[1] = -1;
	}
	p_u64(e, rl[0]); p_u64(e, rl[1]);
}

EHANDLER(e_brk) { BEGIN_FIXED(E_BRK, 1, 8) p_u64(&e, a.a[0]); ev_submit(&e); return 0; }
XHANDLER(x_brk) { BEGIN_FIXED(E_BRK + 1, 4, 20) p_u64(&e, RET(ctx)); p_vm(&e); ev_submit(&e); return 0; }
EHANDLER(e_mmap) {
	BEGIN_FIXED(E_MMAP, 6, 40)
	p_u64(&e, a.a[0]); p_u64(&e, a.a[1]); p_u32(&e, prot_flags(a.a[2])); p_u32(&e, mmap_flags(a.a[3]));
	p_u64(&e, a.a[4]); p_u64(&e, a.a[5]);
	ev_submit(&e); return 0;
}
XHANDLER(x_mmap) { BEGIN_FIXED(E_MMAP + 1, 4, 20) p_u64(&e, RET(ctx)); p_vm(&e); ev_submit(&e); return 0; }
EHANDLER(e_munmap) { BEGIN_FIXED(E_MUNMAP, 2, 16) p_u64(&e, a.a[0]); p_u64(&e, a.a[1]); ev_submit(&e); return 0; }
XHANDLER(x_munmap) { BEGIN_FIXED(E_MUNMAP + 1, 4, 20) p_u64(&e, RET(ctx)); p_vm(&e); ev_submit(&e); return 0; }
EHANDLER(e_mprotect) {
	BEGIN_FIXED(E_MPROTECT, 3, 20)
	p_u64(&e, a.a[0]); p_u64(&e, a.a[1]); p_u32(&e, prot_flags(a.a[2]));
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_mprotect, E_MPROTECT + 1)
EHANDLER(e_futex) {
	BEGIN_FIXED(E_FUTEX, 3, 18)
	p_u64(&e, a.a[0]); p_u16(&e, futex_op(a.a[1])); p_u64(&e, a.a[2]);
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_futex, E_FUTEX + 1)
/* (maxevents and poll's timeout: the argument register as the driver reads it, all 64 bits) */
EHANDLER(e_epoll_wait) { BEGIN_FIXED(E_EPOLLWAIT, 1, 8) p_u64(&e, a.a[2]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_epoll_wait, E_EPOLLWAIT + 1)
EHANDLER(e_poll) { BEGIN(E_POLL, 2) p_pollfds(&e, a.a[0], a.a[1], 1); p_u64(&e, a.a[2]); ev_submit(&e); return 0; }
XHANDLER(x_poll) { BEGIN(E_POLL + 1, 2) p_u64(&e, RET(ctx)); p_pollfds(&e, a.a[0], a.a[1], 0); ev_submit(&e); return 0; }
EHANDLER(e_ppoll) {
	BEGIN(E_PPOLL, 3) u64 mask = 0;
	p_pollfds(&e, a.a[0], a.a[1], 1);
	/* no timeout: -1 */
	p_u64(&e, a.a[2] ? user_timespec(a.a[2]) : (u64)-1);
	if (a.a[3])
		bpf_probe_read_user(&mask, sizeof(mask), (void *)a.a[3]);
	p_u32(&e, mask);
	ev_submit(&e); return 0;
}
XHANDLER(x_ppoll) { BEGIN(E_PPOLL + 1, 2) p_u64(&e, RET(ctx)); p_pollfds(&e, a.a[0], a.a[1], 0); ev_submit(&e); return 0; }
ENTER_NO_PARAMS(e_select, E_SELECT)
EXIT_RES_ONLY(x_select, E_SELECT + 1)
EHANDLER(e_nanosleep) { BEGIN_FIXED(E_NANOSLEEP, 1, 8) p_u64(&e, user_timespec(a.a[0])); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_nanosleep, E_NANOSLEEP + 1)
EHANDLER(e_getrlimit) { BEGIN_FIXED(E_GETRLIMIT, 1, 1) p_u8(&e, rlimit_resource(a.a[0])); ev_submit(&e); return 0; }
XHANDLER(x_getrlimit) {
	BEGIN_FIXED(E_GETRLIMIT + 1, 3, 24) s64 res = RET(ctx);
	p_u64(&e, res); p_rlimit(&e, a.a[1], res >= 0);
	ev_submit(&e); return 0;
}
EHANDLER(e_setrlimit) { BEGIN_FIXED(E_SETRLIMIT, 1, 1) p_u8(&e, rlimit_resource(a.a[0])); ev_submit(&e); return 0; }
/* (the limit asked for, whatever the result) */
XHANDLER(x_setrlimit) { BEGIN_FIXED(E_SETRLIMIT + 1, 3, 24) p_u64(&e, RET(ctx)); p_rlimit(&e, a.a[1], 1); ev_submit(&e); return 0; }
EHANDLER(e_prlimit) {
	BEGIN_FIXED(E_PRLIMIT, 2, 9)
	p_u64(&e, (s32)a.a[0]); p_u8(&e, rlimit_resource(a.a[1]));
	ev_submit(&e); return 0;
}
XHANDLER(x_prlimit) {
	BEGIN_FIXED(E_PRLIMIT + 1, 5, 40) s64 res = RET(ctx);
	p_u64(&e, res); p_rlimit(&e, a.a[2], res >= 0); p_rlimit(&e, a.a[3], 1);
	ev_submit(&e); return 0;
}
/* the id calls: the id is the result */
#define ID_CALL(name, type) \
	ENTER_NO_PARAMS(e_##name, type) \
	XHANDLER(x_##name) { BEGIN_FIXED(type + 1, 1, 4) p_u32(&e, RET(ctx)); ev_submit(&e); return 0; }
ID_CALL(getuid, E_GETUID)
ID_CALL(geteuid, E_GETEUID)
ID_CALL(getgid, E_GETGID)
ID_CALL(getegid, E_GETEGID)
static __always_inline int getres_exit(u64 *ctx, u16 type)
{
	BEGIN_FIXED(type, 4, 20)
	u32 id[3] = {0, 0, 0};
	p_u64(&e, RET(ctx));
	for (int i = 0; i < 3; i++)
		if (a.a[i])
			bpf_probe_read_user(&id[i], sizeof(u32), (void *)a.a[i]);
	p_u32(&e, id[0]); p_u32(&e, id[1]); p_u32(&e, id[2]);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_getresuid, E_GETRESUID)
XHANDLER(x_getresuid) { return getres_exit(ctx, E_GETRESUID + 1); }
ENTER_NO_PARAMS(e_getresgid, E_GETRESGID)
XHANDLER(x_getresgid) { return getres_exit(ctx, E_GETRESGID + 1); }
/* socket calls whose events have no parameters in this table */
#define BARE_CALL(name, type) \
	ENTER_NO_PARAMS(e_##name, type) \
	XHANDLER(x_##name) { BEGIN_FIXED(type + 1, 0, 0) ev_submit(&e); return 0; }
BARE_CALL(getsockname, E_GETSOCKNAME)
BARE_CALL(getpeername, E_GETPEERNAME)
BARE_CALL(sendmmsg, E_SENDMMSG)
BARE_CALL(recvmmsg, E_RECVMMSG)

/*
 * Calls that make fds: readers add the fd (signalfd, timerfd, inotify; userfaultfd), so that later events on
 * it name it. The reference driver fills signalfd's mask and flags, timerfd_create's clock and flags and
 * inotify_init's flags with 0, not with the arguments (driver/fillers_table.c: AF_ID_USEDEFAULT), and
 * userfaultfd's flags with the raw argument: so do these.
 */
EHANDLER(e_signalfd) {
	BEGIN_FIXED(E_SIGNALFD, 3, 13)
	p_u64(&e, a.a[0]); p_u32(&e, 0); p_u8(&e, 0);
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_signalfd, E_SIGNALFD + 1)
EHANDLER(e_timerfd_create) { BEGIN_FIXED(E_TIMERFD_CREATE, 2, 2) p_u8(&e, 0); p_u8(&e, 0); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_timerfd_create, E_TIMERFD_CREATE + 1)
EHANDLER(e_inotify_init) { BEGIN_FIXED(E_INOTIFY_INIT, 1, 1) p_u8(&e, 0); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_inotify_init, E_INOTIFY_INIT + 1)
ENTER_NO_PARAMS(e_userfaultfd, E_USERFAULTFD)
XHANDLER(x_userfaultfd) { BEGIN_FIXED(E_USERFAULTFD + 1, 2, 12) p_u64(&e, RET(ctx)); p_u32(&e, a.a[0]); ev_submit(&e); return 0; }
/* copy_file_range: fdin, offin (the pointer, as the driver reads it), len; then res, fdout, offout */
EHANDLER(e_copy_file_range) {
	BEGIN_FIXED(E_COPY_FILE_RANGE, 3, 24)
	p_u64(&e, (s32)a.a[0]); p_u64(&e, a.a[1]); p_u64(&e, a.a[4]);
	ev_submit(&e); return 0;
}
XHANDLER(x_copy_file_range) {
	BEGIN_FIXED(E_COPY_FILE_RANGE + 1, 3, 24)
	p_u64(&e, RET(ctx)); p_u64(&e, (s32)a.a[2]); p_u64(&e, a.a[3]);
	ev_submit(&e); return 0;
}
/* seccomp: the table's enter event has one parameter, the operation */
EHANDLER(e_seccomp) { BEGIN_FIXED(E_SECCOMP, 1, 8) p_u64(&e, a.a[0]); ev_submit(&e); return 0; }
EXIT_RES_ONLY(x_seccomp, E_SECCOMP + 1)

/*
 * setsockopt and getsockopt exits: res, fd, level, optname, the value (PT_DYN: a selector byte, then the value
 * as its option's type) and optlen, as the reference driver writes them (fillers.h parse_sockopt): at
 * SOL_SOCKET, SO_ERROR as an errno (its unsigned negation, zero-extended, as the driver computes it),
 * SO_RCVTIMEO and SO_SNDTIMEO as nanoseconds, SO_COOKIE as a u64, the integer options as a u32; any other
 * option, and any other level, as optlen raw bytes.
 */
#define SOL_SOCKET_K 1
#define SOCKOPT_DYN_BYTES 0
#define SOCKOPT_DYN_ERRNO 1
#define SOCKOPT_DYN_U32 2
#define SOCKOPT_DYN_U64 3
#define SOCKOPT_DYN_TIMEVAL 4

/* sockopt_level_to_scap */
static __always_inline u8 sockopt_level(u64 level)
{
	return level == SOL_SOCKET_K ? 1 : level == 6 ? 2 : 0;    /* SOL_SOCKET, SOL_TCP (6) */
}

/* sockopt_optname_to_scap: SO_* 1..50 keep their values; PEERGROUPS, MEMINFO and COOKIE move */
static __always_inline u8 sockopt_name(u64 level, u64 name)
{
	if (level != SOL_SOCKET_K)
		return 0;
	if (name >= 1 && name <= 50)
		return name;
	switch (name) {
	case 59: return 51;     /* SO_PEERGROUPS */
	case 55: return 52;     /* SO_MEMINFO */
	case 57: return 53;     /* SO_COOKIE */
	}
	return 0;
}

/* the value's selector: which options parse_sockopt reads as what */
static __always_inline int sockopt_kind(u64 level, u64 name)
{
	if (level != SOL_SOCKET_K)
		return SOCKOPT_DYN_BYTES;
	switch (name) {
	case 4: return SOCKOPT_DYN_ERRNO;                 /* SO_ERROR */
	case 20: case 21: return SOCKOPT_DYN_TIMEVAL;     /* SO_RCVTIMEO, SO_SNDTIMEO */
	case 57: return SOCKOPT_DYN_U64;                  /* SO_COOKIE */
	case 13: case 17: case 26: case 28: return SOCKOPT_DYN_BYTES;  /* LINGER, PEERCRED, ATTACH_FILTER, PEERNAME */
	}
	return name >= 1 && name <= 49 ? SOCKOPT_DYN_U32 : SOCKOPT_DYN_BYTES;
}

/* a PT_DYN parameter: the selector byte, then a value of `size` bytes (8, 4 or 1: little-endian, cut) */
static __always_inline void p_dyn(struct ev *e, u8 sel, u64 v, u32 size)
{
	u32 o = e->off;
	e->buf[o & OFF_MASK] = sel;
	if (size == 8)
		*(u64 *)(e->buf + ((o + 1) & OFF_MASK)) = v;
	else if (size == 4)
		*(u32 *)(e->buf + ((o + 1) & OFF_MASK)) = v;
	else
		e->buf[(o + 1) & OFF_MASK] = v;
	e->off = o + 1 + size;
	set_len(e, 1 + size);
}

static __always_inline void p_sockopt_val(struct ev *e, u64 level, u64 name, u64 uval, u32 optlen)
{
	int kind = sockopt_kind(level, name);
	u32 o = e->off;
	u64 v = 0;
	s64 tv[2] = {0, 0};
	u32 v32 = 0;
	u64 n;

	switch (kind) {
	case SOCKOPT_DYN_ERRNO:
		bpf_probe_read_user(&v32, sizeof(v32), (void *)uval);
		p_dyn(e, kind, (u32)(0u - v32), 8);
		return;
	case SOCKOPT_DYN_TIMEVAL:
		bpf_probe_read_user(tv, sizeof(tv), (void *)uval);
		p_dyn(e, kind, (u64)tv[0] * 1000000000ull + (u64)tv[1] * 1000ull, 8);
		return;
	case SOCKOPT_DYN_U64:
		bpf_probe_read_user(&v, sizeof(v), (void *)uval);
		p_dyn(e, kind, v, 8);
		return;
	case SOCKOPT_DYN_U32:
		bpf_probe_read_user(&v32, sizeof(v32), (void *)uval);
		p_dyn(e, kind, v32, 4);
		return;
	}
	/* raw bytes: optlen of them (an int: a negative one reads as the largest), at most 65000 */
	e->buf[o & OFF_MASK] = kind;
	o++;
	n = (u64)(s64)(s32)optlen;
	if (n > 65000)
		n = 65000;
	if (!uval || bpf_probe_read_user(e->buf + (o & OFF_MASK), n & LEN_MASK, (void *)uval))
		n = 0;
	e->off = o + (n & LEN_MASK);
	set_len(e, 1 + (n & LEN_MASK));
}

ENTER_NO_PARAMS(e_setsockopt, E_SETSOCKOPT)
XHANDLER(x_setsockopt) {
	BEGIN(E_SETSOCKOPT + 1, 6)
	p_u64(&e, RET(ctx)); p_u64(&e, a.a[0]); p_u8(&e, sockopt_level(a.a[1])); p_u8(&e, sockopt_name(a.a[1], a.a[2]));
	p_sockopt_val(&e, a.a[1], a.a[2], a.a[3], a.a[4]);
	p_u32(&e, a.a[4]);
	ev_submit(&e); return 0;
}
ENTER_NO_PARAMS(e_getsockopt, E_GETSOCKOPT)
XHANDLER(x_getsockopt) {
	BEGIN(E_GETSOCKOPT + 1, 6) u32 optlen = 0;
	if (a.a[4])
		bpf_probe_read_user(&optlen, sizeof(optlen), (void *)a.a[4]);
	p_u64(&e, RET(ctx)); p_u64(&e, a.a[0]); p_u8(&e, sockopt_level(a.a[1])); p_u8(&e, sockopt_name(a.a[1], a.a[2]));
	p_sockopt_val(&e, a.a[1], a.a[2], a.a[3], optlen);
	p_u32(&e, optlen);
	ev_submit(&e); return 0;
}

/* ptrace_requests_to_scap: x86-64's PTRACE_* requests to sysdig's values (0: unknown) */
static __always_inline u16 ptrace_request(u64 r)
{
	switch (r) {
	case 0: return 1;      /* TRACEME */
	case 1: return 2;      /* PEEKTEXT */
	case 2: return 3;      /* PEEKDATA */
	case 3: return 4;      /* PEEKUSR */
	case 4: return 5;      /* POKETEXT */
	case 5: return 6;      /* POKEDATA */
	case 6: return 7;      /* POKEUSR */
	case 7: return 8;      /* CONT */
	case 8: return 9;      /* KILL */
	case 9: return 10;     /* SINGLESTEP */
	case 16: return 11;    /* ATTACH */
	case 17: return 12;    /* DETACH */
	case 24: return 13;    /* SYSCALL */
	case 0x4200: return 14; /* SETOPTIONS */
	case 0x4201: return 15; /* GETEVENTMSG */
	case 0x4202: return 16; /* GETSIGINFO */
	case 0x4203: return 17; /* SETSIGINFO */
	case 0x4204: return 18; /* GETREGSET */
	case 0x4205: return 19; /* SETREGSET */
	case 0x4206: return 20; /* SEIZE */
	case 0x4207: return 21; /* INTERRUPT */
	case 0x4208: return 22; /* LISTEN */
	case 0x4209: return 23; /* PEEKSIGINFO */
	case 0x420a: return 24; /* GETSIGMASK */
	case 0x420b: return 25; /* SETSIGMASK */
	case 12: return 26;    /* GETREGS */
	case 13: return 27;    /* SETREGS */
	case 14: return 28;    /* GETFPREGS */
	case 15: return 29;    /* SETFPREGS */
	case 18: return 30;    /* GETFPXREGS */
	case 19: return 31;    /* SETFPXREGS */
	case 21: return 32;    /* OLDSETOPTIONS */
	case 25: return 33;    /* GET_THREAD_AREA */
	case 26: return 34;    /* SET_THREAD_AREA */
	case 30: return 35;    /* ARCH_PRCTL */
	case 31: return 36;    /* SYSEMU */
	case 32: return 37;    /* SYSEMU_SINGLESTEP */
	case 33: return 38;    /* SINGLEBLOCK */
	}
	return 0;
}

EHANDLER(e_ptrace) {
	BEGIN_FIXED(E_PTRACE, 2, 10)
	p_u16(&e, ptrace_request(a.a[0])); p_u64(&e, a.a[1]);
	ev_submit(&e); return 0;
}
/*
 * The exit: res, then addr and data as the request types them (fillers.h sys_ptrace_x): a peek's data is the
 * word it read (the driver reads it from the data argument, which the kernel's peek fills), CONT, SINGLESTEP,
 * DETACH and SYSCALL's a signal; both 0 after a failure.
 */
XHANDLER(x_ptrace) {
	BEGIN_FIXED(E_PTRACE + 1, 3, 26) s64 res = RET(ctx); u16 req = ptrace_request(a.a[0]); u64 word = 0;
	p_u64(&e, res);
	if (res < 0) {
		p_dyn(&e, 0, 0, 8); p_dyn(&e, 0, 0, 8);
	} else {
		/* selector 0: a u64; 1: a signal (u8) */
		p_dyn(&e, 0, a.a[2], 8);
		if (req == 8 || req == 10 || req == 12 || req == 13) {
			p_dyn(&e, 1, a.a[3], 1);
		} else if (req >= 2 && req <= 4) {
			bpf_probe_read_user(&word, sizeof(word), (void *)a.a[3]);
			p_dyn(&e, 0, word, 8);
		} else {
			p_dyn(&e, 0, a.a[3], 8);
		}
	}
	ev_submit(&e); return 0;
}

/* System V semaphores (semop: its first two operations) */
static __always_inline u16 semop_flags(u64 f)
{
	return ((f & 04000) ? 1 : 0) | ((f & 0x1000) ? 2 : 0);    /* IPC_NOWAIT, SEM_UNDO */
}
static __always_inline u32 semctl_cmd(u64 c)
{
	switch (c) {
	case 2: return 1;       /* IPC_STAT */
	case 1: return 2;       /* IPC_SET */
	case 0: return 4;       /* IPC_RMID */
	case 3: return 8;       /* IPC_INFO */
	case 19: return 16;     /* SEM_INFO */
	case 18: return 32;     /* SEM_STAT */
	case 13: return 64;     /* GETALL */
	case 14: return 128;    /* GETNCNT */
	case 11: return 256;    /* GETPID */
	case 12: return 512;    /* GETVAL */
	case 15: return 1024;   /* GETZCNT */
	case 17: return 2048;   /* SETALL */
	case 16: return 4096;   /* SETVAL */
	}
	return 0;
}
EHANDLER(e_semop) { BEGIN_FIXED(E_SEMOP, 1, 4) p_u32(&e, a.a[0]); ev_submit(&e); return 0; }
XHANDLER(x_semop) {
	BEGIN_FIXED(E_SEMOP + 1, 8, 24) u64 n = a.a[2];
	p_u64(&e, RET(ctx)); p_u32(&e, n);
	if (n && a.a[1]) {
		for (int j = 0; j < 2; j++) {
			u16 op[3] = {0, 0, 0};    /* sem_num, sem_op, sem_flg */
			if (j < n)
				bpf_probe_read_user(op, sizeof(op), (void *)(a.a[1] + j * 6));
			p_u16(&e, op[0]); p_u16(&e, op[1]); p_u16(&e, semop_flags(op[2]));
		}
	} else {
		/* (the driver writes res and nsops only: the sembuf parameters are empty) */
		for (int j = 0; j < 6; j++)
			p_empty(&e);
	}
	ev_submit(&e); return 0;
}
EHANDLER(e_semget) {
	BEGIN_FIXED(E_SEMGET, 3, 12)
	p_u32(&e, a.a[0]); p_u32(&e, a.a[1]); p_u32(&e, ((a.a[2] & 01000) ? 8192 : 0) | ((a.a[2] & 02000) ? 16384 : 0));
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_semget, E_SEMGET + 1)
EHANDLER(e_semctl) {
	BEGIN_FIXED(E_SEMCTL, 4, 14)
	p_u32(&e, a.a[0]); p_u32(&e, a.a[1]); p_u16(&e, semctl_cmd(a.a[2])); p_u32(&e, a.a[2] == 16 ? a.a[3] : 0);
	ev_submit(&e); return 0;
}
EXIT_RES_ONLY(x_semctl, E_SEMCTL + 1)

/* bpf: the command; on the exit the fd that BPF_MAP_CREATE and BPF_PROG_LOAD make (PT_DYN 0), else the result (1) */
EHANDLER(e_bpf) { BEGIN_FIXED(E_BPF, 1, 8) p_u64(&e, a.a[0]); ev_submit(&e); return 0; }
XHANDLER(x_bpf) {
	BEGIN_FIXED(E_BPF + 1, 1, 9) s64 res = RET(ctx);
	p_dyn(&e, res >= 0 && (a.a[0] == 0 || a.a[0] == 5) ? 0 : 1, res, 8);
	ev_submit(&e); return 0;
}

/*
 * quotactl (libs fillers.h sys_quotactl_e/_x; ppm_flag_helpers.h quotactl_*_to_scap): the command and
 * type split from QCMD's word and translated to sysdig's bits, the id only where it names a user or
 * group, the format only for Q_QUOTAON; the exit reads back the quota block or info the call took or
 * filled, its fields only where its valid mask sets them.
 */
static __always_inline u16 quotactl_cmd(u64 word)
{
	switch (word >> 8) {
	case 0x800001: return 1 << 7;   /* Q_SYNC */
	case 0x800002: return 1 << 0;   /* Q_QUOTAON */
	case 0x800003: return 1 << 1;   /* Q_QUOTAOFF */
	case 0x800004: return 1 << 2;   /* Q_GETFMT */
	case 0x800005: return 1 << 3;   /* Q_GETINFO */
	case 0x800006: return 1 << 4;   /* Q_SETINFO */
	case 0x800007: return 1 << 5;   /* Q_GETQUOTA */
	case 0x800008: return 1 << 6;   /* Q_SETQUOTA */
	case 0x5801: return 1 << 8;     /* Q_XQUOTAON */
	case 0x5802: return 1 << 9;     /* Q_XQUOTAOFF */
	case 0x5803: return 1 << 10;    /* Q_XGETQUOTA */
	case 0x5804: return 1 << 11;    /* Q_XSETQLIM */
	case 0x5805: return 1 << 12;    /* Q_XGETQSTAT */
	case 0x5806: return 1 << 13;    /* Q_XQUOTARM */
	case 0x5807: return 1 << 14;    /* Q_XQUOTASYNC */
	}
	return 0;
}
static __always_inline u8 quotactl_fmt(u64 fmt)
{
	/* QFMT_VFS_OLD, QFMT_VFS_V0, QFMT_VFS_V1; anything else PPM_QFMT_NOT_USED */
	return fmt == 1 ? 1 << 1 : fmt == 2 ? 1 << 2 : fmt == 4 ? 1 << 3 : 1 << 0;
}
#define PQ_QUOTAON (1 << 0)
#define PQ_GETFMT (1 << 2)
#define PQ_GETINFO (1 << 3)
#define PQ_SETINFO (1 << 4)
#define PQ_GETQUOTA (1 << 5)
#define PQ_SETQUOTA (1 << 6)
#define PQ_XGETQUOTA (1 << 10)
#define PQ_XSETQLIM (1 << 11)
EHANDLER(e_quotactl) {
	BEGIN_FIXED(E_QUOTACTL, 4, 8) u16 cmd = quotactl_cmd(a.a[0]); u8 type = a.a[0] & 0xff;
	p_u16(&e, cmd);
	p_u8(&e, type == 0 ? 1 : type == 1 ? 2 : 0);    /* USRQUOTA, GRPQUOTA */
	p_u32(&e, (cmd == PQ_GETQUOTA || cmd == PQ_SETQUOTA || cmd == PQ_XGETQUOTA || cmd == PQ_XSETQLIM) ? a.a[2] : 0);
	p_u8(&e, cmd == PQ_QUOTAON ? quotactl_fmt(a.a[2]) : 1 << 0);
	ev_submit(&e); return 0;
}
struct if_dqblk_u { u64 bhard, bsoft, curspace, ihard, isoft, curinodes, btime, itime; u32 valid; };
struct if_dqinfo_u { u64 bgrace, igrace; u32 flags, valid; };
XHANDLER(x_quotactl) {
	BEGIN(E_QUOTACTL + 1, 14) u16 cmd = quotactl_cmd(a.a[0]);
	struct if_dqblk_u b = {};
	struct if_dqinfo_u i = {};
	u32 fmt = 0;
	p_u64(&e, RET(ctx));
	p_ustr(&e, (void *)a.a[1]);
	if (cmd == PQ_QUOTAON)
		p_ustr(&e, (void *)a.a[3]);
	else
		p_u8_str_empty(&e);
	if (cmd == PQ_GETQUOTA || cmd == PQ_SETQUOTA)
		bpf_probe_read_user(&b, sizeof(b), (void *)a.a[3]);
	p_u64(&e, (b.valid & 1) ? b.bhard : 0);         /* QIF_BLIMITS */
	p_u64(&e, (b.valid & 1) ? b.bsoft : 0);
	p_u64(&e, (b.valid & 2) ? b.curspace : 0);      /* QIF_SPACE */
	p_u64(&e, (b.valid & 4) ? b.ihard : 0);         /* QIF_ILIMITS */
	p_u64(&e, (b.valid & 4) ? b.isoft : 0);
	p_u64(&e, (b.valid & 16) ? b.btime : 0);        /* QIF_BTIME */
	p_u64(&e, (b.valid & 32) ? b.itime : 0);        /* QIF_ITIME */
	if (cmd == PQ_GETINFO || cmd == PQ_SETINFO)
		bpf_probe_read_user(&i, sizeof(i), (void *)a.a[3]);
	p_u64(&e, (i.valid & 1) ? i.bgrace : 0);        /* IIF_BGRACE */
	p_u64(&e, (i.valid & 2) ? i.igrace : 0);        /* IIF_IGRACE */
	p_u8(&e, (i.valid & 4) ? i.flags : 0);          /* IIF_FLAGS: the kernel's bits, not translated */
	if (cmd == PQ_GETFMT)
		bpf_probe_read_user(&fmt, sizeof(fmt), (void *)a.a[3]);
	p_u8(&e, cmd == PQ_GETFMT ? quotactl_fmt(fmt) : 1 << 0);
	ev_submit(&e); return 0;
}

/* ---- processes ---- */
#define CG_DEPTH 6      /* path components kept per cgroup, the leaf's side: the driver's MAX_CGROUP_PATHS (6) */
#define CG_NAME 256     /* a kernfs name is at most 255 bytes */

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___new, __parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* "subsys=/path/of/the/cgroup\0" for one subsystem, as the driver's bpf_append_cgroup writes it (the root's
 * name is empty: the path is "/" alone, or "/" before each name below the root); at e->off + n */
static __always_inline u32 cg_one(struct ev *e, u32 n, struct css_set *cs, u32 id)
{
	struct cgroup_subsys_state *css = 0;
	const char *names[CG_DEPTH];
	struct kernfs_node *kn, *up;
	long r;

	bpf_core_read(&css, sizeof(css), &cs->subsys[id & 15]);
	if (!css)
		return n;
	kn = BPF_CORE_READ(css, cgroup, kn);
	for (int k = 0; k < CG_DEPTH; k++) {
		up = kn ? kn_parent(kn) : 0;
		names[k] = up ? BPF_CORE_READ(kn, name) : 0;
		kn = up;
	}
	r = bpf_probe_read_kernel_str(e->buf + ((e->off + n) & OFF_MASK), CG_NAME, BPF_CORE_READ(css, ss, name));
	if (r <= 0)
		return n;
	n = (n + r - 1) & 0x3FFF;
	e->buf[(e->off + n) & OFF_MASK] = '=';
	n++;
	if (!names[0]) {
		e->buf[(e->off + n) & OFF_MASK] = '/';
		n++;
	}
	for (int k = CG_DEPTH - 1; k >= 0; k--) {
		if (!names[k])
			continue;
		e->buf[(e->off + n) & OFF_MASK] = '/';
		n = (n + 1) & 0x3FFF;
		r = bpf_probe_read_kernel_str(e->buf + ((e->off + n) & OFF_MASK), CG_NAME, names[k]);
		if (r > 1)
			n = (n + r - 1) & 0x3FFF;
	}
	e->buf[(e->off + n) & OFF_MASK] = 0;
	return (n + 1) & 0x3FFF;
}

/* the cgroups param: cpuset, cpu, cpuacct, io and memory, those the kernel has (the driver's bpf_append_cgroup) */
static __always_inline void p_cgroups(struct ev *e, struct task_struct *t)
{
	struct css_set *cs = BPF_CORE_READ(t, cgroups);
	u32 n = 0;

	if (cs) {
		if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuset_cgrp_id))
			n = cg_one(e, n, cs, bpf_core_enum_value(enum cgroup_subsys_id, cpuset_cgrp_id));
		if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
			n = cg_one(e, n, cs, bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id));
		if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuacct_cgrp_id))
			n = cg_one(e, n, cs, bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id));
		if (bpf_core_enum_value_exists(enum cgroup_subsys_id, io_cgrp_id))
			n = cg_one(e, n, cs, bpf_core_enum_value(enum cgroup_subsys_id, io_cgrp_id));
		if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
			n = cg_one(e, n, cs, bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id));
	}
	e->off += n;
	set_len(e, n);
}

/* ---- a task's pid numbers in its own pid namespace, its terminal, its executable's write access,
 * as the driver of the event table's time computes them (libs driver/bpf/fillers.h, 2022: bpf_task_pid_nr_ns,
 * bpf_ppm_get_tty, get_exe_writable) ---- */

/* numbers[level] of a struct pid */
static __always_inline struct upid *upid_at(struct pid *p, unsigned int level)
{
	return (struct upid *)((char *)p + bpf_core_field_offset(struct pid, numbers) +
			       (level & 31) * bpf_core_type_size(struct upid));
}

/* the number of `p` as the namespace `ns` sees it: 0 when it does not see it */
static __always_inline int pid_nr_ns(struct pid *p, struct pid_namespace *ns)
{
	unsigned int nsl;
	struct upid *u;

	if (!p || !ns)
		return 0;
	nsl = BPF_CORE_READ(ns, level);
	if (nsl > BPF_CORE_READ(p, level))
		return 0;
	u = upid_at(p, nsl);
	if (BPF_CORE_READ(u, ns) != ns)
		return 0;
	return BPF_CORE_READ(u, nr);
}

/* the task's active pid namespace: that of its pid at its deepest level */
static __always_inline struct pid_namespace *task_pid_ns(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, thread_pid);
	struct upid *u;

	if (!p)
		return NULL;
	u = upid_at(p, BPF_CORE_READ(p, level));
	return BPF_CORE_READ(u, ns);
}

/* task_pid_vnr, task_tgid_vnr and task_pgrp_vnr */
static __always_inline int task_vtid(struct task_struct *t)
{
	return pid_nr_ns(BPF_CORE_READ(t, thread_pid), task_pid_ns(t));
}

static __always_inline int task_vpid(struct task_struct *t)
{
	return pid_nr_ns(BPF_CORE_READ(t, signal, pids[1]), task_pid_ns(t));
}

static __always_inline int task_vpgid(struct task_struct *t)
{
	return pid_nr_ns(BPF_CORE_READ(t, signal, pids[2]), task_pid_ns(t));
}

/* the controlling terminal's device number, encoded as user space sees dev_t (new_encode_dev); 0 for none */
static __always_inline u32 task_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	struct tty_driver *d;
	u32 dev, ma, mi;

	if (!tty)
		return 0;
	d = BPF_CORE_READ(tty, driver);
	if (!d)
		return 0;
	dev = (((u32)BPF_CORE_READ(d, major) << 20) | (u32)BPF_CORE_READ(d, minor_start)) + (u32)BPF_CORE_READ(tty, index);
	ma = dev >> 20;
	mi = dev & 0xfffff;
	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}

/* whether a user namespace's map has `id` (the driver's bpf_map_id_up over the extents kept in place) */
static __always_inline int id_mapped(struct uid_gid_map *m, u32 id)
{
	u32 n = BPF_CORE_READ(m, nr_extents), first, count;

	for (int i = 0; i < 5; i++) {
		if (i >= n)
			break;
		first = BPF_CORE_READ(m, extent[i].lower_first);
		count = BPF_CORE_READ(m, extent[i].count);
		if (id >= first && id <= first + count - 1)
			return 1;
	}
	return 0;
}

/* whether `gid` is among the supplementary groups (sorted): a binary search 16 steps deep, as the driver's */
static __always_inline int in_groups(struct group_info *g, u32 gid)
{
	u32 left = 0, right, mid, v;

	if (!g)
		return 0;
	right = BPF_CORE_READ(g, ngroups);
	for (int j = 0; j < 16; j++) {
		if (left >= right)
			break;
		mid = (left + right) / 2;
		v = 0;
		bpf_probe_read_kernel(&v, 4, (char *)g + bpf_core_field_offset(struct group_info, gid) + (mid & 0xffff) * 4);
		if (gid > v)
			left = mid + 1;
		else if (gid < v)
			right = mid;
		else
			return 1;
	}
	return 0;
}

/* PPM_EXE_WRITABLE: whether the task's fs user may write its executable (inode_permission's basic checks:
 * read-only fs, immutable inode, owner, mode bits with the group and supplementary groups, then
 * CAP_DAC_OVERRIDE with the owner and group mapped in the task's user namespace, or CAP_FOWNER) */
static __always_inline int exe_writable(struct task_struct *t)
{
	struct file *f = BPF_CORE_READ(t, mm, exe_file);
	const struct cred *c;
	struct inode *ino;
	struct user_namespace *ns;
	u32 mode, iuid, igid, fsuid, fsgid, caps = 0, fmt;
	int um, gm;

	if (!f)
		return 0;
	ino = BPF_CORE_READ(f, f_inode);
	if (!ino)
		return 0;
	mode = BPF_CORE_READ(ino, i_mode);
	fmt = mode & 0170000;
	if ((BPF_CORE_READ(ino, i_sb, s_flags) & 1) && (fmt == 0100000 || fmt == 0040000 || fmt == 0120000))
		return 0;                                  /* SB_RDONLY, for files, directories and links */
	if (BPF_CORE_READ(ino, i_flags) & 8)
		return 0;                                  /* S_IMMUTABLE */
	iuid = BPF_CORE_READ(ino, i_uid.val);
	igid = BPF_CORE_READ(ino, i_gid.val);
	if (iuid == (u32)-1 || igid == (u32)-1)
		return 0;
	c = BPF_CORE_READ(t, cred);
	fsuid = BPF_CORE_READ(c, fsuid.val);
	fsgid = BPF_CORE_READ(c, fsgid.val);
	if (fsuid == iuid)
		return 1;
	if (igid == fsgid || in_groups(BPF_CORE_READ(c, group_info), igid))
		mode >>= 3;
	if (mode & 2)
		return 1;                                  /* MAY_WRITE */
	bpf_probe_read_kernel(&caps, 4, (char *)c + bpf_core_field_offset(struct cred, cap_effective));
	ns = BPF_CORE_READ(c, user_ns);
	if (!ns)
		return 0;
	um = id_mapped((struct uid_gid_map *)((char *)ns + bpf_core_field_offset(struct user_namespace, uid_map)), iuid);
	gm = id_mapped((struct uid_gid_map *)((char *)ns + bpf_core_field_offset(struct user_namespace, gid_map)), igid);
	if ((caps & (1 << 1)) && um && gm)
		return 1;                                  /* CAP_DAC_OVERRIDE */
	return (caps & (1 << 3)) && um;                /* CAP_FOWNER */
}

/*
 * A failed execve's lists: the strings of its argv or envp (up to 16, 4096 bytes together, a list cut there
 * ending in a NUL), as the driver's bpf_accumulate_argv_or_env takes them (the caller's memory still holds
 * the old program's own). Written at e->off; returns their length, and the first string's in *first.
 */
struct strv_walk {
	u8 *buf;
	u64 vec;
	u32 off;
	u32 len;
	u32 first;
	u32 bad;
};

static long strv_cb(u64 i, void *ctx)
{
	struct strv_walk *w = ctx;
	u64 p = 0;
	long n;

	if (bpf_probe_read_user(&p, 8, (void *)(w->vec + i * 8)) || !p)
		return 1;
	n = bpf_probe_read_user_str(w->buf + ((w->off + w->len) & OFF_MASK), MAX_STR, (void *)p);
	if (n < 0) {
		w->bad = 1;
		return 1;
	}
	if (i == 0)
		w->first = n;
	w->len += n;
	if (w->len > MAX_STR) {
		w->len = MAX_STR;
		w->buf[(w->off + MAX_STR - 1) & OFF_MASK] = 0;
		return 1;
	}
	return 0;
}

static __always_inline u32 strv_read(struct ev *e, u64 vec, u32 *first)
{
	struct strv_walk w = { .buf = e->buf, .vec = vec, .off = e->off };

	if (vec)
		bpf_loop(16, strv_cb, &w, 0);
	if (w.bad)
		w.len = 0;
	*first = w.first < w.len ? w.first : w.len;
	return w.len & (MAX_STR * 2 - 1);
}

/* The fields that clone and execve exits share: params 1..15 (exe .. cgroups) after res. `argv`: a failed
 * execve's, whose exe and args the driver takes from it; 0 for the task's own. */
static __always_inline void p_proc_common(struct ev *e, struct task_struct *t, u64 argv)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	u64 as = 0, ae = 0, n = 0;
	long m = 0;

	if (argv) {
		u32 first = 0, len = strv_read(e, argv, &first);
		if (len == 0) {
			e->buf[e->off & OFF_MASK] = 0;      /* exe: an empty string */
			e->off += 1;
			set_len(e, 1);
			set_len(e, 0);
		} else {
			first &= MAX_STR * 2 - 1;
			e->off += first;
			set_len(e, first);
			e->off += (len - first) & (MAX_STR * 2 - 1);
			set_len(e, (len - first) & (MAX_STR * 2 - 1));
		}
		goto rest;
	}
	if (mm) {
		as = BPF_CORE_READ(mm, arg_start);
		ae = BPF_CORE_READ(mm, arg_end);
	}
	/* exe = argv[0] */
	if (as && ae > as) {
		m = bpf_probe_read_user_str(e->buf + (e->off & OFF_MASK), MAX_STR, (void *)as);
		if (m < 0)
			m = 0;
	}
	e->off += m & (MAX_STR * 2 - 1);
	set_len(e, m & (MAX_STR * 2 - 1));
	/* args = the rest of the argument area: argv[0] and the rest together at most MAX_STR bytes
	 * (MAX_PROC_ARG_ENV in the drivers), the last one a NUL */
	n = 0;
	if (as && ae > as + m)
		n = ae - as - m;
	p_ustrlist(e, (void *)(as + m), n, MAX_STR - m);
rest:
	p_u64(e, BPF_CORE_READ(t, pid));
	p_u64(e, BPF_CORE_READ(t, tgid));
	p_u64(e, BPF_CORE_READ(t, real_parent, pid));
	p_u8_str_empty(e);                             /* cwd: empty, the reader inherits it */
	p_u64(e, BPF_CORE_READ(t, signal, rlim[7].rlim_cur));  /* RLIMIT_NOFILE */
	p_u64(e, BPF_CORE_READ(t, maj_flt));
	p_u64(e, BPF_CORE_READ(t, min_flt));
	p_vm_of(e, mm);                                /* vm_size, vm_rss, vm_swap */
	p_kstr(e, t->comm, 16);
	p_cgroups(e, t);
}

static __always_inline int clone_exit(u64 *ctx, u16 type, int is_clone3)
{
	BEGIN(type, 20) s64 res = RET(ctx);
	struct task_struct *t = (void *)bpf_get_current_task();
	u64 fl = a.a[0];
	if (is_clone3) {
		fl = 0;
		bpf_probe_read_user(&fl, 8, (void *)a.a[0]);
	} else if (type != E_CLONE + 1) {
		fl = 0;
	}
	u32 cf = clone_flags(fl);
	struct pid_namespace *ns = task_pid_ns(t);
	struct nsproxy *nsp = BPF_CORE_READ(t, nsproxy);
	/* PPM_CL_CHILD_IN_PIDNS: the caller is in a nested pid namespace, or its children will be (unshare) */
	if (ns && (BPF_CORE_READ(ns, level) != 0 || (nsp && BPF_CORE_READ(nsp, pid_ns_for_children) != ns)))
		cf |= 1u << 29;
	p_u64(&e, res);
	p_proc_common(&e, t, 0);
	p_u32(&e, cf);
	p_u32(&e, BPF_CORE_READ(t, cred, euid.val));
	p_u32(&e, BPF_CORE_READ(t, cred, egid.val));
	p_u64(&e, task_vtid(t));            /* vtid and vpid: as the task's own pid namespace sees them */
	p_u64(&e, task_vpid(t));
	ev_submit(&e);
	return 0;
}
ENTER_NO_PARAMS(e_clone, E_CLONE)
XHANDLER(x_clone) { clone_exit(ctx, E_CLONE + 1, 0); return 0; }
ENTER_NO_PARAMS(e_fork, E_FORK)
XHANDLER(x_fork) { clone_exit(ctx, E_FORK + 1, 0); return 0; }
ENTER_NO_PARAMS(e_vfork, E_VFORK)
XHANDLER(x_vfork) { clone_exit(ctx, E_VFORK + 1, 0); return 0; }
ENTER_NO_PARAMS(e_clone3, E_CLONE3)
XHANDLER(x_clone3) { clone_exit(ctx, E_CLONE3 + 1, 1); return 0; }

static __always_inline int execve_exit(u64 *ctx, u16 type)
{
	BEGIN(type, 20) s64 res = RET(ctx);
	struct task_struct *t = (void *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	u64 es = 0, ee = 0, n = 0;
	int at = type == E_EXECVEAT + 1;
	p_u64(&e, res);
	p_proc_common(&e, t, res < 0 ? a.a[at ? 2 : 1] : 0);
	if (res < 0) {
		/* a failed execve's env: its envp's strings, as the driver takes them */
		u32 first = 0, len = strv_read(&e, a.a[at ? 3 : 2], &first);
		e.off += len;
		set_len(&e, len);
	} else {
		if (mm) {
			es = BPF_CORE_READ(mm, env_start);
			ee = BPF_CORE_READ(mm, env_end);
			if (ee > es)
				n = ee - es;
		}
		p_ustrlist(&e, (void *)es, n, MAX_STR);  /* env */
	}
	p_u32(&e, task_tty(t));
	p_u64(&e, task_vpgid(t));                       /* pgid, in the task's pid namespace */
	p_u32(&e, BPF_CORE_READ(t, loginuid.val));
	p_u32(&e, exe_writable(t) ? 1 : 0);             /* flags: PPM_EXE_WRITABLE */
	ev_submit(&e);
	return 0;
}
EHANDLER(e_execve) { BEGIN(E_EXECVE, 1) p_ustr(&e, (void *)a.a[0]); ev_submit(&e); return 0; }
XHANDLER(x_execve) { execve_exit(ctx, E_EXECVE + 1); return 0; }
EHANDLER(e_execveat) {
	BEGIN(E_EXECVEAT, 3) p_u64(&e, (s32)a.a[0]); p_ustr(&e, (void *)a.a[1]);
	p_u32(&e, ((a.a[4] & 0x1000) ? 1 : 0) | ((a.a[4] & 0x100) ? 2 : 0));  /* AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW */
	ev_submit(&e); return 0;
}
XHANDLER(x_execveat) { execve_exit(ctx, E_EXECVEAT + 1); return 0; }

/* ---- scheduler tracepoints ---- */
SEC("raw_tp/sched_process_exit")
int tdig_proc_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct config *c = interesting();
	struct task_struct *t = (void *)ctx->args[0];
	struct ev e;
	s32 code;

	/* a kernel thread's exit is not an event (libs driver/bpf/probe.c sched_process_exit: PF_KTHREAD) */
	if (!c || (BPF_CORE_READ(t, flags) & 0x00200000))
		return 0;
	code = BPF_CORE_READ(t, exit_code);
	if (ev_reserve(&e, c, E_PROCEXIT, 4, FIXED_SIZE(4, 18)))
		return 0;
	p_u64(&e, code);
	p_u64(&e, (code >> 8) & 0xff);
	p_u8(&e, code & 0x7f);
	p_u8(&e, (code & 0x80) ? 1 : 0);
	ev_submit(&e);
	/* the group leaves the tree when its last thread exits (do_exit counts signal->live down before this
	 * tracepoint), not its leader: a leader that calls pthread_exit leaves its threads running */
	if (c->tree_filter && BPF_CORE_READ(t, signal, live.counter) == 0) {
		u32 tgid = BPF_CORE_READ(t, tgid);
		bpf_map_delete_elem(&tracked, &tgid);
	}
	return 0;
}

SEC("raw_tp/sched_process_fork")
int tdig_proc_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct config *c = get_cfg();
	struct task_struct *parent = (void *)ctx->args[0];
	struct task_struct *child = (void *)ctx->args[1];
	u32 ptgid, ctgid;
	u8 one = 1;

	if (!c || !c->tree_filter)
		return 0;
	ptgid = BPF_CORE_READ(parent, tgid);
	if (!bpf_map_lookup_elem(&tracked, &ptgid))
		return 0;
	ctgid = BPF_CORE_READ(child, tgid);
	bpf_map_update_elem(&tracked, &ctgid, &one, BPF_ANY);
	return 0;
}

/*
 * switch (libs fillers.h sched_switch_e): the thread giving up its CPU is the event's, next the thread
 * that gets it (0: the idle task), then the leaving thread's fault counts and memory sizes. The idle task
 * and kernel threads switch too: their events have no process in the table, as in sysdig's captures.
 */
SEC("raw_tp/sched_switch")
int tdig_sched_switch(struct bpf_raw_tracepoint_args *ctx)
{
	struct config *c = interesting();
	struct task_struct *next = (void *)ctx->args[2];
	struct task_struct *t;
	struct ev e;

	if (!c)
		return 0;
	if (ev_reserve(&e, c, E_SWITCH, 6, FIXED_SIZE(6, 36)))
		return 0;
	t = (void *)bpf_get_current_task();
	p_u64(&e, (s64)BPF_CORE_READ(next, pid));
	p_u64(&e, BPF_CORE_READ(t, maj_flt));
	p_u64(&e, BPF_CORE_READ(t, min_flt));
	p_vm_of(&e, BPF_CORE_READ(t, mm));
	ev_submit(&e);
	return 0;
}

/*
 * signaldeliver (libs fillers.h sys_signaldeliver_e): the signal as the receiving thread takes it, with its
 * sender where the siginfo names one: SIGKILL, SIGCHLD and real-time signals always, SIGTERM, SIGHUP,
 * SIGINT, SIGTSTP and SIGQUIT when sent from user space (si_code <= 0), else 0. siginfo's layout is the
 * user ABI: si_code at byte 8, the sender's pid first in the union at byte 16.
 */
SEC("raw_tp/signal_deliver")
int tdig_signal_deliver(struct bpf_raw_tracepoint_args *ctx)
{
	struct config *c = interesting();
	int sig = (int)ctx->args[0];
	void *info = (void *)ctx->args[1];
	int code = 0, pid = 0;
	s64 spid = 0;
	struct ev e;

	if (!c)
		return 0;
	if ((unsigned long)info > 1) {  /* SEND_SIG_NOINFO and SEND_SIG_PRIV are not pointers */
		bpf_probe_read_kernel(&code, sizeof(code), info + 8);
		bpf_probe_read_kernel(&pid, sizeof(pid), info + 16);
		if (sig == 9 || sig == 17 || (sig >= 32 && sig <= 64))
			spid = pid;
		else if ((sig == 15 || sig == 1 || sig == 2 || sig == 20 || sig == 3) && code <= 0)
			spid = pid;
	}
	if (ev_reserve(&e, c, E_SIGNALDELIVER, 3, FIXED_SIZE(3, 17)))
		return 0;
	p_u64(&e, spid);
	p_u64(&e, (u32)bpf_get_current_pid_tgid());
	p_u8(&e, sig);
	ev_submit(&e);
	return 0;
}

/* ---- page faults (attached only with --page-faults) ---- */
/*
 * x86's error code to the driver's PPM_PF_* bits, each bit or its absence naming a bit of its own
 * (libs driver/ppm_flag_helpers.h pf_flags_to_scap; the bits in driver/ppm_events_public.h).
 */
static __always_inline u32 pf_flags(u64 code)
{
	u32 f = 0;
	f |= (code & 0x1) ? (1 << 0) : (1 << 1);  /* protection violation : page not present */
	f |= (code & 0x2) ? (1 << 2) : (1 << 3);  /* write access : read access */
	f |= (code & 0x4) ? (1 << 4) : (1 << 5);  /* user fault : supervisor fault */
	if (code & 0x8)
		f |= 1 << 6;                          /* reserved page */
	if (code & 0x10)
		f |= 1 << 7;                          /* instruction fetch */
	return f;
}

/*
 * page_fault addr, ip, error (libs driver/bpf/fillers.h sys_pagefault_e): the raw tracepoint's
 * arguments are the faulting address, the registers (ip read from them) and the error code.
 */
static __always_inline int page_fault(struct bpf_raw_tracepoint_args *ctx)
{
	struct config *c = interesting();
	struct pt_regs *regs = (void *)ctx->args[1];
	struct ev e;

	if (!c)
		return 0;
	if (ev_reserve(&e, c, E_PAGE_FAULT, 3, FIXED_SIZE(3, 20)))
		return 0;
	p_u64(&e, ctx->args[0]);
	p_u64(&e, BPF_CORE_READ(regs, ip));
	p_u32(&e, pf_flags(ctx->args[2]));
	ev_submit(&e);
	return 0;
}

SEC("raw_tp/page_fault_user")
int tdig_pf_user(struct bpf_raw_tracepoint_args *ctx) { return page_fault(ctx); }

SEC("raw_tp/page_fault_kernel")
int tdig_pf_kernel(struct bpf_raw_tracepoint_args *ctx) { return page_fault(ctx); }

/* ---- dispatch ---- */
/* every syscall with a handler pair e_NAME / x_NAME: X(syscall, NAME) */
#define HANDLED(X) \
	X(read, read) X(write, write) X(pread64, pread) X(pwrite64, pwrite) X(readv, readv) X(writev, writev) \
	X(preadv, preadv) X(pwritev, pwritev) X(open, open) X(creat, creat) X(openat, openat) X(openat2, openat2) \
	X(close, close) X(dup, dup) X(dup2, dup) X(dup3, dup) X(fcntl, fcntl) X(chdir, chdir) X(fchdir, fchdir) \
	X(eventfd, eventfd) X(eventfd2, eventfd) X(pipe, pipe) X(pipe2, pipe) X(socket, socket) \
	X(socketpair, socketpair) X(bind, bind) X(connect, connect) X(listen, listen) X(shutdown, shutdown) \
	X(accept, accept) X(accept4, accept4) X(sendto, sendto) X(recvfrom, recvfrom) X(sendmsg, sendmsg) \
	X(recvmsg, recvmsg) X(clone, clone) X(fork, fork) X(vfork, vfork) X(clone3, clone3) X(execve, execve) \
	X(execveat, execveat) X(lseek, lseek) X(kill, kill) X(tkill, tkill) X(tgkill, tgkill) X(mkdir, mkdir) \
	X(mkdirat, mkdirat) X(rmdir, rmdir) X(unlink, unlink) X(unlinkat, unlinkat) X(rename, rename) \
	X(renameat, renameat) X(renameat2, renameat2) X(symlink, symlink) X(symlinkat, symlinkat) X(link, link) \
	X(linkat, linkat) X(chmod, chmod) X(fchmodat, fchmodat) X(fchmod, fchmod) X(setuid, setuid) \
	X(setgid, setgid) X(setresuid, setresuid) X(setresgid, setresgid) X(chroot, chroot) X(setsid, setsid) \
	X(setpgid, setpgid) X(fstat, fstat) X(ioctl, ioctl) X(getdents64, getdents64) X(flock, flock) \
	X(splice, splice) X(sendfile, sendfile) X(getcwd, getcwd) X(access, access) X(unshare, unshare) \
	X(setns, setns) X(mount, mount) X(umount2, umount2) X(brk, brk) X(mmap, mmap) X(munmap, munmap) \
	X(mprotect, mprotect) X(futex, futex) X(epoll_wait, epoll_wait) X(poll, poll) X(ppoll, ppoll) \
	X(select, select) X(nanosleep, nanosleep) X(getrlimit, getrlimit) X(setrlimit, setrlimit) \
	X(prlimit64, prlimit) X(getuid, getuid) X(geteuid, geteuid) X(getgid, getgid) X(getegid, getegid) \
	X(getresuid, getresuid) X(getresgid, getresgid) X(getsockname, getsockname) X(getpeername, getpeername) \
	X(sendmmsg, sendmmsg) X(recvmmsg, recvmmsg) X(signalfd, signalfd) X(signalfd4, signalfd) \
	X(timerfd_create, timerfd_create) X(inotify_init, inotify_init) X(inotify_init1, inotify_init) \
	X(userfaultfd, userfaultfd) X(copy_file_range, copy_file_range) X(seccomp, seccomp) \
	X(setsockopt, setsockopt) X(getsockopt, getsockopt) X(getdents, getdents) X(stat, stat) X(lstat, lstat) \
	X(ptrace, ptrace) X(semop, semop) X(semget, semget) X(semctl, semctl) X(bpf, bpf) \
	X(quotactl, quotactl)
#define ON_ENTER(nr, name) [__NR_##nr] = (void *)&e_##name,
#define ON_EXIT(nr, name) [__NR_##nr] = (void *)&x_##name,

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, TDIG_SYSCALL_MAX);
	__type(key, u32);
	__array(values, int(u64 *));
} enter_progs SEC(".maps") = {
	.values = { HANDLED(ON_ENTER) },
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, TDIG_SYSCALL_MAX);
	__type(key, u32);
	__array(values, int(u64 *));
} exit_progs SEC(".maps") = {
	.values = { HANDLED(ON_EXIT) },
};

/*
 * The dispatchers tail-call the handler of the syscall, which checks whether the event is wanted
 * (interesting()); only syscalls without a handler are checked here, for the generic event.
 */
SEC("tp_btf/sys_enter")
int tdig_sys_enter(u64 *ctx)
{
	struct config *c;
	u32 nr = (u32)ctx[1];
	struct ev e;

	if (nr >= TDIG_SYSCALL_MAX)
		return 0;
	bpf_tail_call(ctx, &enter_progs, nr);
	c = interesting();
	if (!c)
		return 0;
	if (ev_reserve(&e, c, E_GENERIC, 2, FIXED_SIZE(2, 4)))
		return 0;
	p_u16(&e, tdig_ppm_sc[nr & (TDIG_SYSCALL_MAX - 1)]);
	p_u16(&e, nr);
	ev_submit(&e);
	return 0;
}

SEC("tp_btf/sys_exit")
int tdig_sys_exit(u64 *ctx)
{
	struct config *c;
	struct pt_regs *r = REGS(ctx);
	u32 nr;
	struct ev e;

	nr = (u32)r->orig_ax;
	if (nr >= TDIG_SYSCALL_MAX)
		return 0;
	bpf_tail_call(ctx, &exit_progs, nr);
	c = interesting();
	if (!c)
		return 0;
	if (ev_reserve(&e, c, E_GENERIC + 1, 1, FIXED_SIZE(1, 2)))
		return 0;
	p_u16(&e, tdig_ppm_sc[nr & (TDIG_SYSCALL_MAX - 1)]);
	ev_submit(&e);
	return 0;
}

