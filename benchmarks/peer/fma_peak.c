// The machine's peak float32 rate, the bound in docs/performance.md's "% of peak" column: on each thread,
// twelve independent chains of vector fused multiply-adds held in registers (AVX-512 where the processor
// has it, else AVX2), best of 5 runs. Prints one JSON line.
// Build and run: gcc -O2 -fopenmp fma_peak.c -o fma_peak && ./fma_peak [threads]
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

#define CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

__attribute__((target("avx512f"))) static float run512(long iters) {
  const __m512 b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
#define DECLARE(i) __m512 a##i = _mm512_set1_ps((float)i);
#define STEP(i) a##i = _mm512_fmadd_ps(a##i, b, c);
#define SUM(i) s = _mm512_add_ps(s, a##i);
  CHAINS(DECLARE)
  for (long n = 0; n < iters; n++) {
    CHAINS(STEP)
  }
  __m512 s = _mm512_setzero_ps();
  CHAINS(SUM)
  return _mm512_reduce_add_ps(s);
#undef DECLARE
#undef STEP
#undef SUM
}

__attribute__((target("avx2,fma"))) static float run256(long iters) {
  const __m256 b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
#define DECLARE(i) __m256 a##i = _mm256_set1_ps((float)i);
#define STEP(i) a##i = _mm256_fmadd_ps(a##i, b, c);
#define SUM(i) s = _mm256_add_ps(s, a##i);
  CHAINS(DECLARE)
  for (long n = 0; n < iters; n++) {
    CHAINS(STEP)
  }
  __m256 s = _mm256_setzero_ps();
  CHAINS(SUM)
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0];
}

int main(int argc, char** argv) {
  const int threads = argc > 1 ? atoi(argv[1]) : omp_get_max_threads();
  const long iters = 200000000L / 12;
  const int wide = __builtin_cpu_supports("avx512f");
  double best = 0;
  float sink = 0;
  for (int rep = 0; rep < 5; rep++) {
    const double start = now();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    sink += wide ? run512(iters) : run256(iters);
    const double flops = 2.0 * (wide ? 16 : 8) * 12.0 * iters * threads;
    const double rate = flops / (now() - start);
    if (rate > best) best = rate;
  }
  printf("{\"impl\": \"peak\", \"threads\": %d, \"vector_bits\": %d, \"gflops\": %.1f, \"checksum\": %g}\n", threads,
         wide ? 512 : 256, best / 1e9, sink);
  return 0;
}
