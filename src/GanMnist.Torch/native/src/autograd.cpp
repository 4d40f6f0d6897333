// Autograd: grad mode, requires_grad, backward, gradients and torch.autograd.grad.
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

#include "internal.h"

using gmt::T;
using gmt::wrap;

extern "C" {

GMT_API int gmt_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }

GMT_API void gmt_set_grad_enabled(int enabled) { c10::GradMode::set_enabled(enabled != 0); }

GMT_API int gmt_tensor_set_requires_grad(gmt_tensor t, int requires_grad) {
  GMT_STATUS(T(t).requires_grad_(requires_grad != 0))
}

GMT_API gmt_tensor gmt_tensor_detach(gmt_tensor t) { GMT_RETURN_TENSOR(T(t).detach()) }

GMT_API int gmt_tensor_backward(gmt_tensor t, gmt_tensor grad, int retain_graph, int create_graph) {
  GMT_STATUS(T(t).backward(grad == nullptr ? at::Tensor() : T(grad), retain_graph != 0, create_graph != 0))
}

// *grad is NULL when the tensor has no gradient (never computed, or cleared).
GMT_API int gmt_tensor_grad(gmt_tensor t, gmt_tensor* grad) {
  GMT_TRY
  const auto& g = T(t).grad();
  *grad = g.defined() ? wrap(g) : nullptr;
  return GMT_OK;
  GMT_CATCH(GMT_ERROR)
}

// Sets the gradient to none, as zero_grad(set_to_none=True).
GMT_API int gmt_tensor_clear_grad(gmt_tensor t) { GMT_STATUS(T(t).mutable_grad().reset()) }

// torch.autograd.grad: results[i] is NULL for an input the outputs do not depend on (allow_unused).
GMT_API int gmt_autograd_grad(const gmt_tensor* outputs, int n_outputs, const gmt_tensor* inputs, int n_inputs,
                              const gmt_tensor* grad_outputs, int retain_graph, int create_graph,
                              int allow_unused, gmt_tensor* results) {
  GMT_TRY
  std::vector<at::Tensor> gouts;
  if (grad_outputs != nullptr) gouts = gmt::tensors(grad_outputs, n_outputs);
  auto grads = torch::autograd::grad(gmt::tensors(outputs, n_outputs), gmt::tensors(inputs, n_inputs), gouts,
                                     retain_graph != 0, create_graph != 0, allow_unused != 0);
  for (int i = 0; i < n_inputs; ++i) results[i] = grads[i].defined() ? wrap(grads[i]) : nullptr;
  return GMT_OK;
  GMT_CATCH(GMT_ERROR)
}

}  // extern "C"
