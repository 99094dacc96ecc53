/* Ahwa cluster runtime: L1 arena, DMA, cores and the arithmetic contract's FP16 conversions
   (docs/arithmetic-contract.md). Shipped verbatim with every deployment; every kernel includes it. */
#ifndef AHWA_CLUSTER_H
#define AHWA_CLUSTER_H

#include <stdint.h>
#include <string.h>
#include <math.h>

/* Bytes of the cluster's L1: the model's generated ahwa_config.h, unless given with -DAHWA_L1_BYTES=... */
#ifndef AHWA_L1_BYTES
#include "ahwa_config.h"
#endif

/* The cluster's tightly coupled L1 memory. */
extern uint8_t ahwa_l1[AHWA_L1_BYTES];

/* DMA between main memory and L1; memcpy where there is no DMA engine. */
typedef int ahwa_dma_t;
static inline ahwa_dma_t ahwa_dma_start(void *dst, const void *src, uint32_t bytes)
{
    memcpy(dst, src, bytes);
    return 0;
}
static inline void ahwa_dma_wait(ahwa_dma_t transfer) { (void)transfer; }

/* Runs fn(ctx, core, num_cores) on every core and returns when all are done: a barrier. */
typedef void (*ahwa_phase_fn)(void *ctx, int core, int num_cores);
void ahwa_parallel(ahwa_phase_fn fn, void *ctx, int num_cores);

/* FP16 <-> FP32 of the arithmetic contract: exact widening, round-to-nearest-even narrowing,
   overflow to infinity, subnormals kept, any NaN to the canonical quiet NaN. */
static inline float ahwa_bits_to_float(uint32_t bits) { float f; memcpy(&f, &bits, 4); return f; }
static inline uint32_t ahwa_float_to_bits(float f) { uint32_t bits; memcpy(&bits, &f, 4); return bits; }

#if defined(__riscv_zfh)
static inline float ahwa_h2f(uint16_t h)
{
    float f;
    __asm__("fmv.h.x %0, %1\n\tfcvt.s.h %0, %0" : "=f"(f) : "r"((uint32_t)h));
    return f;
}
static inline uint16_t ahwa_f2h(float f)
{
    uint32_t h;
    float t;
    __asm__("fcvt.h.s %1, %2\n\tfmv.x.h %0, %1" : "=r"(h), "=&f"(t) : "f"(f));
    return (uint16_t)h;
}
#else
static inline float ahwa_h2f(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = ((uint32_t)h >> 10) & 0x1Fu;
    uint32_t mantissa = (uint32_t)h & 0x3FFu;
    if (exponent == 0x1Fu) return ahwa_bits_to_float(mantissa ? 0x7FC00000u : (sign | 0x7F800000u));
    if (exponent == 0u) {
        if (mantissa == 0u) return ahwa_bits_to_float(sign);
        exponent = 113u;
        while ((mantissa & 0x400u) == 0u) { mantissa <<= 1; exponent--; }
        return ahwa_bits_to_float(sign | (exponent << 23) | ((mantissa & 0x3FFu) << 13));
    }
    return ahwa_bits_to_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}
static inline uint16_t ahwa_f2h(float f)
{
    uint32_t x = ahwa_float_to_bits(f);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t abs = x & 0x7FFFFFFFu;
    if (abs > 0x7F800000u) return 0x7E00u;
    if (abs >= 0x477FF000u) return (uint16_t)(sign | 0x7C00u);
    if (abs >= 0x38800000u) {
        uint32_t rebased = abs - 0x38000000u;
        return (uint16_t)(sign | ((rebased + 0x0FFFu + ((rebased >> 13) & 1u)) >> 13));
    }
    if (abs < 0x33000000u) return (uint16_t)sign;
    {
        uint32_t shift = 126u - (abs >> 23);
        uint32_t with_one = (abs & 0x7FFFFFu) | 0x800000u;
        uint32_t result = with_one >> shift;
        uint32_t remainder = with_one & ((1u << shift) - 1u);
        uint32_t half = 1u << (shift - 1u);
        if (remainder > half || (remainder == half && (result & 1u))) result++;
        return (uint16_t)(sign | result);
    }
}
#endif

/* Load an FP16 value as FP32 / store FP32 as FP16 (one instruction each with Zfh's flh and fsh). */
#if defined(__riscv_zfh)
static inline float ahwa_load_h(const uint16_t *p)
{
    float f;
    __asm__("flh %0, %1\n\tfcvt.s.h %0, %0" : "=f"(f) : "m"(*p));
    return f;
}
static inline void ahwa_store_h(uint16_t *p, float f)
{
    float t;
    __asm__("fcvt.h.s %1, %2\n\tfsh %1, %0" : "=m"(*p), "=&f"(t) : "f"(f));
}
#else
static inline float ahwa_load_h(const uint16_t *p) { return ahwa_h2f(*p); }
static inline void ahwa_store_h(uint16_t *p, float f) { *p = ahwa_f2h(f); }
#endif

#endif /* AHWA_CLUSTER_H */
