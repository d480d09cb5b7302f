// AVX2 version of the single-precision matrix product (the embedding model's linear layers).
// See RakisKernels.h for the contract and RakisEngine/Kernels/FloatMatrix.swift for the
// reference arithmetic and the packed layout.
#include "RakisKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE_AVX2 static inline __attribute__((always_inline, target("avx2,fma")))

// A tile is up to 2 groups (16 rows) by 6 tokens: 12 accumulators, 2 weight vectors and a
// broadcast fill 15 of the 16 registers. Tokens are taken in chunks so that a chunk's inputs
// stay in the cache while every group of the share passes over them.
enum { TILE_GROUPS = 2, TILE_TOKENS = 6, TOKEN_CHUNK = 48 };

// `groups` groups of 8 rows times `tokens` tokens; both are constants at every call, so the
// accumulators below live in registers.
INLINE_AVX2 void f32_tile(const float *packed, const float *bias, size_t columns, int groups,
                          const float *x, size_t x_stride, int tokens, float *out, size_t out_stride) {
    __m256 acc[TILE_GROUPS][TILE_TOKENS];
    for (int g = 0; g < groups; g++) {
        const __m256 b = _mm256_loadu_ps(bias + 8 * g);
        for (int t = 0; t < tokens; t++) acc[g][t] = b;
    }
    for (size_t k = 0; k < columns; k++) {
        __m256 weights[TILE_GROUPS];
        for (int g = 0; g < groups; g++) weights[g] = _mm256_load_ps(packed + ((size_t)g * columns + k) * 8);
        for (int t = 0; t < tokens; t++) {
            const __m256 input = _mm256_broadcast_ss(x + (size_t)t * x_stride + k);
            for (int g = 0; g < groups; g++) acc[g][t] = _mm256_fmadd_ps(weights[g], input, acc[g][t]);
        }
    }
    for (int g = 0; g < groups; g++)
        for (int t = 0; t < tokens; t++) _mm256_storeu_ps(out + (size_t)t * out_stride + 8 * g, acc[g][t]);
}

#define TILE_CASE(G, T) \
    case (G) * 8 + (T): f32_tile(packed, bias, columns, G, x, x_stride, T, out, out_stride); break;

AVX2 static void f32_tile_any(const float *packed, const float *bias, size_t columns, int groups,
                              const float *x, size_t x_stride, int tokens, float *out, size_t out_stride) {
    switch (groups * 8 + tokens) {
    TILE_CASE(2, 6) TILE_CASE(2, 5) TILE_CASE(2, 4) TILE_CASE(2, 3) TILE_CASE(2, 2) TILE_CASE(2, 1)
    TILE_CASE(1, 6) TILE_CASE(1, 5) TILE_CASE(1, 4) TILE_CASE(1, 3) TILE_CASE(1, 2) TILE_CASE(1, 1)
    default: break;
    }
}

AVX2 void rakis_f32_matmul(const float *packed, const float *bias, size_t columns, size_t group_begin,
                           size_t group_end, const float *x, size_t x_stride, size_t tokens,
                           float *out, size_t out_stride) {
    for (size_t chunk = 0; chunk < tokens; chunk += TOKEN_CHUNK) {
        const size_t chunk_end = chunk + TOKEN_CHUNK < tokens ? chunk + TOKEN_CHUNK : tokens;
        for (size_t g = group_begin; g < group_end; g += TILE_GROUPS) {
            const int groups = group_end - g < TILE_GROUPS ? (int)(group_end - g) : TILE_GROUPS;
            for (size_t t = chunk; t < chunk_end; t += TILE_TOKENS) {
                const int count = chunk_end - t < TILE_TOKENS ? (int)(chunk_end - t) : TILE_TOKENS;
                f32_tile_any(packed + g * columns * 8, bias + g * 8, columns, groups, x + t * x_stride, x_stride,
                             count, out + t * out_stride + g * 8, out_stride);
            }
        }
    }
}

#else

void rakis_f32_matmul(const float *packed, const float *bias, size_t columns, size_t group_begin,
                      size_t group_end, const float *x, size_t x_stride, size_t tokens,
                      float *out, size_t out_stride) {}

#endif
