// The engine's elementary functions (RakisEngine/Math/EngineMath.swift), eight lanes at a time,
// for the kernels that need them. Each lane does exactly the scalar version's operations.
#ifndef RAKIS_ENGINE_MATH_X86_H
#define RAKIS_ENGINE_MATH_X86_H

#include "RakisKernels.h"
#include <immintrin.h>

#define ENGINE_MATH_INLINE static inline __attribute__((always_inline, target("avx2,fma")))

// EngineMath.exp(Float), lane by lane: same constants, same operation order.
ENGINE_MATH_INLINE __m256 engine_exp(__m256 x) {
    const __m256 k = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.442695041f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256 r = _mm256_sub_ps(_mm256_sub_ps(x, _mm256_mul_ps(k, _mm256_set1_ps(0.693145752f))),
                                   _mm256_mul_ps(k, _mm256_set1_ps(1.42860677e-06f)));
    static const float coefficients[] = {1.0f / 720, 1.0f / 120, 1.0f / 24, 1.0f / 6, 0.5f, 1.0f, 1.0f};
    __m256 p = _mm256_set1_ps(1.0f / 5040);
    for (int i = 0; i < 7; i++) p = _mm256_add_ps(_mm256_mul_ps(p, r), _mm256_set1_ps(coefficients[i]));
    const __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
    __m256 result = _mm256_mul_ps(p, _mm256_castsi256_ps(exponent));
    // The scalar version's special cases: overflow to infinity, underflow to zero, NaN through.
    result = _mm256_blendv_ps(result, _mm256_set1_ps(__builtin_inff()), _mm256_cmp_ps(x, _mm256_set1_ps(88.72283f), _CMP_GT_OQ));
    result = _mm256_blendv_ps(result, _mm256_setzero_ps(), _mm256_cmp_ps(x, _mm256_set1_ps(-87.33654f), _CMP_LT_OQ));
    return _mm256_blendv_ps(result, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

ENGINE_MATH_INLINE __m256 horner(const float *coefficients, size_t count, __m256 x) {
    __m256 p = _mm256_set1_ps(coefficients[count - 1]);
    for (size_t i = count - 1; i-- > 0;) p = _mm256_add_ps(_mm256_mul_ps(p, x), _mm256_set1_ps(coefficients[i]));
    return p;
}

// EngineMath.erf(Float), lane by lane: both branches are computed and the right one kept.
ENGINE_MATH_INLINE __m256 engine_erf(__m256 x, const rakis_erf_coefficients *erf) {
    const __m256 sign = _mm256_set1_ps(-0.0f), one = _mm256_set1_ps(1.0f);
    const __m256 magnitude = _mm256_andnot_ps(sign, x);
    const __m256 square = _mm256_mul_ps(magnitude, magnitude);
    const __m256 is_low = _mm256_cmp_ps(magnitude, one, _CMP_LT_OQ);
    const int low_lanes = _mm256_movemask_ps(is_low);
    __m256 value = one;
    // Each branch runs only if some lane takes it (most activations are near zero).
    if (low_lanes != 0xFF) {
        const __m256 tail = _mm256_mul_ps(engine_exp(_mm256_xor_ps(square, sign)),
                                          horner(erf->erfc_scaled, erf->erfc_scaled_count, _mm256_div_ps(one, magnitude)));
        value = _mm256_blendv_ps(one, _mm256_sub_ps(one, tail), _mm256_cmp_ps(magnitude, _mm256_set1_ps(4.0f), _CMP_LT_OQ));
    }
    if (low_lanes != 0) value = _mm256_blendv_ps(value, _mm256_mul_ps(magnitude, horner(erf->near_zero, erf->near_zero_count, square)), is_low);
    value = _mm256_blendv_ps(value, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
    return _mm256_or_ps(_mm256_andnot_ps(sign, value), _mm256_and_ps(sign, x));
}

ENGINE_MATH_INLINE __m256 engine_gelu(__m256 v, const rakis_erf_coefficients *erf) {
    const __m256 e = engine_erf(_mm256_mul_ps(v, _mm256_set1_ps(0.70710677f)), erf);
    return _mm256_mul_ps(_mm256_mul_ps(v, _mm256_set1_ps(0.5f)), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

#endif
