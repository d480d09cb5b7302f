// AVX2 versions of the quantized matrix products. See RakisKernels.h for the contract and
// Sources/RakisEngine/Kernels for the reference arithmetic and the packed layouts.
#include "RakisKernels.h"

#if defined(__x86_64__)
#include "quantized_matmul_x86.h"

int rakis_kernels_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

enum { Q4_1_GROUP_BLOCK = 160, Q8_0_GROUP_BLOCK = 272, Q5_GROUP_BLOCK = 320 };

// One group of 8 rows times `tile` tokens (tile is a constant at every call, so the arrays
// below live in registers).
INLINE_AVX2 void q4_1_group(const uint8_t *group, size_t blocks, const int8_t *act_q, const float *act_d,
                            const float *act_s, int tile, float *out, size_t out_stride) {
    const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[TILE];
    for (int t = 0; t < tile; t++) acc[t] = _mm256_setzero_ps();

    for (size_t b = 0; b < blocks; b++) {
        const uint8_t *block = group + b * Q4_1_GROUP_BLOCK;
        // The weights stream from memory once per product; asking for them ~2 KB ahead keeps
        // more loads in flight than the hardware prefetcher alone does on one core.
        _mm_prefetch((const char *)(block + PREFETCH_DISTANCE), _MM_HINT_T0);
        _mm_prefetch((const char *)(block + PREFETCH_DISTANCE + 64), _MM_HINT_T0);
        _mm_prefetch((const char *)(block + PREFETCH_DISTANCE + 128), _MM_HINT_T0);
        __m256i sums16[TILE];
        for (int t = 0; t < tile; t++) sums16[t] = _mm256_setzero_si256();
        for (int k = 0; k < 4; k++) {
            const __m256i packed = _mm256_loadu_si256((const __m256i *)(block + 32 + 32 * k));
            const __m256i low = _mm256_and_si256(packed, low_nibbles);
            const __m256i high = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low_nibbles);
            for (int t = 0; t < tile; t++) {
                const int8_t *a = act_q + ((size_t)t * blocks + b) * 32 + 8 * k;
                // 16-bit sums cannot overflow: 8 steps of at most 2*15*128 = 3840.
                sums16[t] = _mm256_add_epi16(sums16[t], _mm256_maddubs_epi16(low, broadcast4(a)));
                sums16[t] = _mm256_add_epi16(sums16[t], _mm256_maddubs_epi16(high, broadcast4(a + 4)));
            }
        }
        const __m256 scale_w = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)block));
        const __m256 min_w = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(block + 16)));
        for (int t = 0; t < tile; t++) {
            const __m256 sum = _mm256_cvtepi32_ps(_mm256_madd_epi16(sums16[t], ones));
            const __m256 scale = _mm256_mul_ps(scale_w, _mm256_set1_ps(act_d[(size_t)t * blocks + b]));
            acc[t] = _mm256_fmadd_ps(scale, sum, acc[t]);
            acc[t] = _mm256_fmadd_ps(min_w, _mm256_set1_ps(act_s[(size_t)t * blocks + b]), acc[t]);
        }
    }
    for (int t = 0; t < tile; t++) _mm256_storeu_ps(out + (size_t)t * out_stride, acc[t]);
}

AVX2 void rakis_q4_1_matmul(const uint8_t *packed, size_t blocks, size_t group_begin, size_t group_end,
                            const int8_t *act_q, const float *act_d, const float *act_s, size_t tokens,
                            float *out, size_t out_stride) {
#define RUN(tile) q4_1_group(group, blocks, act_q + t * blocks * 32, act_d + t * blocks, act_s + t * blocks, tile, \
                             out + t * out_stride + g * 8, out_stride)
    FOR_EACH_GROUP_AND_TILE(blocks * Q4_1_GROUP_BLOCK, RUN)
#undef RUN
}

INLINE_AVX2 void q8_0_group(const uint8_t *group, size_t blocks, const int8_t *act_q, const float *act_d,
                            int tile, float *out, size_t out_stride) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[TILE];
    for (int t = 0; t < tile; t++) acc[t] = _mm256_setzero_ps();

    for (size_t b = 0; b < blocks; b++) {
        const uint8_t *block = group + b * Q8_0_GROUP_BLOCK;
        for (int line = 0; line < Q8_0_GROUP_BLOCK; line += 64)
            _mm_prefetch((const char *)(block + PREFETCH_DISTANCE + line), _MM_HINT_T0);
        __m256i sums[TILE];
        for (int t = 0; t < tile; t++) sums[t] = _mm256_setzero_si256();
        for (int k = 0; k < 8; k++) {
            const __m256i weights = _mm256_loadu_si256((const __m256i *)(block + 16 + 32 * k));
            const __m256i magnitude = _mm256_abs_epi8(weights);
            for (int t = 0; t < tile; t++) {
                const int8_t *a = act_q + ((size_t)t * blocks + b) * 32 + 4 * k;
                // |w| * (a with w's sign) = w * a, in the unsigned-times-signed form maddubs takes.
                const __m256i signed_a = _mm256_sign_epi8(broadcast4(a), weights);
                sums[t] = _mm256_add_epi32(sums[t], _mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, signed_a), ones));
            }
        }
        const __m256 scale_w = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)block));
        for (int t = 0; t < tile; t++) {
            const __m256 scale = _mm256_mul_ps(scale_w, _mm256_set1_ps(act_d[(size_t)t * blocks + b]));
            acc[t] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(sums[t]), acc[t]);
        }
    }
    for (int t = 0; t < tile; t++) _mm256_storeu_ps(out + (size_t)t * out_stride, acc[t]);
}

AVX2 void rakis_q8_0_matmul(const uint8_t *packed, size_t blocks, size_t group_begin, size_t group_end,
                            const int8_t *act_q, const float *act_d, size_t tokens,
                            float *out, size_t out_stride) {
#define RUN(tile) q8_0_group(group, blocks, act_q + t * blocks * 32, act_d + t * blocks, tile, out + t * out_stride + g * 8, out_stride)
    FOR_EACH_GROUP_AND_TILE(blocks * Q8_0_GROUP_BLOCK, RUN)
#undef RUN
}

// Unsigned 8-bit weights (0...31) with a float scale and offset per block: Q4_1's arithmetic.
INLINE_AVX2 void q5_group(const uint8_t *group, size_t blocks, const int8_t *act_q, const float *act_d,
                          const float *act_s, int tile, float *out, size_t out_stride) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[TILE];
    for (int t = 0; t < tile; t++) acc[t] = _mm256_setzero_ps();

    for (size_t b = 0; b < blocks; b++) {
        const uint8_t *block = group + b * Q5_GROUP_BLOCK;
        for (int line = 0; line < Q5_GROUP_BLOCK; line += 64)
            _mm_prefetch((const char *)(block + PREFETCH_DISTANCE + line), _MM_HINT_T0);
        __m256i sums[TILE];
        for (int t = 0; t < tile; t++) sums[t] = _mm256_setzero_si256();
        for (int k = 0; k < 8; k++) {
            const __m256i weights = _mm256_loadu_si256((const __m256i *)(block + 64 + 32 * k));
            for (int t = 0; t < tile; t++) {
                const int8_t *a = act_q + ((size_t)t * blocks + b) * 32 + 4 * k;
                // Pairs of at most 2 * 31 * 128 fit 16 bits.
                sums[t] = _mm256_add_epi32(sums[t], _mm256_madd_epi16(_mm256_maddubs_epi16(weights, broadcast4(a)), ones));
            }
        }
        const __m256 scale_w = _mm256_loadu_ps((const float *)block);
        const __m256 offset_w = _mm256_loadu_ps((const float *)(block + 32));
        for (int t = 0; t < tile; t++) {
            const __m256 scale = _mm256_mul_ps(scale_w, _mm256_set1_ps(act_d[(size_t)t * blocks + b]));
            acc[t] = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(sums[t]), acc[t]);
            acc[t] = _mm256_fmadd_ps(offset_w, _mm256_set1_ps(act_s[(size_t)t * blocks + b]), acc[t]);
        }
    }
    for (int t = 0; t < tile; t++) _mm256_storeu_ps(out + (size_t)t * out_stride, acc[t]);
}

AVX2 void rakis_q5_matmul(const uint8_t *packed, size_t blocks, size_t group_begin, size_t group_end,
                          const int8_t *act_q, const float *act_d, const float *act_s, size_t tokens,
                          float *out, size_t out_stride) {
#define RUN(tile) q5_group(group, blocks, act_q + t * blocks * 32, act_d + t * blocks, act_s + t * blocks, tile, \
                           out + t * out_stride + g * 8, out_stride)
    FOR_EACH_GROUP_AND_TILE(blocks * Q5_GROUP_BLOCK, RUN)
#undef RUN
}

#else

int rakis_kernels_available(void) { return 0; }
void rakis_q5_matmul(const uint8_t *packed, size_t blocks, size_t group_begin, size_t group_end,
                     const int8_t *act_q, const float *act_d, const float *act_s, size_t tokens,
                     float *out, size_t out_stride) {}
void rakis_q4_1_matmul(const uint8_t *packed, size_t blocks, size_t group_begin, size_t group_end,
                       const int8_t *act_q, const float *act_d, const float *act_s, size_t tokens,
                       float *out, size_t out_stride) {}
void rakis_q8_0_matmul(const uint8_t *packed, size_t blocks, size_t group_begin, size_t group_end,
                       const int8_t *act_q, const float *act_d, size_t tokens, float *out, size_t out_stride) {}

#endif
