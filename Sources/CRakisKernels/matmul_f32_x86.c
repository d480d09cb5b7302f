// AVX2 version of the single-precision matrix product (the embedding model's linear layers).
// See RakisKernels.h for the contract and RakisEngine/Kernels/FloatMatrix.swift for the
// reference arithmetic.
#include "RakisKernels.h"
#include <stdlib.h>

#if defined(__x86_64__)
#include <immintrin.h>
#include "engine_math_x86.h"

#define AVX2 __attribute__((target("avx2,fma")))
#define INLINE_AVX2 static inline __attribute__((always_inline, target("avx2,fma")))

// A tile is up to 2 groups (16 rows) by 6 tokens: 12 accumulators, 2 weight vectors and a
// broadcast fill 15 of the 16 registers. Tokens are taken in chunks of 48, whose inputs are
// first copied tile by tile into one interleaved stream (column k of the tile's tokens side by
// side), so the broadcasts read consecutive floats while every group of the share passes over
// them.
enum { TILE_GROUPS = 2, TILE_TOKENS = 6, TOKEN_CHUNK = 48 };

// `groups` groups of 8 rows times `tokens` tokens, whose inputs are interleaved (token t's
// column k at x[k * tokens + t]); both counts are constants at every call, so the accumulators
// below live in registers.
INLINE_AVX2 void f32_tile(const float *w, size_t group_stride, size_t column_stride, const float *bias,
                          size_t columns, int groups, const float *x, int tokens, float *out, size_t out_stride,
                          const rakis_erf_coefficients *gelu) {
    __m256 acc[TILE_GROUPS][TILE_TOKENS];
    for (int g = 0; g < groups; g++) {
        const __m256 b = _mm256_loadu_ps(bias + 8 * g);
        for (int t = 0; t < tokens; t++) acc[g][t] = b;
    }
    for (size_t k = 0; k < columns; k++) {
        __m256 weights[TILE_GROUPS];
        for (int g = 0; g < groups; g++) weights[g] = _mm256_loadu_ps(w + g * group_stride + k * column_stride);
        for (int t = 0; t < tokens; t++) {
            const __m256 input = _mm256_broadcast_ss(x + k * tokens + t);
            for (int g = 0; g < groups; g++) acc[g][t] = _mm256_fmadd_ps(weights[g], input, acc[g][t]);
        }
    }
    if (gelu)
        for (int g = 0; g < groups; g++)
            for (int t = 0; t < tokens; t++) acc[g][t] = engine_gelu(acc[g][t], gelu);
    for (int g = 0; g < groups; g++)
        for (int t = 0; t < tokens; t++) _mm256_storeu_ps(out + (size_t)t * out_stride + 8 * g, acc[g][t]);
}

#define TILE_CASE(G, T) \
    case (G) * 8 + (T): f32_tile(w, group_stride, column_stride, bias, columns, G, x, T, out, out_stride, gelu); break;

AVX2 static void f32_tile_any(const float *w, size_t group_stride, size_t column_stride, const float *bias,
                              size_t columns, int groups, const float *x, int tokens, float *out, size_t out_stride,
                              const rakis_erf_coefficients *gelu) {
    switch (groups * 8 + tokens) {
    TILE_CASE(2, 6) TILE_CASE(2, 5) TILE_CASE(2, 4) TILE_CASE(2, 3) TILE_CASE(2, 2) TILE_CASE(2, 1)
    TILE_CASE(1, 6) TILE_CASE(1, 5) TILE_CASE(1, 4) TILE_CASE(1, 3) TILE_CASE(1, 2) TILE_CASE(1, 1)
    default: break;
    }
}

AVX2 void rakis_f32_matmul(const float *weights, size_t group_stride, size_t column_stride, const float *bias,
                           size_t columns, size_t group_begin, size_t group_end, const float *x, size_t x_stride,
                           size_t tokens, float *out, size_t out_stride, const rakis_erf_coefficients *gelu) {
    float *interleaved = aligned_alloc(64, (TOKEN_CHUNK * columns * sizeof(float) + 63) / 64 * 64);
    for (size_t chunk = 0; chunk < tokens; chunk += TOKEN_CHUNK) {
        const size_t chunk_end = chunk + TOKEN_CHUNK < tokens ? chunk + TOKEN_CHUNK : tokens;
        for (size_t t = chunk; t < chunk_end; t += TILE_TOKENS) {
            const size_t count = chunk_end - t < TILE_TOKENS ? chunk_end - t : TILE_TOKENS;
            float *tile = interleaved + (t - chunk) * columns;
            for (size_t k = 0; k < columns; k++)
                for (size_t i = 0; i < count; i++) tile[k * count + i] = x[(t + i) * x_stride + k];
        }
        for (size_t g = group_begin; g < group_end; g += TILE_GROUPS) {
            const int groups = group_end - g < TILE_GROUPS ? (int)(group_end - g) : TILE_GROUPS;
            for (size_t t = chunk; t < chunk_end; t += TILE_TOKENS) {
                const int count = chunk_end - t < TILE_TOKENS ? (int)(chunk_end - t) : TILE_TOKENS;
                f32_tile_any(weights + g * group_stride, group_stride, column_stride, bias + g * 8, columns, groups,
                             interleaved + (t - chunk) * columns, count, out + t * out_stride + g * 8, out_stride, gelu);
            }
        }
    }
    free(interleaved);
}

#else

void rakis_f32_matmul(const float *weights, size_t group_stride, size_t column_stride, const float *bias,
                      size_t columns, size_t group_begin, size_t group_end, const float *x, size_t x_stride,
                      size_t tokens, float *out, size_t out_stride, const rakis_erf_coefficients *gelu) {}

#endif
