// A caching CPU allocator for libtorch. Every op allocates its output and frees its inputs'
// intermediates at once; handing those buffers to malloc and back costs fresh pages (page faults)
// when glibc maps large blocks, and heap fragmentation when it does not (measured: a loop of
// alternating 0.8 / 1.6 MB tensors grew to 2.6 GB and ran 10-30x slower in half the runs with the
// heap-only settings; AASIST ran at half speed with glibc's mmaps). Freed blocks of 64 KB and more
// are kept here by size class and handed out again; smaller ones go back to malloc, whose bins
// serve them well. The large blocks are mapped and unmapped here, never taken from malloc's heap:
// with glibc's sliding mmap threshold, a transformer's many-MB buffers moved into the heap and a
// wav2vec 2.0 pass grew the process by ~0.5 GB per repetition (heap memory glibc did not return).
// When the cache is full, a freed block evicts blocks of other sizes rather than being unmapped
// itself, so the cache follows the current workload (a Whisper encoder run after wav2vec 2.0 in one
// process otherwise found the cache full of wav2vec 2.0's sizes and ran 25 % slower, mapping fresh
// pages for every buffer).
// Written by hand: libtorch 1.13 ships no CPU caching allocator for this use.
#include "common.h"

#include <c10/core/CPUAllocator.h>
#include <sys/mman.h>

#include <algorithm>
#include <iterator>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace tts {
namespace {

constexpr size_t kAlignment = 64;      // bytes; what libtorch's own CPU allocator guarantees
constexpr size_t kHeader = 64;         // bytes before the data: the block's size class (keeps the alignment)
constexpr size_t kCachedFrom = 1 << 16;  // blocks this large and larger are cached (64 KB)
constexpr size_t kMaxCached = size_t{512} << 20;  // bytes kept in the cache at most (512 MB)

// Rounds up to an eighth of the next power of two (at most 12.5 % more than asked), 4 KB at least.
size_t sizeClass(size_t n) {
  size_t p = 1;
  while (p < n) p <<= 1;
  const size_t step = std::max<size_t>(p / 8, 4096);
  return (n + step - 1) / step * step;
}

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<char*>> free;
  size_t bytes = 0;
};

// Never destroyed: tensors freed during process teardown still return their blocks here.
Cache& cache() {
  static Cache* c = new Cache();
  return *c;
}

// Unmaps cached blocks of sizes other than `keep` until `need` more bytes fit (the cache's mutex held).
void evictFor(Cache& c, size_t need, size_t keep) {
  for (auto it = c.free.begin(); it != c.free.end() && c.bytes + need > kMaxCached;) {
    if (it->first == keep) {
      ++it;
      continue;
    }
    auto& blocks = it->second;
    while (!blocks.empty() && c.bytes + need > kMaxCached) {
      munmap(blocks.back(), kHeader + it->first);
      blocks.pop_back();
      c.bytes -= it->first;
    }
    it = blocks.empty() ? c.free.erase(it) : std::next(it);
  }
}

void freeData(void* data) {
  if (data == nullptr) return;
  char* base = static_cast<char*>(data) - kHeader;
  const size_t cls = *reinterpret_cast<size_t*>(base);
  if (cls == 0) {
    std::free(base);
    return;
  }
  {
    Cache& c = cache();
    std::lock_guard<std::mutex> lock(c.mutex);
    if (c.bytes + cls > kMaxCached && cls <= kMaxCached) evictFor(c, cls, cls);
    if (c.bytes + cls <= kMaxCached) {
      c.free[cls].push_back(base);
      c.bytes += cls;
      return;
    }
  }
  munmap(base, kHeader + cls);
}

struct CachingCpuAllocator final : at::Allocator {
  at::DataPtr allocate(size_t n) const override {
    const size_t cls = n >= kCachedFrom ? sizeClass(n) : 0;
    char* base = nullptr;
    if (cls != 0) {
      Cache& c = cache();
      std::lock_guard<std::mutex> lock(c.mutex);
      auto it = c.free.find(cls);
      if (it != c.free.end() && !it->second.empty()) {
        base = it->second.back();
        it->second.pop_back();
        c.bytes -= cls;
      }
    }
    if (base == nullptr && cls != 0) {
      // Page-aligned, so the data after the header keeps kAlignment.
      void* p = mmap(nullptr, kHeader + cls, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      base = static_cast<char*>(p);
    } else if (base == nullptr) {
      void* p = nullptr;
      if (posix_memalign(&p, kAlignment, kHeader + n) != 0) throw std::bad_alloc();
      base = static_cast<char*>(p);
    }
    *reinterpret_cast<size_t*>(base) = cls;
    void* data = base + kHeader;
    return {data, data, &freeData, at::Device(at::DeviceType::CPU)};
  }
  at::DeleterFnPtr raw_deleter() const override { return &freeData; }
};

}  // namespace

void installCpuAllocator() {
  static std::once_flag once;
  std::call_once(once, [] {
    static CachingCpuAllocator allocator;
    // Priority above libtorch's default CPU allocator (registered at 0).
    c10::SetCPUAllocator(&allocator, 1);
  });
}

}  // namespace tts
