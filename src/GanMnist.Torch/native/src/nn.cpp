// Neural-network functions, losses, initialisation and the fused Adam update.
#include "internal.h"

using gmt::opt;
using gmt::T;

extern "C" {

GMT_API gmt_tensor gmt_nn_linear(gmt_tensor x, gmt_tensor w, gmt_tensor b) {
  GMT_RETURN_TENSOR(at::linear(T(x), T(w), opt(b)))
}

GMT_API gmt_tensor gmt_nn_conv2d(gmt_tensor x, gmt_tensor w, gmt_tensor b, const int64_t* stride,
                                 const int64_t* padding, const int64_t* dilation, int64_t groups) {
  GMT_RETURN_TENSOR(at::conv2d(T(x), T(w), opt(b), at::IntArrayRef(stride, 2), at::IntArrayRef(padding, 2),
                               at::IntArrayRef(dilation, 2), groups))
}

GMT_API gmt_tensor gmt_nn_conv_transpose2d(gmt_tensor x, gmt_tensor w, gmt_tensor b, const int64_t* stride,
                                           const int64_t* padding, const int64_t* output_padding,
                                           int64_t groups, const int64_t* dilation) {
  GMT_RETURN_TENSOR(gmt::conv_transpose2d(T(x), T(w), opt(b), at::IntArrayRef(stride, 2),
                                           at::IntArrayRef(padding, 2), at::IntArrayRef(output_padding, 2), groups,
                                           at::IntArrayRef(dilation, 2)))
}

// Updates running_mean/running_var in place when training, like torch.nn.functional.batch_norm.
GMT_API gmt_tensor gmt_nn_batch_norm(gmt_tensor x, gmt_tensor w, gmt_tensor b, gmt_tensor running_mean,
                                     gmt_tensor running_var, int training, double momentum, double eps) {
  GMT_RETURN_TENSOR(at::batch_norm(T(x), opt(w), opt(b), opt(running_mean), opt(running_var), training != 0,
                                   momentum, eps, /*cudnn_enabled=*/true))
}

GMT_API gmt_tensor gmt_nn_dropout(gmt_tensor x, double p, int training) {
  GMT_RETURN_TENSOR(gmt::dropout(T(x), p, training != 0))
}

GMT_API gmt_tensor gmt_nn_leaky_relu(gmt_tensor x, double negative_slope) {
  GMT_RETURN_TENSOR(at::leaky_relu(T(x), negative_slope))
}

GMT_API gmt_tensor gmt_nn_softmax(gmt_tensor x, int64_t dim, int log) {
  GMT_RETURN_TENSOR(log ? at::log_softmax(T(x), dim) : at::softmax(T(x), dim))
}

GMT_API gmt_tensor gmt_nn_bce_with_logits(gmt_tensor x, gmt_tensor target, gmt_tensor weight,
                                          gmt_tensor pos_weight, int reduction) {
  GMT_RETURN_TENSOR(at::binary_cross_entropy_with_logits(T(x), T(target), opt(weight), opt(pos_weight), reduction))
}

GMT_API gmt_tensor gmt_nn_mse_loss(gmt_tensor x, gmt_tensor target, int reduction) {
  GMT_RETURN_TENSOR(at::mse_loss(T(x), T(target), reduction))
}

GMT_API gmt_tensor gmt_nn_cross_entropy(gmt_tensor x, gmt_tensor target, gmt_tensor weight, int reduction,
                                        int64_t ignore_index, double label_smoothing) {
  GMT_RETURN_TENSOR(at::cross_entropy_loss(T(x), T(target), opt(weight), reduction, ignore_index, label_smoothing))
}

GMT_API gmt_tensor gmt_nn_embedding(gmt_tensor weight, gmt_tensor indices) {
  GMT_RETURN_TENSOR(at::embedding(T(weight), T(indices)))
}

GMT_API gmt_tensor gmt_nn_max_pool2d(gmt_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                     const int64_t* dilation, int ceil_mode) {
  GMT_RETURN_TENSOR(at::max_pool2d(T(x), at::IntArrayRef(kernel, 2), at::IntArrayRef(stride, 2),
                                   at::IntArrayRef(padding, 2), at::IntArrayRef(dilation, 2), ceil_mode != 0))
}

// In-place initialisation outside autograd (torch.nn.init.*_).
GMT_API int gmt_nn_init_(gmt_tensor t, int kind, double a, double b, gmt_generator g) {
  GMT_TRY
  at::NoGradGuard no_grad;
  switch (static_cast<gmt::Init>(kind)) {
    case gmt::Init::Uniform: T(t).uniform_(a, b, opt(g)); return GMT_OK;
    case gmt::Init::Normal: T(t).normal_(a, b, opt(g)); return GMT_OK;
    case gmt::Init::Constant: T(t).fill_(a); return GMT_OK;
  }
  TORCH_CHECK(false, "unknown init kind ", kind);
  GMT_CATCH(GMT_ERROR)
}

// One Adam update of every parameter that has a gradient, as torch.optim.Adam (PyTorch 1.13,
// single-tensor path, no amsgrad): L2 weight decay added to the gradient, bias-corrected moments; in one
// pass per parameter where the fast path applies (kernels.cpp).
// steps[i] counts parameter i's updates: it is advanced here, and parameters without a gradient are skipped.
GMT_API int gmt_optim_adam_step(const gmt_tensor* params, const gmt_tensor* exp_avg, const gmt_tensor* exp_avg_sq,
                                int64_t* steps, int n, double lr, double beta1, double beta2, double eps,
                                double weight_decay) {
  GMT_TRY
  at::NoGradGuard no_grad;
  for (int i = 0; i < n; ++i) {
    auto& p = T(params[i]);
    const auto& grad = p.grad();
    if (!grad.defined()) continue;
    gmt::adam_step(p, grad, T(exp_avg[i]), T(exp_avg_sq[i]), ++steps[i], lr, beta1, beta2, eps, weight_decay);
  }
  return GMT_OK;
  GMT_CATCH(GMT_ERROR)
}

}  // extern "C"
