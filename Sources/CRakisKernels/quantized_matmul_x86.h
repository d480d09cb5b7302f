// What the quantized matrix products (matmul_x86.c, matmul_k_x86.c) share: their target
// attributes, the token tile, the prefetch distance, the activation broadcast, and the loop over
// row groups and token tiles that calls a format's group kernel. Include inside
// `#if defined(__x86_64__)`.
#ifndef RAKIS_QUANTIZED_MATMUL_X86_H
#define RAKIS_QUANTIZED_MATMUL_X86_H

#include <immintrin.h>
#include <string.h>

#define AVX2 __attribute__((target("avx2,fma,f16c")))
#define INLINE_AVX2 static inline __attribute__((always_inline, target("avx2,fma,f16c")))

enum { TILE = 4, PREFETCH_DISTANCE = 2048 };

// Four activation bytes repeated across the register, to meet 32 weight bytes (8 rows x 4).
INLINE_AVX2 __m256i broadcast4(const int8_t *bytes) {
    int32_t word;
    memcpy(&word, bytes, 4);
    return _mm256_set1_epi32(word);
}

// For each row group g of [group_begin, group_end) (its packed bytes at `group`, GROUP_BYTES
// apart), RUN(tile) for the tokens from t on: full tiles of TILE, then the rest. The tile is a
// constant at every RUN, so the group kernel's per-token arrays live in registers.
#define FOR_EACH_GROUP_AND_TILE(GROUP_BYTES, RUN)                  \
    for (size_t g = group_begin; g < group_end; g++) {             \
        const uint8_t *group = packed + g * (GROUP_BYTES);         \
        size_t t = 0;                                              \
        for (; t + TILE <= tokens; t += TILE) RUN(TILE);           \
        switch (tokens - t) {                                      \
        case 3: RUN(3); break;                                     \
        case 2: RUN(2); break;                                     \
        case 1: RUN(1); break;                                     \
        default: break;                                            \
        }                                                          \
    }

#endif
