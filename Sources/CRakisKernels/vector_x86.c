// AVX2 versions of the attention loops and the SwiGLU gate. Each lane does exactly the scalar
// operations of the Swift reference (VectorMath, EngineMath), so results are bit-identical.
#include "RakisKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include "engine_math_x86.h"

#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define INLINE_AVX2 static inline __attribute__((always_inline, target("avx2,fma,f16c")))

INLINE_AVX2 float combine_lanes(__m256 lanes) {
    float l[8];
    _mm256_storeu_ps(l, lanes);
    return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

AVX2 void rakis_attention_scores(const float *query, const float *keys, size_t key_stride, size_t count,
                                 size_t dimension, float scale, float *out) {
    for (size_t p = 0; p < count; p++) {
        const float *key = keys + p * key_stride;
        __m256 lanes = _mm256_setzero_ps();
        for (size_t i = 0; i < dimension; i += 8)
            lanes = _mm256_add_ps(lanes, _mm256_mul_ps(_mm256_loadu_ps(query + i), _mm256_loadu_ps(key + i)));
        out[p] = combine_lanes(lanes) * scale;
    }
}

AVX2 void rakis_attention_mix(const float *weights, const float *values, size_t value_stride, size_t count,
                              size_t dimension, float *out) {
    for (size_t i = 0; i < dimension; i += 8) {
        __m256 acc = _mm256_loadu_ps(out + i);
        for (size_t p = 0; p < count; p++)
            acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_set1_ps(weights[p]), _mm256_loadu_ps(values + p * value_stride + i)));
        _mm256_storeu_ps(out + i, acc);
    }
}

AVX2 void rakis_swiglu(float *x, const float *y, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 negated = _mm256_xor_ps(v, _mm256_set1_ps(-0.0f));
        const __m256 silu = _mm256_div_ps(v, _mm256_add_ps(_mm256_set1_ps(1.0f), engine_exp(negated)));
        _mm256_storeu_ps(x + i, _mm256_mul_ps(silu, _mm256_loadu_ps(y + i)));
    }
    for (; i < count; i++) {
        __m256 v = _mm256_set1_ps(x[i]);
        const __m256 silu = _mm256_div_ps(v, _mm256_add_ps(_mm256_set1_ps(1.0f), engine_exp(_mm256_xor_ps(v, _mm256_set1_ps(-0.0f)))));
        x[i] = _mm256_cvtss_f32(silu) * y[i];
    }
}

AVX2 void rakis_softmax(float *x, size_t count) {
    float maximum = -__builtin_inff();
    for (size_t i = 0; i < count; i++) maximum = x[i] > maximum ? x[i] : maximum;
    const __m256 shift = _mm256_set1_ps(maximum);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(x + i, engine_exp(_mm256_sub_ps(_mm256_loadu_ps(x + i), shift)));
    if (i < count) {
        float lanes[8] = {0};
        for (size_t j = i; j < count; j++) lanes[j - i] = x[j];
        _mm256_storeu_ps(lanes, engine_exp(_mm256_sub_ps(_mm256_loadu_ps(lanes), shift)));
        for (size_t j = i; j < count; j++) x[j] = lanes[j - i];
    }
    double sum = 0;
    for (size_t j = 0; j < count; j++) sum += (double)x[j];
    const float normalizer = (float)(1 / sum);
    for (size_t j = 0; j < count; j++) x[j] *= normalizer;
}

INLINE_AVX2 float half_round_trip(float x) {
    return _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtps_ph(_mm_set_ss(x), _MM_FROUND_TO_NEAREST_INT)));
}

AVX2 void rakis_quantize_q8(const float *x, size_t blocks, int8_t *q, float *d, float *s) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (size_t b = 0; b < blocks; b++) {
        const float *in = x + 32 * b;
        __m256 v[4];
        __m256 maxima = _mm256_setzero_ps();
        for (int j = 0; j < 4; j++) {
            v[j] = _mm256_loadu_ps(in + 8 * j);
            maxima = _mm256_max_ps(maxima, _mm256_andnot_ps(sign, v[j]));
        }
        float lanes[8];
        _mm256_storeu_ps(lanes, maxima);
        float maximum = 0;
        for (int j = 0; j < 8; j++) maximum = lanes[j] > maximum ? lanes[j] : maximum;
        const float scale = maximum / 127;
        const __m256 inverse = _mm256_set1_ps(scale == 0 ? 0 : 1 / scale);
        __m256i sum = _mm256_setzero_si256();
        __m256i integers[4];
        for (int j = 0; j < 4; j++) {
            __m256 rounded = _mm256_round_ps(_mm256_mul_ps(v[j], inverse), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            rounded = _mm256_max_ps(_mm256_min_ps(rounded, _mm256_set1_ps(127)), _mm256_set1_ps(-127));
            integers[j] = _mm256_cvtps_epi32(rounded);
            sum = _mm256_add_epi32(sum, integers[j]);
        }
        // Pack 32 int32 to 32 int8 in order (packs interleave 128-bit lanes; the permute undoes it).
        const __m256i words = _mm256_packs_epi32(integers[0], integers[1]);
        const __m256i words2 = _mm256_packs_epi32(integers[2], integers[3]);
        const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(words, words2), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(q + 32 * b), bytes);
        int32_t parts[8];
        _mm256_storeu_si256((__m256i *)parts, sum);
        int32_t total = 0;
        for (int j = 0; j < 8; j++) total += parts[j];
        d[b] = half_round_trip(scale);
        s[b] = half_round_trip((float)total * scale);
    }
}

AVX2 void rakis_round_to_half(const float *src, float *dst, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT)));
    for (; i < count; i++) dst[i] = half_round_trip(src[i]);
}

#else

void rakis_quantize_q8(const float *x, size_t blocks, int8_t *q, float *d, float *s) {}
void rakis_round_to_half(const float *src, float *dst, size_t count) {}

void rakis_attention_scores(const float *query, const float *keys, size_t key_stride, size_t count,
                            size_t dimension, float scale, float *out) {}
void rakis_attention_mix(const float *weights, const float *values, size_t value_stride, size_t count,
                         size_t dimension, float *out) {}
void rakis_swiglu(float *x, const float *y, size_t count) {}
void rakis_softmax(float *x, size_t count) {}

#endif
