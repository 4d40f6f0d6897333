// Helpers shared by the shim's translation units. Not part of the C ABI.
#pragma once

#include <ATen/ATen.h>
#include <ATen/core/Generator.h>
#include <c10/util/Exception.h>

#include <exception>
#include <string>
#include <vector>

#include "gmt.h"

namespace gmt {

void set_error(const char* message);

// Op codes: mirrored by GanMnist.Torch.Native.NativeOps (keep the values in step).
enum class Unary { Neg = 0, Abs = 1, Sqrt = 2, Exp = 3, Log = 4, Relu = 5, Tanh = 6, Sigmoid = 7,
                   Softplus = 8, LogSigmoid = 9, Square = 10, Sign = 11 };
enum class Binary { Add = 0, Sub = 1, Mul = 2, Div = 3, Pow = 4, Maximum = 5, Minimum = 6,
                    Eq = 7, Ne = 8, Lt = 9, Le = 10, Gt = 11, Ge = 12 };
enum class InplaceScalar { Add = 0, Mul = 1, Fill = 2, Sub = 3, Div = 4 };
enum class Reduce { Sum = 0, Mean = 1, Amax = 2, Amin = 3 };
enum class Factory { Zeros = 0, Ones = 1, Full = 2, Empty = 3, Rand = 4, Randn = 5, Normal = 6, Randint = 7 };
enum class Init { Uniform = 0, Normal = 1, Constant = 2 };
// CPU fast paths (kernels.cpp); mirrored by GanMnist.Torch.torch.backends.FastPath.
enum class FastPath { ConvTranspose = 0, Dropout = 1, Adam = 2 };

bool fast_path_enabled(FastPath path);
void set_fast_path(FastPath path, bool value);
int64_t fast_path_uses_of(FastPath path);
// conv_transpose2d, dropout and one Adam update, through the fast paths where they apply, else libtorch's kernels.
at::Tensor conv_transpose2d(const at::Tensor& x, const at::Tensor& w, const c10::optional<at::Tensor>& bias,
                            at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding,
                            int64_t groups, at::IntArrayRef dilation);
at::Tensor dropout(const at::Tensor& x, double p, bool training);
void adam_step(at::Tensor& p, const at::Tensor& grad, at::Tensor& m, at::Tensor& v, int64_t step, double lr,
               double beta1, double beta2, double eps, double weight_decay);

inline at::Tensor& T(gmt_tensor t) { return *reinterpret_cast<at::Tensor*>(t); }
inline gmt_tensor wrap(at::Tensor t) { return reinterpret_cast<gmt_tensor>(new at::Tensor(std::move(t))); }
inline c10::optional<at::Tensor> opt(gmt_tensor t) {
  return t == nullptr ? c10::optional<at::Tensor>() : c10::optional<at::Tensor>(T(t));
}
inline at::Generator& G(gmt_generator g) { return *reinterpret_cast<at::Generator*>(g); }
inline c10::optional<at::Generator> opt(gmt_generator g) {
  return g == nullptr ? c10::optional<at::Generator>() : c10::optional<at::Generator>(G(g));
}
inline at::Device device(int type, int index) {
  return at::Device(static_cast<c10::DeviceType>(type), static_cast<c10::DeviceIndex>(index));
}
inline at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)).device(device(device_type, device_index));
}
inline std::vector<at::Tensor> tensors(const gmt_tensor* ts, int n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (int i = 0; i < n; ++i) v.push_back(T(ts[i]));
  return v;
}

}  // namespace gmt

// Every exported function body sits between GMT_TRY and GMT_CATCH(value on failure):
// a C++ exception never crosses the C ABI; its message is kept for gmt_last_error().
#define GMT_TRY try {
#define GMT_CATCH(failure)                                  \
  }                                                         \
  catch (const c10::Error& e) {                             \
    gmt::set_error(e.what_without_backtrace());             \
  }                                                         \
  catch (const std::exception& e) {                         \
    gmt::set_error(e.what());                               \
  }                                                         \
  catch (...) {                                             \
    gmt::set_error("unknown native exception in libtorch"); \
  }                                                         \
  return failure;

// Handle-returning functions: the tensor expression on success, NULL on failure.
#define GMT_RETURN_TENSOR(expr) GMT_TRY return gmt::wrap(expr); GMT_CATCH(nullptr)
// Status-returning functions: run the statements, GMT_OK on success, GMT_ERROR on failure.
#define GMT_STATUS(stmts) GMT_TRY stmts; return GMT_OK; GMT_CATCH(GMT_ERROR)
