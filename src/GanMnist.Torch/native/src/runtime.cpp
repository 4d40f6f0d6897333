// Runtime information, threads, seeding and random generators.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

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
