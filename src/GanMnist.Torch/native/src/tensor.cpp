// Tensor lifetime, data transfer, properties, elementwise ops, reductions and views.
#include <cstring>

#include "internal.h"

using gmt::T;
using gmt::wrap;

namespace {

at::Tensor unary(const at::Tensor& t, gmt::Unary op) {
  switch (op) {
    case gmt::Unary::Neg: return at::neg(t);
    case gmt::Unary::Abs: return at::abs(t);
    case gmt::Unary::Sqrt: return at::sqrt(t);
    case gmt::Unary::Exp: return at::exp(t);
    case gmt::Unary::Log: return at::log(t);
    case gmt::Unary::Relu: return at::relu(t);
    case gmt::Unary::Tanh: return at::tanh(t);
    case gmt::Unary::Sigmoid: return at::sigmoid(t);
    case gmt::Unary::Softplus: return at::softplus(t);
    case gmt::Unary::LogSigmoid: return at::log_sigmoid(t);
    case gmt::Unary::Square: return at::square(t);
    case gmt::Unary::Sign: return at::sign(t);
  }
  TORCH_CHECK(false, "unknown unary op code ", static_cast<int>(op));
}

at::Tensor binary(const at::Tensor& a, const at::Tensor& b, gmt::Binary op) {
  switch (op) {
    case gmt::Binary::Add: return at::add(a, b);
    case gmt::Binary::Sub: return at::sub(a, b);
    case gmt::Binary::Mul: return at::mul(a, b);
    case gmt::Binary::Div: return at::div(a, b);
    case gmt::Binary::Pow: return at::pow(a, b);
    case gmt::Binary::Maximum: return at::maximum(a, b);
    case gmt::Binary::Minimum: return at::minimum(a, b);
    case gmt::Binary::Eq: return at::eq(a, b);
    case gmt::Binary::Ne: return at::ne(a, b);
    case gmt::Binary::Lt: return at::lt(a, b);
    case gmt::Binary::Le: return at::le(a, b);
    case gmt::Binary::Gt: return at::gt(a, b);
    case gmt::Binary::Ge: return at::ge(a, b);
  }
  TORCH_CHECK(false, "unknown binary op code ", static_cast<int>(op));
}

// Scalar on the right uses libtorch's scalar overloads (no temporary tensor); on the left, a 0-dim tensor.
at::Tensor binary_scalar(const at::Tensor& a, double s, gmt::Binary op) {
  switch (op) {
    case gmt::Binary::Add: return at::add(a, s);
    case gmt::Binary::Sub: return at::sub(a, s);
    case gmt::Binary::Mul: return at::mul(a, s);
    case gmt::Binary::Div: return at::div(a, s);
    case gmt::Binary::Pow: return at::pow(a, s);
    case gmt::Binary::Eq: return at::eq(a, s);
    case gmt::Binary::Ne: return at::ne(a, s);
    case gmt::Binary::Lt: return at::lt(a, s);
    case gmt::Binary::Le: return at::le(a, s);
    case gmt::Binary::Gt: return at::gt(a, s);
    case gmt::Binary::Ge: return at::ge(a, s);
    default: return binary(a, at::scalar_tensor(s, a.options().requires_grad(false)), op);
  }
}

}  // namespace

extern "C" {

GMT_API void gmt_tensor_dispose(gmt_tensor t) { delete reinterpret_cast<at::Tensor*>(t); }

GMT_API gmt_tensor gmt_tensor_from_data(const void* data, const int64_t* shape, int ndim, int dtype,
                                        int device_type, int device_index) {
  GMT_TRY
  auto cpu = at::empty(at::IntArrayRef(shape, ndim), gmt::options(dtype, 0, 0));
  std::memcpy(cpu.data_ptr(), data, cpu.nbytes());
  auto dev = gmt::device(device_type, device_index);
  return wrap(dev.is_cpu() ? cpu : cpu.to(dev));
  GMT_CATCH(nullptr)
}

GMT_API int gmt_tensor_copy_to(gmt_tensor t, void* dst, int64_t nbytes) {
  GMT_TRY
  auto cpu = T(t).detach().to(at::kCPU).contiguous();
  TORCH_CHECK(static_cast<int64_t>(cpu.nbytes()) == nbytes, "destination holds ", nbytes,
              " bytes but the tensor has ", cpu.nbytes());
  std::memcpy(dst, cpu.data_ptr(), cpu.nbytes());
  return GMT_OK;
  GMT_CATCH(GMT_ERROR)
}

GMT_API gmt_tensor gmt_tensor_factory(int kind, const int64_t* shape, int ndim, int dtype, int device_type,
                                      int device_index, double a, double b, gmt_generator g) {
  GMT_TRY
  at::IntArrayRef size(shape, ndim);
  auto o = gmt::options(dtype, device_type, device_index);
  auto gen = gmt::opt(g);
  switch (static_cast<gmt::Factory>(kind)) {
    case gmt::Factory::Zeros: return wrap(at::zeros(size, o));
    case gmt::Factory::Ones: return wrap(at::ones(size, o));
    case gmt::Factory::Full: return wrap(at::full(size, a, o));
    case gmt::Factory::Empty: return wrap(at::empty(size, o));
    case gmt::Factory::Rand: return wrap(at::rand(size, gen, o));
    case gmt::Factory::Randn: return wrap(at::randn(size, gen, o));
    case gmt::Factory::Normal: return wrap(at::normal(a, b, size, gen, o));
    case gmt::Factory::Randint:
      return wrap(at::randint(static_cast<int64_t>(a), static_cast<int64_t>(b), size, gen, o));
  }
  TORCH_CHECK(false, "unknown factory kind ", kind);
  GMT_CATCH(nullptr)
}

GMT_API gmt_tensor gmt_tensor_randperm(int64_t n, int dtype, int device_type, int device_index, gmt_generator g) {
  GMT_RETURN_TENSOR(at::randperm(n, gmt::opt(g), gmt::options(dtype, device_type, device_index)))
}

GMT_API int gmt_tensor_info(gmt_tensor t, int* dtype, int* device_type, int* device_index, int* ndim,
                            int* requires_grad) {
  GMT_STATUS(auto& x = T(t); *dtype = static_cast<int>(x.scalar_type());
             *device_type = static_cast<int>(x.device().type()); *device_index = x.device().index();
             *ndim = static_cast<int>(x.dim()); *requires_grad = x.requires_grad() ? 1 : 0)
}

GMT_API int gmt_tensor_shape(gmt_tensor t, int64_t* shape) {
  GMT_STATUS(auto sizes = T(t).sizes(); std::copy(sizes.begin(), sizes.end(), shape))
}

GMT_API int gmt_tensor_item(gmt_tensor t, double* value) { GMT_STATUS(*value = T(t).item<double>()) }

GMT_API int gmt_tensor_equal(gmt_tensor a, gmt_tensor b, int* result) {
  GMT_STATUS(*result = at::equal(T(a), T(b)) ? 1 : 0)
}

GMT_API gmt_tensor gmt_tensor_to(gmt_tensor t, int dtype, int device_type, int device_index, int copy) {
  GMT_RETURN_TENSOR(T(t).to(gmt::device(device_type, device_index), static_cast<at::ScalarType>(dtype),
                            /*non_blocking=*/false, copy != 0))
}

GMT_API gmt_tensor gmt_tensor_clone(gmt_tensor t) { GMT_RETURN_TENSOR(T(t).clone()) }
GMT_API gmt_tensor gmt_tensor_contiguous(gmt_tensor t) { GMT_RETURN_TENSOR(T(t).contiguous()) }
// A second handle to the same tensor (shared storage and autograd identity).
GMT_API gmt_tensor gmt_tensor_alias(gmt_tensor t) { GMT_RETURN_TENSOR(T(t)) }

GMT_API gmt_tensor gmt_tensor_unary(gmt_tensor t, int op) {
  GMT_RETURN_TENSOR(unary(T(t), static_cast<gmt::Unary>(op)))
}

GMT_API gmt_tensor gmt_tensor_binary(gmt_tensor a, gmt_tensor b, int op) {
  GMT_RETURN_TENSOR(binary(T(a), T(b), static_cast<gmt::Binary>(op)))
}

GMT_API gmt_tensor gmt_tensor_binary_scalar(gmt_tensor a, double s, int op, int scalar_first) {
  GMT_TRY
  auto code = static_cast<gmt::Binary>(op);
  if (scalar_first == 0) return wrap(binary_scalar(T(a), s, code));
  return wrap(binary(at::scalar_tensor(s, T(a).options().requires_grad(false)), T(a), code));
  GMT_CATCH(nullptr)
}

GMT_API int gmt_tensor_inplace_scalar(gmt_tensor t, int op, double s) {
  GMT_TRY
  // An integer tensor takes an integral scalar (libtorch will not cast a double result into it).
  bool integral = at::isIntegralType(T(t).scalar_type(), /*includeBool=*/true) && s == static_cast<double>(static_cast<int64_t>(s));
  at::Scalar value = integral ? at::Scalar(static_cast<int64_t>(s)) : at::Scalar(s);
  switch (static_cast<gmt::InplaceScalar>(op)) {
    case gmt::InplaceScalar::Add: T(t).add_(value); return GMT_OK;
    case gmt::InplaceScalar::Mul: T(t).mul_(value); return GMT_OK;
    case gmt::InplaceScalar::Fill: T(t).fill_(value); return GMT_OK;
    case gmt::InplaceScalar::Sub: T(t).sub_(value); return GMT_OK;
    case gmt::InplaceScalar::Div: T(t).div_(value); return GMT_OK;
  }
  TORCH_CHECK(false, "unknown in-place op code ", op);
  GMT_CATCH(GMT_ERROR)
}

GMT_API int gmt_tensor_copy_(gmt_tensor dst, gmt_tensor src) { GMT_STATUS(T(dst).copy_(T(src))) }

GMT_API gmt_tensor gmt_tensor_reduce(gmt_tensor t, int op, const int64_t* dims, int ndims, int keepdim) {
  GMT_TRY
  auto& x = T(t);
  at::IntArrayRef d(dims, ndims);
  bool all = ndims == 0;
  bool k = keepdim != 0;
  switch (static_cast<gmt::Reduce>(op)) {
    case gmt::Reduce::Sum: return wrap(all && !k ? x.sum() : x.sum(d, k));
    case gmt::Reduce::Mean: return wrap(all && !k ? x.mean() : x.mean(d, k));
    case gmt::Reduce::Amax: return wrap(x.amax(d, k));
    case gmt::Reduce::Amin: return wrap(x.amin(d, k));
  }
  TORCH_CHECK(false, "unknown reduction op code ", op);
  GMT_CATCH(nullptr)
}

// The k largest (or smallest) entries along dim and their int64 indices; both handles are set on success.
GMT_API int gmt_tensor_topk(gmt_tensor t, int64_t k, int64_t dim, int largest, int sorted, gmt_tensor* values, gmt_tensor* indices) {
  GMT_TRY
  auto result = at::topk(T(t), k, dim, largest != 0, sorted != 0);
  *values = wrap(std::get<0>(result));
  *indices = wrap(std::get<1>(result));
  return GMT_OK;
  GMT_CATCH(GMT_ERROR)
}

GMT_API gmt_tensor gmt_tensor_argmax(gmt_tensor t, int64_t dim, int has_dim, int keepdim) {
  GMT_RETURN_TENSOR(at::argmax(T(t), has_dim ? c10::optional<int64_t>(dim) : c10::nullopt, keepdim != 0))
}

GMT_API gmt_tensor gmt_tensor_clamp(gmt_tensor t, double min, int has_min, double max, int has_max) {
  GMT_RETURN_TENSOR(at::clamp(T(t), has_min ? c10::optional<at::Scalar>(min) : c10::nullopt,
                              has_max ? c10::optional<at::Scalar>(max) : c10::nullopt))
}

GMT_API gmt_tensor gmt_tensor_matmul(gmt_tensor a, gmt_tensor b) { GMT_RETURN_TENSOR(at::matmul(T(a), T(b))) }

GMT_API gmt_tensor gmt_tensor_reshape(gmt_tensor t, const int64_t* shape, int ndim, int view_only) {
  GMT_TRY
  at::IntArrayRef s(shape, ndim);
  return wrap(view_only ? T(t).view(s) : T(t).reshape(s));
  GMT_CATCH(nullptr)
}

GMT_API gmt_tensor gmt_tensor_flatten(gmt_tensor t, int64_t start_dim, int64_t end_dim) {
  GMT_RETURN_TENSOR(T(t).flatten(start_dim, end_dim))
}

GMT_API gmt_tensor gmt_tensor_permute(gmt_tensor t, const int64_t* dims, int ndims) {
  GMT_RETURN_TENSOR(T(t).permute(at::IntArrayRef(dims, ndims)))
}

GMT_API gmt_tensor gmt_tensor_transpose(gmt_tensor t, int64_t dim0, int64_t dim1) {
  GMT_RETURN_TENSOR(T(t).transpose(dim0, dim1))
}

GMT_API gmt_tensor gmt_tensor_unsqueeze(gmt_tensor t, int64_t dim) { GMT_RETURN_TENSOR(T(t).unsqueeze(dim)) }
GMT_API gmt_tensor gmt_tensor_squeeze(gmt_tensor t, int64_t dim) { GMT_RETURN_TENSOR(T(t).squeeze(dim)) }

GMT_API gmt_tensor gmt_tensor_narrow(gmt_tensor t, int64_t dim, int64_t start, int64_t length) {
  GMT_RETURN_TENSOR(T(t).narrow(dim, start, length))
}

GMT_API gmt_tensor gmt_tensor_index_select(gmt_tensor t, int64_t dim, gmt_tensor index) {
  GMT_RETURN_TENSOR(at::index_select(T(t), dim, T(index)))
}

GMT_API gmt_tensor gmt_tensor_cat(const gmt_tensor* ts, int n, int64_t dim, int stack) {
  GMT_TRY
  auto v = gmt::tensors(ts, n);
  return wrap(stack ? at::stack(v, dim) : at::cat(v, dim));
  GMT_CATCH(nullptr)
}

}  // extern "C"
