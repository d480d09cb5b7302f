// The engine's hottest loops: quantized matrix products over repacked weights.
//
// Each kernel computes exactly the arithmetic of its Swift reference (RakisEngine/Kernels),
// in the same order, so results are bit-identical to it. SIMD lanes hold eight different
// output rows; no lane ever sums another lane's products, and the integer block sums are exact.
// That is what makes results independent of thread count and batch composition.
#ifndef RAKIS_KERNELS_H
#define RAKIS_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU runs the AVX2/FMA/F16C kernels, else 0 (callers fall back to the reference).
int rakis_kernels_available(void);

/// Q4_1 weights (repacked in groups of 8 rows, 160 bytes per group and block) times Q8
/// activations. Writes out[token * out_stride + row] for rows of groups [group_begin, group_end).
void rakis_q4_1_matmul(const uint8_t *packed, size_t blocks, size_t group_begin, size_t group_end,
                       const int8_t *act_q, const float *act_d, const float *act_s, size_t tokens,
                       float *out, size_t out_stride);

/// Q8_0 weights (repacked in groups of 8 rows, 272 bytes per group and block) times Q8 activations.
void rakis_q8_0_matmul(const uint8_t *packed, size_t blocks, size_t group_begin, size_t group_end,
                       const int8_t *act_q, const float *act_d, size_t tokens,
                       float *out, size_t out_stride);

/// Q5_K or Q5_1 weights as bytes with a float scale and offset per block (repacked in groups of
/// 8 rows, 320 bytes per group and block) times Q8 activations.
void rakis_q5_matmul(const uint8_t *packed, size_t blocks, size_t group_begin, size_t group_end,
                     const int8_t *act_q, const float *act_d, const float *act_s, size_t tokens,
                     float *out, size_t out_stride);

/// Q2_K weights (repacked in groups of 8 rows, 800 bytes per group and 256-value super-block)
/// times Q8 activations; `super_blocks` per row.
void rakis_q2_k_matmul(const uint8_t *packed, size_t super_blocks, size_t group_begin, size_t group_end,
                       const int8_t *act_q, const float *act_d, size_t tokens, float *out, size_t out_stride);

/// Q4_K weights (repacked in groups of 8 rows, 1,184 bytes per group and 256-value super-block)
/// times Q8 activations; `super_blocks` per row.
void rakis_q4_k_matmul(const uint8_t *packed, size_t super_blocks, size_t group_begin, size_t group_end,
                       const int8_t *act_q, const float *act_d, const float *act_s, size_t tokens,
                       float *out, size_t out_stride);

/// Q6_K weights (repacked in groups of 8 rows, 2,192 bytes per group and super-block) times Q8 activations.
void rakis_q6_k_matmul(const uint8_t *packed, size_t super_blocks, size_t group_begin, size_t group_end,
                       const int8_t *act_q, const float *act_d, size_t tokens, float *out, size_t out_stride);

/// The coefficients of erf's two polynomials (EngineMath.erfNearZero and erfcScaled), lowest
/// degree first.
typedef struct {
    const float *near_zero;
    size_t near_zero_count;
    const float *erfc_scaled;
    size_t erfc_scaled_count;
} rakis_erf_coefficients;

/// Single-precision weights in groups of 8 rows, weight (row 8g + j, column k) at
/// weights[g * group_stride + k * column_stride + j], times `tokens` input rows of `x` (x_stride
/// floats apart). For each token and row of groups [group_begin, group_end): acc = bias[row],
/// then acc = fma(w[row][k], x[k], acc) for k in order; out[token * out_stride + row] = acc, or
/// gelu(acc) (EngineMath.gelu, lane by lane) when `gelu` is not NULL.
void rakis_f32_matmul(const float *weights, size_t group_stride, size_t column_stride, const float *bias,
                      size_t columns, size_t group_begin, size_t group_end, const float *x, size_t x_stride,
                      size_t tokens, float *out, size_t out_stride, const rakis_erf_coefficients *gelu);

/// Attention scores: out[p] = dot(query, keys + p * key_stride) * scale for p < count, each dot
/// over `dimension` (a multiple of 8) values as 8 lane sums combined pairwise
/// (((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7))), products and sums rounded separately (no FMA).
void rakis_attention_scores(const float *query, const float *keys, size_t key_stride, size_t count,
                            size_t dimension, float scale, float *out);

/// Attention mix: out = sum over p < count of weights[p] * (values + p * value_stride), added
/// position by position, each element as out + (weight * value) (no FMA).
void rakis_attention_mix(const float *weights, const float *values, size_t value_stride, size_t count,
                         size_t dimension, float *out);

/// x[i] = silu(x[i]) * y[i] with the engine's own exp (EngineMath.exp and silu, lane by lane).
void rakis_swiglu(float *x, const float *y, size_t count);

/// Softmax in place (VectorMath.softmax): x - max through the engine's exp lane by lane, the sum
/// in double precision in order, then each value times the float reciprocal of the sum.
void rakis_softmax(float *x, size_t count);

/// Quantizes `blocks` blocks of 32 floats to 8 bits (QuantizedActivations.quantizeBlock, lane by
/// lane): q = clamp(round_even(x / (max|x| / 127)), -127, 127), d and s = d * sum(q) rounded
/// through half precision.
void rakis_quantize_q8(const float *x, size_t blocks, int8_t *q, float *d, float *s);

/// dst[i] = src[i] rounded to half precision and back (round to nearest even).
void rakis_round_to_half(const float *src, float *dst, size_t count);

/// A hint to the CPU that the caller is spinning on a flag (the x86 PAUSE instruction).
static inline void rakis_cpu_relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

#endif
