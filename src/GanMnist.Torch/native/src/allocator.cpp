// A caching allocator for large CPU tensors (docs/performance.md).
//
// A training step allocates and frees the same large tensors (activations, gradients, oneDNN buffers,
// 1-30 MB each) in the same order, step after step. Through malloc, each of them either comes from fresh
// pages, zero-filled by page faults on first touch (expensive on virtual machines: 12% of the MLP step and
// half of the DCGAN step here), or from a heap that only grows as its free space fragments. This allocator
// keeps freed large blocks by size and hands them back on the next request of that size, as PyTorch's CUDA
// caching allocator does for GPU memory: after the first step no page is faulted in again, and the process
// holds at most, per block size, the most blocks of that size ever alive at once.
//
// Blocks of at least min_block bytes are mapped with mmap (2 MiB aligned, transparent huge pages asked for
// with MADV_HUGEPAGE); smaller requests go to c10's own alloc_cpu/free_cpu. Only sizes asked for more than
// once are kept when freed (a one-off, such as a temporary while loading a dataset, is unmapped at once).
// The cache holds at most max_cached bytes of free blocks (the oldest are unmapped first);
// gmt_cpu_allocator_empty_cache unmaps them all.
#include <c10/core/CPUAllocator.h>
#include <c10/core/impl/alloc_cpu.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <list>
#include <mutex>
#include <unordered_map>

#include "internal.h"

namespace gmt {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kHugePage = size_t{2} << 20;

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

class CachingCpuAllocator final : public c10::Allocator {
 public:
  CachingCpuAllocator(size_t min_block, size_t max_cached) : min_block_(min_block), max_cached_(max_cached) {}

  // c10::Allocator::allocate is const up to libtorch 2.2 and non-const from 2.3, which also adds the pure
  // virtual copy_data: declaring both forms, without `override`, builds against either.
  c10::DataPtr allocate(size_t n) const { return allocate_block(n); }
  c10::DataPtr allocate(size_t n) { return allocate_block(n); }
  void copy_data(void* dest, const void* src, std::size_t count) const { std::memcpy(dest, src, count); }

  c10::DeleterFnPtr raw_deleter() const override { return &release; }

  size_t empty_cache() const {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t freed = cached_bytes_;
    for (auto& [size, blocks] : free_) {
      for (auto* p : blocks) munmap(p, size);
    }
    free_.clear();
    order_.clear();
    cached_bytes_ = 0;
    return freed;
  }

  void stats(int64_t* live, int64_t* cached) const {
    std::lock_guard<std::mutex> lock(mutex_);
    *live = static_cast<int64_t>(live_bytes_);
    *cached = static_cast<int64_t>(cached_bytes_);
  }

 private:
  c10::DataPtr allocate_block(size_t n) const {
    void* p = n >= min_block_ ? take(round_up(n, kPage)) : c10::alloc_cpu(n);
    return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
  }

  // The release function of every pointer this allocator gave out, large or small.
  static void release(void* p);

  void* take(size_t size) const {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (requests_.size() > 65536) requests_.clear();  // bounded, whatever sizes a long-running process sees
      ++requests_[size];
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        order_.remove(std::make_pair(p, size));
        cached_bytes_ -= size;
        live_.emplace(p, size);
        live_bytes_ += size;
        return p;
      }
    }
    void* p = map(size);
    if (p == nullptr) {
      empty_cache();  // free memory is better spent on this request
      p = map(size);
    }
    TORCH_CHECK(p != nullptr, "CPU out of memory: could not map ", size, " bytes");
    std::lock_guard<std::mutex> lock(mutex_);
    live_.emplace(p, size);
    live_bytes_ += size;
    return p;
  }

  static void* map(size_t size) {
    // Over-map by a huge page to align the block, then unmap the slack on both sides.
    const size_t span = size + kHugePage;
    void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    auto start = reinterpret_cast<uintptr_t>(raw);
    auto aligned = round_up(start, kHugePage);
    if (aligned > start) munmap(raw, aligned - start);
    const size_t tail = (start + span) - (aligned + size);
    if (tail > 0) munmap(reinterpret_cast<void*>(aligned + size), tail);
    void* p = reinterpret_cast<void*>(aligned);
#ifdef MADV_HUGEPAGE
    if (size >= kHugePage) madvise(p, size, MADV_HUGEPAGE);
#endif
    return p;
  }

  // Returns true when p was one of this allocator's large blocks.
  bool give_back(void* p) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(p);
    if (it == live_.end()) return false;
    const size_t size = it->second;
    live_.erase(it);
    live_bytes_ -= size;
    auto seen = requests_.find(size);
    if (size > max_cached_ || seen == requests_.end() || seen->second < 2) {
      munmap(p, size);
      return true;
    }
    while (cached_bytes_ + size > max_cached_ && !order_.empty()) {
      auto [old, old_size] = order_.front();
      order_.pop_front();
      auto& blocks = free_[old_size];
      for (auto b = blocks.begin(); b != blocks.end(); ++b) {
        if (*b == old) {
          blocks.erase(b);
          break;
        }
      }
      munmap(old, old_size);
      cached_bytes_ -= old_size;
    }
    free_[size].push_back(p);
    order_.emplace_back(p, size);
    cached_bytes_ += size;
    return true;
  }

  const size_t min_block_;
  const size_t max_cached_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<size_t, std::vector<void*>> free_;
  mutable std::list<std::pair<void*, size_t>> order_;  // free blocks, oldest first
  mutable std::unordered_map<void*, size_t> live_;
  mutable std::unordered_map<size_t, uint32_t> requests_;  // requests per block size
  mutable size_t cached_bytes_ = 0;
  mutable size_t live_bytes_ = 0;
};

CachingCpuAllocator* instance = nullptr;

void CachingCpuAllocator::release(void* p) {
  if (p == nullptr) return;
  if (!instance->give_back(p)) c10::free_cpu(p);
}

}  // namespace
}  // namespace gmt

extern "C" {

// Installs the caching allocator as libtorch's CPU allocator (once per process; later calls return GMT_OK
// and change nothing). Tensors allocated before keep their own deleter.
GMT_API int gmt_cpu_allocator_install(int64_t min_block, int64_t max_cached) {
  GMT_TRY
  static std::mutex install_mutex;
  std::lock_guard<std::mutex> lock(install_mutex);
  if (gmt::instance != nullptr) return GMT_OK;
  TORCH_CHECK(min_block >= 0 && max_cached >= 0, "allocator sizes must not be negative");
  // Never freed: tensors may outlive every other object of the process.
  gmt::instance = new gmt::CachingCpuAllocator(static_cast<size_t>(min_block), static_cast<size_t>(max_cached));
  c10::SetCPUAllocator(gmt::instance, /*priority=*/100);
  return GMT_OK;
  GMT_CATCH(GMT_ERROR)
}

// Bytes in large blocks in use and cached free; both 0 when the allocator is not installed.
GMT_API int gmt_cpu_allocator_stats(int64_t* live, int64_t* cached) {
  GMT_TRY
  *live = *cached = 0;
  if (gmt::instance != nullptr) gmt::instance->stats(live, cached);
  return GMT_OK;
  GMT_CATCH(GMT_ERROR)
}

// Unmaps every cached free block; returns the bytes given back (0 when not installed).
GMT_API int64_t gmt_cpu_allocator_empty_cache(void) {
  return gmt::instance != nullptr ? static_cast<int64_t>(gmt::instance->empty_cache()) : 0;
}

}  // extern "C"
