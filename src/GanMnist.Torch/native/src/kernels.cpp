// CPU fast paths that replace slow libtorch kernels with the same mathematics (docs/performance.md):
//  - transposed convolution through oneDNN: libtorch 1.13 runs conv_transpose2d on the CPU with its
//    "slow" im2col kernels, but a transposed convolution is the input-gradient of a convolution, which
//    oneDNN computes fast; its backward is a convolution (oneDNN) and a convolution weight-gradient (oneDNN);
//  - dropout with counter-based random numbers: libtorch's CPU bernoulli_ draws one double per element
//    from a locked Mersenne Twister; here a SplitMix64 hash of the element's index gives 32 bits per element,
//    in parallel and in vector registers, and the kept/dropped mask is saved as bytes (not a float tensor)
//    for the backward;
//  - Adam in one pass over each parameter (instead of seven tensor operations and two temporaries).
// Each is used only where it applies (CPU, floating types, ...) and can be switched off (gmt_fast_path_set),
// which the tests and the benchmark use to compare against libtorch's own kernels.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/custom_function.h>

#include <atomic>
#include <cmath>
#include <mutex>

#include "internal.h"

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace gmt {

namespace {

std::atomic<bool> fast_paths[3] = {{true}, {true}, {true}};
std::atomic<int64_t> fast_path_uses[3] = {{0}, {0}, {0}};  // how often each ran (tests and benchmarks read it)

void count_use(FastPath path) { fast_path_uses[static_cast<int>(path)].fetch_add(1, std::memory_order_relaxed); }

// ---------------------------------------------------------------------------------------------------------
// Transposed convolution as the input-gradient of a convolution.

std::vector<int64_t> vec(at::IntArrayRef a) { return a.vec(); }

// The output size of conv_transpose2d (PyTorch's formula).
std::vector<int64_t> transposed_output_size(const at::Tensor& x, const at::Tensor& w, at::IntArrayRef stride,
                                            at::IntArrayRef padding, at::IntArrayRef output_padding,
                                            at::IntArrayRef dilation, int64_t groups) {
  std::vector<int64_t> size{x.size(0), w.size(1) * groups};
  for (int d = 0; d < 2; ++d) {
    size.push_back((x.size(d + 2) - 1) * stride[d] - 2 * padding[d] + dilation[d] * (w.size(d + 2) - 1) +
                   output_padding[d] + 1);
  }
  return size;
}

struct ConvTransposeByGradient : public torch::autograd::Function<ConvTransposeByGradient> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& w, std::vector<int64_t> stride,
                            std::vector<int64_t> padding, std::vector<int64_t> output_padding,
                            std::vector<int64_t> dilation, int64_t groups) {
    auto size = transposed_output_size(x, w, stride, padding, output_padding, dilation, groups);
    // Only the shape of the convolution's input is used: the memory is never read or written.
    auto shape_only = at::empty(size, x.options());
    auto y = std::get<0>(at::convolution_backward(x, shape_only, w, c10::nullopt, stride, padding, dilation,
                                                  /*transposed=*/false, {0, 0}, groups, {true, false, false}));
    ctx->save_for_backward({x, w});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    ctx->saved_data["dilation"] = dilation;
    ctx->saved_data["groups"] = groups;
    return y;
  }

  // Differentiable operations only, so a second derivative (create_graph) works.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& w = saved[1];
    auto stride = ctx->saved_data["stride"].toIntVector();
    auto padding = ctx->saved_data["padding"].toIntVector();
    auto dilation = ctx->saved_data["dilation"].toIntVector();
    auto groups = ctx->saved_data["groups"].toInt();
    const auto& g = grads[0];
    at::Tensor gx, gw;
    if (ctx->needs_input_grad(0)) {
      gx = at::convolution(g, w, c10::nullopt, stride, padding, dilation, false, {0, 0}, groups);
    }
    if (ctx->needs_input_grad(1)) {
      gw = std::get<1>(at::convolution_backward(x, g, w, c10::nullopt, stride, padding, dilation, false, {0, 0},
                                                groups, {false, true, false}));
    }
    return {gx, gw, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

// Where the oneDNN route applies: CPU float32 with oneDNN enabled, a 4-D input, and an output padding
// below the stride (so a convolution of the output's size gives back the input's size).
bool transposed_by_gradient_applies(const at::Tensor& x, const at::Tensor& w, at::IntArrayRef stride,
                                    at::IntArrayRef output_padding) {
  if (!fast_path_enabled(FastPath::ConvTranspose) || !at::hasMKLDNN() || !at::globalContext().userEnabledMkldnn()) return false;
  if (!x.device().is_cpu() || x.scalar_type() != at::kFloat || w.scalar_type() != at::kFloat) return false;
  if (x.dim() != 4 || w.dim() != 4 || x.is_mkldnn() || w.is_mkldnn()) return false;
  for (int d = 0; d < 2; ++d) {
    if (output_padding[d] >= stride[d]) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Dropout with counter-based random numbers.

// SplitMix64's output function: a bijective mix of a 64-bit counter whose outputs pass BigCrush as a sequence
// (SplitMix64 is exactly this function over seed + i * golden ratio). Pair j of a tensor's elements gets
// mix(seed + j * kGolden): its low 32 bits decide element 2j, its high 32 bits element 2j + 1.
constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Elements [2 * pair_begin, 2 * pair_end) of a tensor of n elements (n may be odd: the last pair's second half
// is skipped). An element is kept when its 32-bit draw is >= threshold.
template <typename scalar_t>
__attribute__((target_clones("avx512f", "avx2", "default"))) void dropout_pairs(
    const scalar_t* __restrict in, scalar_t* __restrict out, bool* __restrict keep, int64_t n, int64_t pair_begin,
    int64_t pair_end, uint64_t seed, uint32_t threshold, scalar_t scale) {
  const int64_t full_end = std::min(pair_end, n / 2);
  for (int64_t j = pair_begin; j < full_end; ++j) {
    const uint64_t bits = mix64(seed + static_cast<uint64_t>(j) * kGolden);
    const bool k0 = static_cast<uint32_t>(bits) >= threshold;
    const bool k1 = static_cast<uint32_t>(bits >> 32) >= threshold;
    keep[2 * j] = k0;
    keep[2 * j + 1] = k1;
    out[2 * j] = in[2 * j] * (k0 ? scale : scalar_t(0));  // NaN stays NaN, as x * noise does
    out[2 * j + 1] = in[2 * j + 1] * (k1 ? scale : scalar_t(0));
  }
  if (pair_end > full_end && pair_end * 2 > n) {  // n is odd: the last element is the low half of its pair
    const int64_t j = n / 2;
    const bool k0 = static_cast<uint32_t>(mix64(seed + static_cast<uint64_t>(j) * kGolden)) >= threshold;
    keep[n - 1] = k0;
    out[n - 1] = in[n - 1] * (k0 ? scale : scalar_t(0));
  }
}

template <typename scalar_t>
__attribute__((target_clones("avx512f", "avx2", "default"))) void dropout_backward_range(
    const scalar_t* __restrict grad, const bool* __restrict keep, scalar_t* __restrict out, int64_t begin, int64_t end,
    scalar_t scale) {
  for (int64_t i = begin; i < end; ++i) out[i] = grad[i] * (keep[i] ? scale : scalar_t(0));
}

struct FusedDropout : public torch::autograd::Function<FusedDropout> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, double p) {
    auto x = input.contiguous();
    // One 64-bit draw from libtorch's default CPU generator seeds this call: runs stay reproducible with
    // manual_seed and the generator's saved state, and the mask does not depend on the thread count.
    uint64_t seed;
    {
      auto gen = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(gen.mutex());
      seed = at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
    }
    // Probability of a drop: threshold / 2^32, p to within 2^-33.
    const double dropped = std::nearbyint(p * 4294967296.0);
    const auto threshold = static_cast<uint32_t>(std::min(dropped, 4294967295.0));
    auto mask = at::empty(x.sizes(), x.options().dtype(at::kBool));
    auto y = at::empty_like(x);
    const int64_t n = x.numel();
    auto* keep = mask.data_ptr<bool>();
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "gmt_dropout", [&] {
      // PyTorch's noise value: 1 / (1 - p) in the tensor's type.
      const auto scale = static_cast<scalar_t>(1) / static_cast<scalar_t>(1 - p);
      const auto* in = x.data_ptr<scalar_t>();
      auto* out = y.data_ptr<scalar_t>();
      at::parallel_for(0, (n + 1) / 2, 1 << 14, [&](int64_t begin, int64_t end) {
        dropout_pairs<scalar_t>(in, out, keep, n, begin, end, seed, threshold, scale);
      });
    });
    ctx->save_for_backward({mask});
    ctx->saved_data["p"] = p;
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto mask = ctx->get_saved_variables()[0];
    const double p = ctx->saved_data["p"].toDouble();
    return {apply_mask(grads[0], mask, p), at::Tensor()};
  }

  // grad * keep / (1 - p); with differentiable operations when a graph of the gradient is being built.
  static at::Tensor apply_mask(const at::Tensor& grad, const at::Tensor& mask, double p) {
    if (c10::GradMode::is_enabled() || !grad.device().is_cpu()) {
      return grad * mask.to(grad.scalar_type()).div_(1 - p);
    }
    auto g = grad.contiguous();
    auto out = at::empty_like(g);
    const auto* keep = mask.data_ptr<bool>();
    AT_DISPATCH_FLOATING_TYPES(g.scalar_type(), "gmt_dropout_backward", [&] {
      const auto scale = static_cast<scalar_t>(1) / static_cast<scalar_t>(1 - p);
      const auto* in = g.data_ptr<scalar_t>();
      auto* result = out.data_ptr<scalar_t>();
      at::parallel_for(0, g.numel(), 1 << 15, [&](int64_t begin, int64_t end) {
        dropout_backward_range<scalar_t>(in, keep, result, begin, end, scale);
      });
    });
    return out;
  }
};

bool fused_dropout_applies(const at::Tensor& x, double p, bool training) {
  return fast_path_enabled(FastPath::Dropout) && training && p > 0 && p < 1 && x.device().is_cpu() &&
         (x.scalar_type() == at::kFloat || x.scalar_type() == at::kDouble) && x.numel() > 0;
}

// ---------------------------------------------------------------------------------------------------------
// Adam in one pass.

bool fused_adam_applies(const at::Tensor& p, const at::Tensor& grad, const at::Tensor& m, const at::Tensor& v) {
  if (!fast_path_enabled(FastPath::Adam)) return false;
  for (const auto* t : {&p, &grad, &m, &v}) {
    if (!t->device().is_cpu() || t->scalar_type() != at::kFloat || !t->is_contiguous() || t->is_sparse()) return false;
  }
  return grad.numel() == p.numel() && m.numel() == p.numel() && v.numel() == p.numel();
}

// One chunk of the update; compiled for AVX-512, AVX2 and the baseline, picked at load time (the same
// arithmetic in each: no fused multiply-add, see CMakeLists.txt).
__attribute__((target_clones("avx512f", "avx2", "default"))) void adam_chunk(
    float* __restrict pd, const float* __restrict gd, float* __restrict md, float* __restrict vd, int64_t n,
    float lr_over_bc1, float bc2_sqrt, float beta1, float one_minus_beta1, float beta2, float one_minus_beta2, float eps,
    float weight_decay) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gd[i] + weight_decay * pd[i];
    const float mi = md[i] * beta1 + one_minus_beta1 * g;
    const float vi = vd[i] * beta2 + one_minus_beta2 * g * g;
    md[i] = mi;
    vd[i] = vi;
    const float denom = std::sqrt(vi) / bc2_sqrt + eps;
    pd[i] = pd[i] + lr_over_bc1 * (mi / denom);
  }
}

// The same arithmetic as torch.optim.Adam's tensor operations (adam_step below), element by element, in float.
void adam_step_fused(at::Tensor& p, const at::Tensor& grad, at::Tensor& m, at::Tensor& v, float lr_over_bc1,
                     float bc2_sqrt, float beta1, float one_minus_beta1, float beta2, float one_minus_beta2,
                     float eps, float weight_decay) {
  auto* pd = p.data_ptr<float>();
  const auto* gd = grad.data_ptr<float>();
  auto* md = m.data_ptr<float>();
  auto* vd = v.data_ptr<float>();
  at::parallel_for(0, p.numel(), 1 << 14, [&](int64_t begin, int64_t end) {
    adam_chunk(pd + begin, gd + begin, md + begin, vd + begin, end - begin, lr_over_bc1, bc2_sqrt, beta1,
               one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay);
  });
}

}  // namespace


bool fast_path_enabled(FastPath path) { return fast_paths[static_cast<int>(path)].load(std::memory_order_relaxed); }

void set_fast_path(FastPath path, bool value) { fast_paths[static_cast<int>(path)].store(value); }

at::Tensor conv_transpose2d(const at::Tensor& x, const at::Tensor& w, const c10::optional<at::Tensor>& bias,
                            at::IntArrayRef stride, at::IntArrayRef padding, at::IntArrayRef output_padding,
                            int64_t groups, at::IntArrayRef dilation) {
  if (!transposed_by_gradient_applies(x, w, stride, output_padding)) {
    return at::conv_transpose2d(x, w, bias, stride, padding, output_padding, groups, dilation);
  }
  TORCH_CHECK(x.size(1) == w.size(0), "conv_transpose2d: the input has ", x.size(1),
              " channels but the weight expects ", w.size(0));
  count_use(FastPath::ConvTranspose);
  auto y = ConvTransposeByGradient::apply(x, w, vec(stride), vec(padding), vec(output_padding), vec(dilation), groups);
  if (bias.has_value() && bias->defined()) y = y + bias->view({1, -1, 1, 1});
  return y;
}

at::Tensor dropout(const at::Tensor& x, double p, bool training) {
  if (!fused_dropout_applies(x, p, training)) return at::dropout(x, p, training);
  count_use(FastPath::Dropout);
  return FusedDropout::apply(x, p);
}

void adam_step(at::Tensor& p, const at::Tensor& grad, at::Tensor& m, at::Tensor& v, int64_t step, double lr,
               double beta1, double beta2, double eps, double weight_decay) {
  const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(step));
  const double bias_correction2_sqrt = std::sqrt(1 - std::pow(beta2, static_cast<double>(step)));
  if (fused_adam_applies(p, grad, m, v)) {
    count_use(FastPath::Adam);
    adam_step_fused(p, grad, m, v, static_cast<float>(-lr / bias_correction1), static_cast<float>(bias_correction2_sqrt),
                    static_cast<float>(beta1), static_cast<float>(1 - beta1), static_cast<float>(beta2),
                    static_cast<float>(1 - beta2), static_cast<float>(eps), static_cast<float>(weight_decay));
    return;
  }
  // torch.optim.Adam's single-tensor path (PyTorch 1.13).
  auto g = weight_decay != 0 ? grad.add(p, weight_decay) : grad;
  m.mul_(beta1).add_(g, 1 - beta1);
  v.mul_(beta2).addcmul_(g, g, 1 - beta2);
  auto denom = (v.sqrt() / bias_correction2_sqrt).add_(eps);
  p.addcdiv_(m, denom, -lr / bias_correction1);
}

int64_t fast_path_uses_of(FastPath path) { return fast_path_uses[static_cast<int>(path)].load(); }

}  // namespace gmt

extern "C" {

// How many times a fast path ran in this process (a transposed convolution, a dropout, a parameter update).
GMT_API int64_t gmt_fast_path_uses(int path) {
  return path >= 0 && path < 3 ? gmt::fast_path_uses_of(static_cast<gmt::FastPath>(path)) : -1;
}

GMT_API int gmt_fast_path_get(int path, int* enabled) {
  GMT_TRY
  TORCH_CHECK(path >= 0 && path < 3, "unknown fast path ", path);
  *enabled = gmt::fast_path_enabled(static_cast<gmt::FastPath>(path)) ? 1 : 0;
  return GMT_OK;
  GMT_CATCH(GMT_ERROR)
}

GMT_API int gmt_fast_path_set(int path, int enabled) {
  GMT_TRY
  TORCH_CHECK(path >= 0 && path < 3, "unknown fast path ", path);
  gmt::set_fast_path(static_cast<gmt::FastPath>(path), enabled != 0);
  return GMT_OK;
  GMT_CATCH(GMT_ERROR)
}

}  // extern "C"
