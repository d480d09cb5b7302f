// AVX2 versions of the K-quant matrix products (Q2_K, Q4_K, Q6_K). See RakisKernels.h for the
// contract and Sources/RakisEngine/Kernels (Q2_KMatrix, Q4_KMatrix, Q6_KMatrix) for the reference arithmetic
// and the packed layouts. Each 32-value block is computed as the Q4_1 and Q8_0 kernels compute
// theirs, with the block's scales formed exactly from the super-block's.
#include "RakisKernels.h"

#if defined(__x86_64__)
#include "quantized_matmul_x86.h"

enum { Q2_K_GROUP_BLOCK = 800, Q2_K_QUANTS = 288, Q4_K_GROUP_BLOCK = 1184, Q4_K_NIBBLES = 160, Q6_K_GROUP_BLOCK = 2192, Q6_K_WEIGHTS = 144 };

// Eight unsigned or signed bytes as eight floats.
INLINE_AVX2 __m256 bytes_u8(const uint8_t *p) { return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)p))); }
INLINE_AVX2 __m256 bytes_i8(const uint8_t *p) { return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p))); }

// The sums of a 32-value activation block's two halves of 16, each broadcast to all 8 lanes.
INLINE_AVX2 void half_sums(const int8_t *a, __m256 *first, __m256 *second) {
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_set1_epi8(1), _mm256_loadu_si256((const __m256i *)a));
    const __m256i quads = _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
    const __m256i octets = _mm256_hadd_epi32(quads, quads);
    const __m256i halves = _mm256_hadd_epi32(octets, octets);  // each 128-bit half: its 16 values' sum, 4 times
    *first = _mm256_cvtepi32_ps(_mm256_permute2x128_si256(halves, halves, 0x00));
    *second = _mm256_cvtepi32_ps(_mm256_permute2x128_si256(halves, halves, 0x11));
}

INLINE_AVX2 void q2_k_group(const uint8_t *group, size_t super_blocks, const int8_t *act_q, const float *act_d,
                            int tile, float *out, size_t out_stride) {
    const size_t blocks = super_blocks * 8;
    const __m256i pair_mask = _mm256_set1_epi8(3);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[TILE];
    for (int t = 0; t < tile; t++) acc[t] = _mm256_setzero_ps();

    for (size_t sb = 0; sb < super_blocks; sb++) {
        const uint8_t *super = group + sb * Q2_K_GROUP_BLOCK;
        _mm_prefetch((const char *)(super + PREFETCH_DISTANCE), _MM_HINT_T0);
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)super));
        const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(super + 16)));
        for (int block = 0; block < 8; block++) {
            const size_t b = sb * 8 + block;
            __m256 activation_sums[2][TILE];
            for (int t = 0; t < tile; t++) half_sums(act_q + ((size_t)t * blocks + b) * 32, &activation_sums[0][t], &activation_sums[1][t]);
            for (int half = 0; half < 2; half++) {
                const __m256i packed = _mm256_loadu_si256((const __m256i *)(super + Q2_K_QUANTS + 64 * block + 32 * half));
                const int sub = 2 * block + half;
                // d * sc and dmin * m are exact: 11 by 4 significant bits.
                const __m256 scale_w = _mm256_mul_ps(d, bytes_u8(super + 32 + 8 * sub));
                const __m256 min_w = _mm256_mul_ps(dmin, bytes_u8(super + 160 + 8 * sub));
                for (int t = 0; t < tile; t++) {
                    const int8_t *a = act_q + ((size_t)t * blocks + b) * 32 + 16 * half;
                    __m256i sums16 = _mm256_setzero_si256();
                    for (int j = 0; j < 4; j++) {
                        const __m256i weights = _mm256_and_si256(_mm256_srli_epi16(packed, 2 * j), pair_mask);
                        sums16 = _mm256_add_epi16(sums16, _mm256_maddubs_epi16(weights, broadcast4(a + 4 * j)));
                    }
                    const __m256 sum = _mm256_cvtepi32_ps(_mm256_madd_epi16(sums16, ones));
                    const __m256 a_d = _mm256_set1_ps(act_d[(size_t)t * blocks + b]);
                    acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(scale_w, a_d), sum, acc[t]);
                    // fma(-(m * d_a), sum_a, acc), as the reference writes it.
                    acc[t] = _mm256_fnmadd_ps(_mm256_mul_ps(min_w, a_d), activation_sums[half][t], acc[t]);
                }
            }
        }
    }
    for (int t = 0; t < tile; t++) _mm256_storeu_ps(out + (size_t)t * out_stride, acc[t]);
}

AVX2 void rakis_q2_k_matmul(const uint8_t *packed, size_t super_blocks, size_t group_begin, size_t group_end,
                            const int8_t *act_q, const float *act_d, size_t tokens, float *out, size_t out_stride) {
    const size_t blocks = super_blocks * 8;
#define RUN(tile) q2_k_group(group, super_blocks, act_q + t * blocks * 32, act_d + t * blocks, tile, out + t * out_stride + g * 8, out_stride)
    FOR_EACH_GROUP_AND_TILE(super_blocks * Q2_K_GROUP_BLOCK, RUN)
#undef RUN
}

INLINE_AVX2 void q4_k_group(const uint8_t *group, size_t super_blocks, const int8_t *act_q, const float *act_d,
                            const float *act_s, int tile, float *out, size_t out_stride) {
    const size_t blocks = super_blocks * 8;
    const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[TILE];
    for (int t = 0; t < tile; t++) acc[t] = _mm256_setzero_ps();

    for (size_t sb = 0; sb < super_blocks; sb++) {
        const uint8_t *super = group + sb * Q4_K_GROUP_BLOCK;
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)super));
        const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(super + 16)));
        for (int sub = 0; sub < 8; sub++) {
            const uint8_t *nibbles = super + Q4_K_NIBBLES + 128 * sub;
            _mm_prefetch((const char *)(nibbles + PREFETCH_DISTANCE), _MM_HINT_T0);
            _mm_prefetch((const char *)(nibbles + PREFETCH_DISTANCE + 64), _MM_HINT_T0);
            const size_t b = sb * 8 + sub;
            __m256i sums16[TILE];
            for (int t = 0; t < tile; t++) sums16[t] = _mm256_setzero_si256();
            for (int k = 0; k < 4; k++) {
                const __m256i packed = _mm256_loadu_si256((const __m256i *)(nibbles + 32 * k));
                const __m256i low = _mm256_and_si256(packed, low_nibbles);
                const __m256i high = _mm256_and_si256(_mm256_srli_epi16(packed, 4), low_nibbles);
                for (int t = 0; t < tile; t++) {
                    const int8_t *a = act_q + ((size_t)t * blocks + b) * 32 + 8 * k;
                    sums16[t] = _mm256_add_epi16(sums16[t], _mm256_maddubs_epi16(low, broadcast4(a)));
                    sums16[t] = _mm256_add_epi16(sums16[t], _mm256_maddubs_epi16(high, broadcast4(a + 4)));
                }
            }
            // d * sc and dmin * m are exact: 11 by 6 significant bits.
            const __m256 scale_w = _mm256_mul_ps(d, bytes_u8(super + 32 + 8 * sub));
            const __m256 min_w = _mm256_mul_ps(dmin, bytes_u8(super + 96 + 8 * sub));
            for (int t = 0; t < tile; t++) {
                const __m256 sum = _mm256_cvtepi32_ps(_mm256_madd_epi16(sums16[t], ones));
                const __m256 scale = _mm256_mul_ps(scale_w, _mm256_set1_ps(act_d[(size_t)t * blocks + b]));
                acc[t] = _mm256_fmadd_ps(scale, sum, acc[t]);
                // fma(-m, s, acc), as the reference writes it.
                acc[t] = _mm256_fnmadd_ps(min_w, _mm256_set1_ps(act_s[(size_t)t * blocks + b]), acc[t]);
            }
        }
    }
    for (int t = 0; t < tile; t++) _mm256_storeu_ps(out + (size_t)t * out_stride, acc[t]);
}

AVX2 void rakis_q4_k_matmul(const uint8_t *packed, size_t super_blocks, size_t group_begin, size_t group_end,
                            const int8_t *act_q, const float *act_d, const float *act_s, size_t tokens,
                            float *out, size_t out_stride) {
    const size_t blocks = super_blocks * 8;
#define RUN(tile) q4_k_group(group, super_blocks, act_q + t * blocks * 32, act_d + t * blocks, act_s + t * blocks, tile, \
                             out + t * out_stride + g * 8, out_stride)
    FOR_EACH_GROUP_AND_TILE(super_blocks * Q4_K_GROUP_BLOCK, RUN)
#undef RUN
}

INLINE_AVX2 void q6_k_group(const uint8_t *group, size_t super_blocks, const int8_t *act_q, const float *act_d,
                            int tile, float *out, size_t out_stride) {
    const size_t blocks = super_blocks * 8;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[TILE];
    for (int t = 0; t < tile; t++) acc[t] = _mm256_setzero_ps();

    for (size_t sb = 0; sb < super_blocks; sb++) {
        const uint8_t *super = group + sb * Q6_K_GROUP_BLOCK;
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)super));
        for (int sub = 0; sub < 8; sub++) {
            const uint8_t *weights_base = super + Q6_K_WEIGHTS + 256 * sub;
            for (int line = 0; line < 256; line += 64)
                _mm_prefetch((const char *)(weights_base + PREFETCH_DISTANCE + line), _MM_HINT_T0);
            const size_t b = sb * 8 + sub;
            __m256i sums[2][TILE];
            for (int t = 0; t < tile; t++) sums[0][t] = sums[1][t] = _mm256_setzero_si256();
            for (int k = 0; k < 8; k++) {
                const __m256i weights = _mm256_loadu_si256((const __m256i *)(weights_base + 32 * k));
                const __m256i magnitude = _mm256_abs_epi8(weights);
                for (int t = 0; t < tile; t++) {
                    const int8_t *a = act_q + ((size_t)t * blocks + b) * 32 + 4 * k;
                    const __m256i signed_a = _mm256_sign_epi8(broadcast4(a), weights);
                    sums[k / 4][t] = _mm256_add_epi32(sums[k / 4][t], _mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, signed_a), ones));
                }
            }
            // d * sc is exact: 11 by 8 significant bits.
            const __m256 scale_lo = _mm256_mul_ps(d, bytes_i8(super + 16 + 8 * (2 * sub)));
            const __m256 scale_hi = _mm256_mul_ps(d, bytes_i8(super + 16 + 8 * (2 * sub + 1)));
            for (int t = 0; t < tile; t++) {
                const __m256 a_d = _mm256_set1_ps(act_d[(size_t)t * blocks + b]);
                acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(scale_lo, a_d), _mm256_cvtepi32_ps(sums[0][t]), acc[t]);
                acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(scale_hi, a_d), _mm256_cvtepi32_ps(sums[1][t]), acc[t]);
            }
        }
    }
    for (int t = 0; t < tile; t++) _mm256_storeu_ps(out + (size_t)t * out_stride, acc[t]);
}

AVX2 void rakis_q6_k_matmul(const uint8_t *packed, size_t super_blocks, size_t group_begin, size_t group_end,
                            const int8_t *act_q, const float *act_d, size_t tokens, float *out, size_t out_stride) {
    const size_t blocks = super_blocks * 8;
#define RUN(tile) q6_k_group(group, super_blocks, act_q + t * blocks * 32, act_d + t * blocks, tile, out + t * out_stride + g * 8, out_stride)
    FOR_EACH_GROUP_AND_TILE(super_blocks * Q6_K_GROUP_BLOCK, RUN)
#undef RUN
}

#else

void rakis_q2_k_matmul(const uint8_t *packed, size_t super_blocks, size_t group_begin, size_t group_end,
                       const int8_t *act_q, const float *act_d, size_t tokens, float *out, size_t out_stride) {}
void rakis_q4_k_matmul(const uint8_t *packed, size_t super_blocks, size_t group_begin, size_t group_end,
                       const int8_t *act_q, const float *act_d, const float *act_s, size_t tokens,
                       float *out, size_t out_stride) {}
void rakis_q6_k_matmul(const uint8_t *packed, size_t super_blocks, size_t group_begin, size_t group_end,
                       const int8_t *act_q, const float *act_d, size_t tokens, float *out, size_t out_stride) {}

#endif
