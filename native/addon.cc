// tdig native addon: loads the BPF capture program, attaches it, and hands batches of ready scap
// event blocks to JavaScript on a pull (one Promise per batch).
//
// It links against the libbpf runtime (libbpf.so.1) only. The few libbpf functions used are declared
// here by hand, so the build needs no libbpf-dev. The per-CPU ring buffers are read directly through
// mmap (their layout is a stable kernel ABI), which lets the consumer merge the CPUs by timestamp.
#include <napi.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

extern "C" {
struct bpf_object;
struct bpf_program;
struct bpf_map;
struct bpf_link;
enum libbpf_print_level { LIBBPF_WARN, LIBBPF_INFO, LIBBPF_DEBUG };
typedef int (*libbpf_print_fn_t)(enum libbpf_print_level level, const char*, va_list ap);
libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn);
struct bpf_object* bpf_object__open_file(const char* path, const void* opts);
int bpf_object__load(struct bpf_object* obj);
void bpf_object__close(struct bpf_object* obj);
struct bpf_program* bpf_object__find_program_by_name(const struct bpf_object* obj, const char* name);
struct bpf_map* bpf_object__find_map_by_name(const struct bpf_object* obj, const char* name);
struct bpf_link* bpf_program__attach(const struct bpf_program* prog);
int bpf_link__destroy(struct bpf_link* link);
int bpf_map__fd(const struct bpf_map* map);
int bpf_map__set_max_entries(struct bpf_map* map, uint32_t max_entries);
struct bpf_map* bpf_map__inner_map(struct bpf_map* map);
int bpf_map_create(int map_type, const char* map_name, uint32_t key_size, uint32_t value_size,
                   uint32_t max_entries, const void* opts);
int bpf_map_update_elem(int fd, const void* key, const void* value, uint64_t flags);
int bpf_map_lookup_elem(int fd, const void* key, void* value);
int bpf_map_get_next_key(int fd, const void* key, void* next_key);
int libbpf_num_possible_cpus(void);
}

namespace {

constexpr int kMapTypeRingbuf = 27;  // BPF_MAP_TYPE_RINGBUF
constexpr uint32_t kBusy = 1u << 31;
constexpr uint32_t kDiscard = 1u << 30;
constexpr size_t kMaxRecord = 0x20000;  // the largest block the program can emit

// Layout of the BPF program's config map value (native/tdig.bpf.c: struct config).
struct BpfConfig {
  uint64_t boot_offset;
  uint32_t snaplen;
  uint32_t self_tgid;
  uint32_t tree_filter;
  uint32_t enabled;
  uint32_t tracers;
};

std::string g_log;
int verbose_print(enum libbpf_print_level level, const char* fmt, va_list ap) {
  if (level == LIBBPF_DEBUG) return 0;
  char line[1024];
  vsnprintf(line, sizeof(line), fmt, ap);
  g_log += line;
  if (g_log.size() > 262144) g_log.erase(0, g_log.size() - 131072);
  return 0;
}

int64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return int64_t(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

struct Ring {
  int fd = -1;
  size_t size = 0;
  uint8_t* consumer = nullptr;  // RW page: consumer position
  uint8_t* producer = nullptr;  // RO: producer page, then the data mapped twice
  uint8_t* data = nullptr;
  uint64_t pos = 0;             // our consumer position
  uint64_t limit = 0;           // producer position snapshot
};

class Capture : public Napi::ObjectWrap<Capture> {
 public:
  static Napi::Object Init(Napi::Env env, Napi::Object exports) {
    Napi::Function f = DefineClass(env, "Capture",
                                   {InstanceMethod("start", &Capture::Start),
                                    InstanceMethod("stop", &Capture::Stop),
                                    InstanceMethod("next", &Capture::Next),
                                    InstanceMethod("stats", &Capture::Stats),
                                    InstanceMethod("track", &Capture::Track),
                                    InstanceMethod("tracked", &Capture::Tracked),
                                    InstanceMethod("close", &Capture::Close)});
    exports.Set("Capture", f);
    return exports;
  }

  // new Capture(objectPath, { snaplen, ringBytes, selfPid, treeFilter, tracers, pageFaults, noSwitch })
  explicit Capture(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Capture>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject()) {
      Napi::TypeError::New(env, "Capture(objectPath, options)").ThrowAsJavaScriptException();
      return;
    }
    std::string path = info[0].As<Napi::String>().Utf8Value();
    Napi::Object o = info[1].As<Napi::Object>();
    auto num = [&](const char* k, double d) {
      Napi::Value v = o.Get(k);
      return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : d;
    };
    cfg_.snaplen = uint32_t(num("snaplen", 80));
    cfg_.self_tgid = uint32_t(num("selfPid", getpid()));
    cfg_.tree_filter = o.Get("treeFilter").ToBoolean() ? 1 : 0;
    cfg_.enabled = 0;
    cfg_.tracers = o.Get("tracers").ToBoolean() ? 1 : 0;
    page_faults_ = o.Get("pageFaults").ToBoolean();
    no_switch_ = o.Get("noSwitch").ToBoolean();
    size_t ring_bytes = size_t(num("ringBytes", 16 << 20));
    std::string err = Open(path, ring_bytes);
    if (!err.empty()) {
      Cleanup();
      Napi::Error e = Napi::Error::New(env, err + (g_log.empty() ? "" : "\n" + g_log));
      g_log.clear();
      e.ThrowAsJavaScriptException();
    }
  }

  ~Capture() { Cleanup(); }

  // Called from the worker thread: copy ready blocks into out, merged across CPUs by timestamp.
  size_t Drain(uint8_t* out, size_t cap) {
    size_t n = 0;
    for (Ring& r : rings_) r.limit = __atomic_load_n((uint64_t*)r.producer, __ATOMIC_ACQUIRE);
    for (;;) {
      Ring* best = nullptr;
      uint64_t best_ts = UINT64_MAX;
      uint32_t best_len = 0;
      for (Ring& r : rings_) {
        while (r.pos < r.limit) {
          uint32_t* hdr = (uint32_t*)(r.data + (r.pos & (r.size - 1)));
          uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
          if (len & kBusy) {
            r.limit = r.pos;  // not committed yet: stop at it this round
            break;
          }
          if (len & kDiscard) {
            r.pos += ((len & ~kDiscard) + 8 + 7) & ~uint64_t(7);
            continue;
          }
          uint64_t ts;
          memcpy(&ts, (uint8_t*)hdr + 8 + 10, 8);
          if (ts < best_ts) {
            best_ts = ts;
            best = &r;
            best_len = len;
          }
          break;
        }
      }
      if (!best || n >= cap) break;  // the caller leaves room for one more record
      // a record holds one block, which may end before the record does (the program reserves records
      // of a size class for short data): copy the block, as its total length says
      const uint8_t* rec = best->data + (best->pos & (best->size - 1)) + 8;
      uint32_t blk;
      memcpy(&blk, rec + 4, 4);
      if (blk < 12 || blk > best_len) blk = best_len;
      memcpy(out + n, rec, blk);
      n += blk;
      best->pos += (best_len + 8 + 7) & ~uint64_t(7);
    }
    for (Ring& r : rings_) __atomic_store_n((uint64_t*)r.consumer, r.pos, __ATOMIC_RELEASE);
    return n;
  }

  std::atomic<bool> busy_{false};
  std::atomic<bool> stopped_{false};
  bool page_faults_ = false;
  bool no_switch_ = false;
  std::vector<uint8_t> batch_;

 private:
  std::string Open(const std::string& path, size_t ring_bytes) {
    libbpf_set_print(verbose_print);
    g_log.clear();
    long page = sysconf(_SC_PAGESIZE);
    if (ring_bytes < size_t(page) || (ring_bytes & (ring_bytes - 1)))
      return "ring buffer size must be a power of two of at least one page";
    ncpu_ = libbpf_num_possible_cpus();
    if (ncpu_ <= 0) return "cannot count the CPUs";
    obj_ = bpf_object__open_file(path.c_str(), nullptr);
    if (!obj_) return "cannot open BPF object " + path + ": " + strerror(errno);
    bpf_map* rings = bpf_object__find_map_by_name(obj_, "rings");
    bpf_map* scratch = bpf_object__find_map_by_name(obj_, "scratch");
    if (!rings || !scratch) return "BPF object lacks its maps";
    bpf_map__set_max_entries(rings, ncpu_);
    bpf_map__set_max_entries(scratch, ncpu_);
    if (bpf_object__load(obj_)) {
      int e = errno;
      return std::string("cannot load the BPF program: ") + strerror(e);
    }
    int outer = bpf_map__fd(rings);
    for (int cpu = 0; cpu < ncpu_; cpu++) {
      Ring r;
      r.size = ring_bytes;
      r.fd = bpf_map_create(kMapTypeRingbuf, "tdig_ring", 0, 0, uint32_t(ring_bytes), nullptr);
      if (r.fd < 0) return std::string("cannot create a ring buffer: ") + strerror(errno);
      void* c = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0);
      if (c == MAP_FAILED) {
        close(r.fd);
        return std::string("cannot map a ring buffer: ") + strerror(errno);
      }
      void* p = mmap(nullptr, page + 2 * ring_bytes, PROT_READ, MAP_SHARED, r.fd, page);
      if (p == MAP_FAILED) {
        munmap(c, page);
        close(r.fd);
        return std::string("cannot map a ring buffer: ") + strerror(errno);
      }
      r.consumer = (uint8_t*)c;
      r.producer = (uint8_t*)p;
      r.data = (uint8_t*)p + page;
      r.pos = __atomic_load_n((uint64_t*)r.consumer, __ATOMIC_ACQUIRE);
      uint32_t key = cpu;
      if (bpf_map_update_elem(outer, &key, &r.fd, 0)) {
        rings_.push_back(r);
        return std::string("cannot install a ring buffer: ") + strerror(errno);
      }
      rings_.push_back(r);
    }
    cfg_fd_ = bpf_map__fd(bpf_object__find_map_by_name(obj_, "cfg"));
    stats_fd_ = bpf_map__fd(bpf_object__find_map_by_name(obj_, "stats"));
    tracked_fd_ = bpf_map__fd(bpf_object__find_map_by_name(obj_, "tracked"));
    int64_t boot = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
    boot_ns_ = boot;
    cfg_.boot_offset = uint64_t(boot);
    if (WriteConfig()) return std::string("cannot configure the BPF program: ") + strerror(errno);
    // context switches, as sysdig's driver always captures them, unless --no-switch; the page-fault
    // tracepoints cost every fault of the machine a call, so they are attached only on request
    std::vector<const char*> progs = {"tdig_sys_enter", "tdig_sys_exit", "tdig_proc_exit", "tdig_proc_fork", "tdig_signal_deliver"};
    if (!no_switch_) progs.push_back("tdig_sched_switch");
    if (page_faults_) {
      progs.push_back("tdig_pf_user");
      progs.push_back("tdig_pf_kernel");
    }
    for (const char* name : progs) {
      bpf_program* p = bpf_object__find_program_by_name(obj_, name);
      if (!p) return std::string("BPF object lacks program ") + name;
      bpf_link* l = bpf_program__attach(p);
      if (!l) return std::string("cannot attach ") + name + ": " + strerror(errno);
      links_.push_back(l);
    }
    return "";
  }

  int WriteConfig() {
    uint32_t key = 0;
    return bpf_map_update_elem(cfg_fd_, &key, &cfg_, 0);
  }

  void Detach() {
    for (bpf_link* l : links_) bpf_link__destroy(l);
    links_.clear();
  }

  void Cleanup() {
    Detach();
    long page = sysconf(_SC_PAGESIZE);
    for (Ring& r : rings_) {
      if (r.consumer) munmap(r.consumer, page);
      if (r.producer) munmap(r.producer, page + 2 * r.size);
      if (r.fd >= 0) close(r.fd);
    }
    rings_.clear();
    if (obj_) bpf_object__close(obj_);
    obj_ = nullptr;
  }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    cfg_.enabled = 1;
    if (WriteConfig()) Napi::Error::New(info.Env(), "cannot enable capture").ThrowAsJavaScriptException();
    return Napi::Number::New(info.Env(), double(boot_ns_));
  }

  // Stop producing: detach the programs. Pending events can still be drained with next().
  Napi::Value Stop(const Napi::CallbackInfo& info) {
    cfg_.enabled = 0;
    if (cfg_fd_ >= 0) WriteConfig();
    Detach();
    stopped_ = true;
    return info.Env().Undefined();
  }

  // track(pid): add a thread group to the process-tree filter
  Napi::Value Track(const Napi::CallbackInfo& info) {
    uint32_t pid = info[0].As<Napi::Number>().Uint32Value();
    uint8_t one = 1;
    if (bpf_map_update_elem(tracked_fd_, &pid, &one, 0))
      Napi::Error::New(info.Env(), "cannot track pid").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }

  // tracked(): how many thread groups the process-tree filter holds (the BPF program drops a group when its
  // last thread exits)
  Napi::Value Tracked(const Napi::CallbackInfo& info) {
    uint32_t key = 0, next = 0;
    uint32_t n = 0;
    void* prev = nullptr;
    while (tracked_fd_ >= 0 && bpf_map_get_next_key(tracked_fd_, prev, &next) == 0) {
      n++;
      key = next;
      prev = &key;
    }
    return Napi::Number::New(info.Env(), n);
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Array out = Napi::Array::New(env);
    std::vector<uint64_t> vals(size_t(ncpu_) * 2);
    uint32_t key = 0;
    if (stats_fd_ >= 0 && bpf_map_lookup_elem(stats_fd_, &key, vals.data()) == 0) {
      for (int i = 0; i < ncpu_; i++) {
        Napi::Object o = Napi::Object::New(env);
        o.Set("events", Napi::Number::New(env, double(vals[i * 2])));
        o.Set("drops", Napi::Number::New(env, double(vals[i * 2 + 1])));
        out.Set(uint32_t(i), o);
      }
    }
    return out;
  }

  Napi::Value Next(const Napi::CallbackInfo& info);

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (busy_) {
      Napi::Error::New(info.Env(), "close() while next() is pending").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    Cleanup();
    stopped_ = true;
    return info.Env().Undefined();
  }

  bpf_object* obj_ = nullptr;
  std::vector<bpf_link*> links_;
  std::vector<Ring> rings_;
  BpfConfig cfg_{};
  int cfg_fd_ = -1, stats_fd_ = -1, tracked_fd_ = -1;
  int ncpu_ = 0;
  int64_t boot_ns_ = 0;
};

// One pull: wait until at least minBytes are ready (or the wait time passes), then return them.
class NextWorker : public Napi::AsyncWorker {
 public:
  NextWorker(Napi::Env env, Capture* cap, Napi::Object self, size_t max_bytes, int timeout_ms)
      : Napi::AsyncWorker(env), cap_(cap), deferred_(Napi::Promise::Deferred::New(env)),
        max_(max_bytes), timeout_ms_(timeout_ms) {
    self_ = Napi::Persistent(self);
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    // one batch buffer per capture, reused: only one next() is in flight at a time
    std::vector<uint8_t>& store = cap_->batch_;
    if (store.size() < max_ + kMaxRecord) store.resize(max_ + kMaxRecord);
    buf_ = store.data();
    auto start = std::chrono::steady_clock::now();
    const size_t enough = max_ / 4;
    for (;;) {
      n_ += cap_->Drain(buf_ + n_, max_ > n_ ? max_ - n_ : 0);
      if (n_ >= enough || n_ >= max_) break;
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
      if (cap_->stopped_) {
        ended_ = n_ == 0;
        break;
      }
      if (ms >= timeout_ms_ || (n_ > 0 && ms >= 20)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(n_ > 0 ? 2 : 4));
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    cap_->busy_ = false;
    if (ended_) {
      deferred_.Resolve(env.Null());
      return;
    }
    // a copy in memory V8 accounts for, so the garbage collector sees what batches cost
    deferred_.Resolve(Napi::Buffer<uint8_t>::Copy(env, buf_, n_));
  }
  void OnError(const Napi::Error& e) override {
    cap_->busy_ = false;
    deferred_.Reject(e.Value());
  }

 private:
  Capture* cap_;
  Napi::ObjectReference self_;
  Napi::Promise::Deferred deferred_;
  size_t max_;
  int timeout_ms_;
  uint8_t* buf_ = nullptr;
  size_t n_ = 0;
  bool ended_ = false;
};

// next(maxBytes, timeoutMs): Promise<Buffer | null>. The buffer holds whole EV v2 blocks (possibly
// none, after the timeout); null means the capture was stopped and everything has been drained.
Napi::Value Capture::Next(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t max_bytes = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Uint32Value() : (1 << 20);
  int timeout = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 100;
  if (max_bytes < 65536) max_bytes = 65536;
  if (rings_.empty()) {
    auto d = Napi::Promise::Deferred::New(env);
    d.Resolve(env.Null());
    return d.Promise();
  }
  if (busy_.exchange(true)) {
    Napi::Error::New(env, "next() is already pending").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto* w = new NextWorker(env, this, info.This().As<Napi::Object>(), max_bytes, timeout);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Object InitAll(Napi::Env env, Napi::Object exports) { return Capture::Init(env, exports); }

}  // namespace

NODE_API_MODULE(tdig, InitAll)
