// Runtime information, threads, seeding and random generators.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include <dlfcn.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <mutex>

#include "internal.h"

using gmt::G;
using gmt::T;

extern "C" {

GMT_API const char* gmt_version(void) { return TORCH_VERSION; }

// The CUDA runtime version libtorch was built with, or -1 for a CPU-only libtorch.
GMT_API int gmt_cuda_runtime_version(void) {
  try {
    return static_cast<int>(at::detail::getCUDAHooks().versionCUDART());
  } catch (...) {
    return -1;
  }
}

GMT_API int gmt_cuda_device_count(void) {
  try {
    return at::detail::getCUDAHooks().hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0;
  } catch (...) {
    return 0;
  }
}

GMT_API int gmt_cuda_synchronize(int device_index) {
  GMT_STATUS(at::detail::getCUDAHooks().deviceSynchronize(static_cast<int64_t>(device_index)))
}

GMT_API int gmt_get_num_threads(void) { return at::get_num_threads(); }

GMT_API int gmt_set_num_threads(int n) { GMT_STATUS(at::set_num_threads(n)) }

// The BLAS kernel set OpenBLAS chose for this CPU ("Haswell", "SkylakeX", ...), or "" when the BLAS
// libtorch uses is not OpenBLAS.
GMT_API const char* gmt_blas_core_name(void) {
  using corename_fn = char* (*)();
  auto f = reinterpret_cast<corename_fn>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  const char* name = f != nullptr ? f() : nullptr;
  return name != nullptr ? name : "";
}

// glibc's malloc: keeps freed blocks below mmap_threshold in the heap, and returns the heap's top to the
// system only beyond trim_threshold. Its default thresholds adapt to the largest freed block, but a training
// step's tensors (0.1-30 MB) keep crossing them, so each step's tensors came from fresh pages and were
// zero-filled by page faults (12% of the MLP step's time here). Fixed values stop that; a value < 0 leaves
// the setting alone. Returns GMT_ERROR (with a message) where malloc is not glibc's.
GMT_API int gmt_malloc_configure(int64_t mmap_threshold, int64_t trim_threshold) {
  GMT_TRY
#if defined(__GLIBC__)
  if (mmap_threshold >= 0) TORCH_CHECK(mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap_threshold)) == 1, "mallopt(M_MMAP_THRESHOLD, ", mmap_threshold, ") was refused");
  if (trim_threshold >= 0) TORCH_CHECK(mallopt(M_TRIM_THRESHOLD, static_cast<int>(trim_threshold)) == 1, "mallopt(M_TRIM_THRESHOLD, ", trim_threshold, ") was refused");
  return GMT_OK;
#else
  TORCH_CHECK(false, "the C library's malloc is not glibc's: its thresholds cannot be set");
#endif
  GMT_CATCH(GMT_ERROR)
}

// Returns the heap's free memory to the system (malloc_trim); 0 where malloc is not glibc's.
GMT_API int gmt_malloc_trim(void) {
#if defined(__GLIBC__)
  return malloc_trim(0);
#else
  return 0;
#endif
}

GMT_API int gmt_manual_seed(uint64_t seed) {
  GMT_TRY
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(seed);
  }
  if (at::detail::getCUDAHooks().hasCUDA()) {
    for (int i = 0; i < at::detail::getCUDAHooks().getNumGPUs(); ++i) {
      auto gen = at::detail::getCUDAHooks().getDefaultCUDAGenerator(i);
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
  }
  return GMT_OK;
  GMT_CATCH(GMT_ERROR)
}

GMT_API gmt_generator gmt_generator_new_cpu(uint64_t seed) {
  GMT_TRY
  return reinterpret_cast<gmt_generator>(new at::Generator(at::detail::createCPUGenerator(seed)));
  GMT_CATCH(nullptr)
}

// A handle sharing the process-wide default generator of a device (the one manual_seed seeds).
GMT_API gmt_generator gmt_generator_default(int device_type, int device_index) {
  GMT_TRY
  auto type = static_cast<c10::DeviceType>(device_type);
  if (type == c10::DeviceType::CPU) {
    return reinterpret_cast<gmt_generator>(new at::Generator(at::detail::getDefaultCPUGenerator()));
  }
  if (type == c10::DeviceType::CUDA) {
    return reinterpret_cast<gmt_generator>(
        new at::Generator(at::detail::getCUDAHooks().getDefaultCUDAGenerator(device_index)));
  }
  TORCH_CHECK(false, "no default generator for device type ", device_type);
  GMT_CATCH(nullptr)
}

GMT_API void gmt_generator_dispose(gmt_generator g) { delete reinterpret_cast<at::Generator*>(g); }

GMT_API int gmt_generator_set_seed(gmt_generator g, uint64_t seed) {
  GMT_STATUS(std::lock_guard<std::mutex> lock(G(g).mutex()); G(g).set_current_seed(seed))
}

GMT_API int gmt_generator_get_seed(gmt_generator g, uint64_t* seed) {
  GMT_STATUS(std::lock_guard<std::mutex> lock(G(g).mutex()); *seed = G(g).current_seed())
}

GMT_API gmt_tensor gmt_generator_get_state(gmt_generator g) {
  GMT_TRY
  std::lock_guard<std::mutex> lock(G(g).mutex());
  return gmt::wrap(G(g).get_state());
  GMT_CATCH(nullptr)
}

GMT_API int gmt_generator_set_state(gmt_generator g, gmt_tensor state) {
  GMT_STATUS(std::lock_guard<std::mutex> lock(G(g).mutex()); G(g).set_state(T(state)))
}

}  // extern "C"
