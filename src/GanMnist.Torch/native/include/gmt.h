/* GanMnist.Torch native shim: the C ABI the managed layer binds to.
 *
 * Rules (docs/architecture.md):
 *  - every function is extern "C"; tensors and generators are opaque handles owned by the caller,
 *    freed exactly once with gmt_tensor_dispose / gmt_generator_dispose;
 *  - no C++ exception crosses this boundary: a function that fails returns NULL (handle results)
 *    or GMT_ERROR (status results), and gmt_last_error() gives libtorch's message for this thread;
 *  - an optional tensor argument is passed as NULL.
 */
#ifndef GANMNIST_TORCH_GMT_H
#define GANMNIST_TORCH_GMT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GMT_API __attribute__((visibility("default")))
#define GMT_OK 0
#define GMT_ERROR (-1)

typedef struct gmt_tensor_s* gmt_tensor;
typedef struct gmt_generator_s* gmt_generator;

/* errors and runtime */
GMT_API const char* gmt_last_error(void);
GMT_API void gmt_clear_error(void);
GMT_API const char* gmt_version(void);
GMT_API int gmt_cuda_runtime_version(void);
GMT_API int gmt_cuda_device_count(void);
GMT_API int gmt_cuda_synchronize(int device_index);
GMT_API int gmt_get_num_threads(void);
GMT_API int gmt_set_num_threads(int n);
GMT_API int gmt_manual_seed(uint64_t seed);
GMT_API const char* gmt_blas_core_name(void);
GMT_API int gmt_malloc_configure(int64_t mmap_threshold, int64_t trim_threshold);
GMT_API int gmt_malloc_trim(void);
GMT_API int gmt_cpu_allocator_install(int64_t min_block, int64_t max_cached);
GMT_API int gmt_cpu_allocator_stats(int64_t* live, int64_t* cached);
GMT_API int64_t gmt_cpu_allocator_empty_cache(void);

/* random generators */
GMT_API gmt_generator gmt_generator_new_cpu(uint64_t seed);
GMT_API gmt_generator gmt_generator_default(int device_type, int device_index);
GMT_API void gmt_generator_dispose(gmt_generator g);
GMT_API int gmt_generator_set_seed(gmt_generator g, uint64_t seed);
GMT_API int gmt_generator_get_seed(gmt_generator g, uint64_t* seed);
GMT_API gmt_tensor gmt_generator_get_state(gmt_generator g);
GMT_API int gmt_generator_set_state(gmt_generator g, gmt_tensor state);

/* tensor lifetime, data and properties */
GMT_API void gmt_tensor_dispose(gmt_tensor t);
GMT_API gmt_tensor gmt_tensor_from_data(const void* data, const int64_t* shape, int ndim, int dtype,
                                        int device_type, int device_index);
GMT_API int gmt_tensor_copy_to(gmt_tensor t, void* dst, int64_t nbytes);
GMT_API gmt_tensor gmt_tensor_factory(int kind, const int64_t* shape, int ndim, int dtype, int device_type,
                                      int device_index, double a, double b, gmt_generator g);
GMT_API gmt_tensor gmt_tensor_randperm(int64_t n, int dtype, int device_type, int device_index, gmt_generator g);
GMT_API int gmt_tensor_info(gmt_tensor t, int* dtype, int* device_type, int* device_index, int* ndim,
                            int* requires_grad);
GMT_API int gmt_tensor_shape(gmt_tensor t, int64_t* shape);
GMT_API int gmt_tensor_item(gmt_tensor t, double* value);
GMT_API int gmt_tensor_equal(gmt_tensor a, gmt_tensor b, int* result);
GMT_API gmt_tensor gmt_tensor_to(gmt_tensor t, int dtype, int device_type, int device_index, int copy);
GMT_API gmt_tensor gmt_tensor_clone(gmt_tensor t);
GMT_API gmt_tensor gmt_tensor_contiguous(gmt_tensor t);
GMT_API gmt_tensor gmt_tensor_alias(gmt_tensor t);

/* elementwise and reductions */
GMT_API gmt_tensor gmt_tensor_unary(gmt_tensor t, int op);
GMT_API gmt_tensor gmt_tensor_binary(gmt_tensor a, gmt_tensor b, int op);
GMT_API gmt_tensor gmt_tensor_binary_scalar(gmt_tensor a, double s, int op, int scalar_first);
GMT_API int gmt_tensor_inplace_scalar(gmt_tensor t, int op, double s);
GMT_API int gmt_tensor_copy_(gmt_tensor dst, gmt_tensor src);
GMT_API gmt_tensor gmt_tensor_reduce(gmt_tensor t, int op, const int64_t* dims, int ndims, int keepdim);
GMT_API gmt_tensor gmt_tensor_argmax(gmt_tensor t, int64_t dim, int has_dim, int keepdim);
GMT_API int gmt_tensor_topk(gmt_tensor t, int64_t k, int64_t dim, int largest, int sorted, gmt_tensor* values, gmt_tensor* indices);
GMT_API gmt_tensor gmt_tensor_clamp(gmt_tensor t, double min, int has_min, double max, int has_max);
GMT_API gmt_tensor gmt_tensor_matmul(gmt_tensor a, gmt_tensor b);

/* shape and indexing */
GMT_API gmt_tensor gmt_tensor_reshape(gmt_tensor t, const int64_t* shape, int ndim, int view_only);
GMT_API gmt_tensor gmt_tensor_flatten(gmt_tensor t, int64_t start_dim, int64_t end_dim);
GMT_API gmt_tensor gmt_tensor_permute(gmt_tensor t, const int64_t* dims, int ndims);
GMT_API gmt_tensor gmt_tensor_transpose(gmt_tensor t, int64_t dim0, int64_t dim1);
GMT_API gmt_tensor gmt_tensor_unsqueeze(gmt_tensor t, int64_t dim);
GMT_API gmt_tensor gmt_tensor_squeeze(gmt_tensor t, int64_t dim);
GMT_API gmt_tensor gmt_tensor_narrow(gmt_tensor t, int64_t dim, int64_t start, int64_t length);
GMT_API gmt_tensor gmt_tensor_index_select(gmt_tensor t, int64_t dim, gmt_tensor index);
GMT_API gmt_tensor gmt_tensor_cat(const gmt_tensor* ts, int n, int64_t dim, int stack);

/* neural-network functions */
GMT_API gmt_tensor gmt_nn_linear(gmt_tensor x, gmt_tensor w, gmt_tensor b);
GMT_API gmt_tensor gmt_nn_conv2d(gmt_tensor x, gmt_tensor w, gmt_tensor b, const int64_t* stride,
                                 const int64_t* padding, const int64_t* dilation, int64_t groups);
GMT_API gmt_tensor gmt_nn_conv_transpose2d(gmt_tensor x, gmt_tensor w, gmt_tensor b, const int64_t* stride,
                                           const int64_t* padding, const int64_t* output_padding,
                                           int64_t groups, const int64_t* dilation);
GMT_API gmt_tensor gmt_nn_batch_norm(gmt_tensor x, gmt_tensor w, gmt_tensor b, gmt_tensor running_mean,
                                     gmt_tensor running_var, int training, double momentum, double eps);
GMT_API gmt_tensor gmt_nn_dropout(gmt_tensor x, double p, int training);
GMT_API gmt_tensor gmt_nn_leaky_relu(gmt_tensor x, double negative_slope);
GMT_API gmt_tensor gmt_nn_softmax(gmt_tensor x, int64_t dim, int log);
GMT_API gmt_tensor gmt_nn_bce_with_logits(gmt_tensor x, gmt_tensor target, gmt_tensor weight,
                                          gmt_tensor pos_weight, int reduction);
GMT_API gmt_tensor gmt_nn_mse_loss(gmt_tensor x, gmt_tensor target, int reduction);
GMT_API gmt_tensor gmt_nn_cross_entropy(gmt_tensor x, gmt_tensor target, gmt_tensor weight, int reduction,
                                        int64_t ignore_index, double label_smoothing);
GMT_API gmt_tensor gmt_nn_embedding(gmt_tensor weight, gmt_tensor indices);
GMT_API gmt_tensor gmt_nn_max_pool2d(gmt_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                                     const int64_t* dilation, int ceil_mode);
GMT_API int gmt_nn_init_(gmt_tensor t, int kind, double a, double b, gmt_generator g);

/* autograd */
GMT_API int gmt_grad_enabled(void);
GMT_API void gmt_set_grad_enabled(int enabled);
GMT_API int gmt_tensor_set_requires_grad(gmt_tensor t, int requires_grad);
GMT_API gmt_tensor gmt_tensor_detach(gmt_tensor t);
GMT_API int gmt_tensor_backward(gmt_tensor t, gmt_tensor grad, int retain_graph, int create_graph);
GMT_API int gmt_tensor_grad(gmt_tensor t, gmt_tensor* grad);
GMT_API int gmt_tensor_clear_grad(gmt_tensor t);
GMT_API int gmt_autograd_grad(const gmt_tensor* outputs, int n_outputs, const gmt_tensor* inputs, int n_inputs,
                              const gmt_tensor* grad_outputs, int retain_graph, int create_graph,
                              int allow_unused, gmt_tensor* results);

/* optimizers */
GMT_API int gmt_optim_adam_step(const gmt_tensor* params, const gmt_tensor* exp_avg, const gmt_tensor* exp_avg_sq,
                                int64_t* steps, int n, double lr, double beta1, double beta2, double eps,
                                double weight_decay);

/* CPU fast paths: 0 transposed convolution through oneDNN, 1 counter-based dropout, 2 one-pass Adam (kernels.cpp) */
GMT_API int gmt_fast_path_get(int path, int* enabled);
GMT_API int gmt_fast_path_set(int path, int enabled);
GMT_API int64_t gmt_fast_path_uses(int path);

#ifdef __cplusplus
}
#endif
#endif
