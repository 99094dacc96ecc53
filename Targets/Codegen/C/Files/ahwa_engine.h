/* Ahwa matrix-engine emulation: a RedMulE-class engine computing Z = X W + Z on FP16 operands with FP16 fused
   multiply-adds, the sum over the inner dimension in ascending order, each step rounded once
   (docs/arithmetic-contract.md, engine section). On a cluster with the engine, a job is six register writes and a
   trigger; here the cores run it, split by rows of Z, so the kernels run and cross-check on any target.
   Shipped with deployments whose kernels use the engine. */
#ifndef AHWA_ENGINE_H
#define AHWA_ENGINE_H

#include "ahwa_cluster.h"

#if defined(__riscv_zfh)
/* Zfh's fmadd.h is an IEEE FP16 fused multiply-add, rounded once: the engine's operation itself. */
static inline uint16_t ahwa_fma16(uint16_t x, uint16_t w, uint16_t z)
{
    uint32_t r;
    float a, b, c;
    __asm__("fmv.h.x %1, %4\n\tfmv.h.x %2, %5\n\tfmv.h.x %3, %6\n\tfmadd.h %1, %1, %2, %3\n\tfmv.x.h %0, %1"
            : "=r"(r), "=&f"(a), "=&f"(b), "=&f"(c) : "r"((uint32_t)x), "r"((uint32_t)w), "r"((uint32_t)z));
    /* fmv.x.h sign-extends the 16 bits into the integer register. */
    return (uint16_t)(r & 0xFFFFu);
}
#else
/* fp16(x w + z) rounded once, from FP32 only: x w is exact in FP32; the FP32 sum is made round-to-odd from its exact
   error (TwoSum), and rounding that to FP16 (nearest, ties to even) gives the correctly rounded result
   (Boldo and Melquiond, IEEE TC 2008). NaN gives the canonical 0x7E00. */
static inline uint16_t ahwa_fma16(uint16_t x, uint16_t w, uint16_t z)
{
    float p = ahwa_h2f(x) * ahwa_h2f(w);
    float c = ahwa_h2f(z);
    float s = p + c, bb, error;
    uint32_t bits;
    if (isnan(s) || isinf(s)) return ahwa_f2h(s);
    bb = s - p;
    error = (p - (s - bb)) + (c - bb);
    bits = ahwa_float_to_bits(s);
    if (error != 0.0f)
    {
        /* Truncate toward zero (one step down in magnitude when the exact sum lies below |s|), then set the last bit. */
        if ((error < 0.0f) != (s < 0.0f)) bits -= 1u;
        bits |= 1u;
    }
    return ahwa_f2h(ahwa_bits_to_float(bits));
}
#endif

/* One engine job on rows [first, last) of Z: z[i][j] = fma16 chain over l = 0 .. n-1 of x[i][l] w[l][j], starting from
   z[i][j]. x is rows x n, w is n x k, z is rows x k, row-major FP16. */
static inline void ahwa_engine_gemm(const uint16_t *x, const uint16_t *w, uint16_t *z, int n, int k, int first, int last)
{
    int i, j, l;
    for (i = first; i < last; i++)
        for (j = 0; j < k; j++)
        {
            uint16_t acc = z[i * k + j];
            for (l = 0; l < n; l++) acc = ahwa_fma16(x[i * n + l], w[l * k + j], acc);
            z[i * k + j] = acc;
        }
}

#endif /* AHWA_ENGINE_H */
