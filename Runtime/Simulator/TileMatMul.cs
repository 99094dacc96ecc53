using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ahwa.Simulator;

/// <summary>
/// y (tokens x n) = x (tokens x k) * wT (k x n), row-major. Every output element is accumulated the same way,
/// acc = fma(x[t, i], wT[i, j], acc) for i = 0..k-1, whichever path (4-token block, single token,
/// vector or scalar tail) computes it, so results do not depend on how tokens are grouped or split
/// across threads.
/// </summary>
public static class TileMatMul
{
    const int TokenBlock = 4;

    public static void Multiply(ReadOnlySpan<float> x, int tokens, int k, ReadOnlySpan<float> wT, int n, Span<float> y)
    {
        if (x.Length < tokens * k) throw new ArgumentException($"x has {x.Length} elements; {tokens} x {k} needed.", nameof(x));
        if (wT.Length < k * n) throw new ArgumentException($"wT has {wT.Length} elements; {k} x {n} needed.", nameof(wT));
        if (y.Length < tokens * n) throw new ArgumentException($"y has {y.Length} elements; {tokens} x {n} needed.", nameof(y));
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ws = ref MemoryMarshal.GetReference(wT);
        ref float ys = ref MemoryMarshal.GetReference(y);

        int width = Vector256<float>.Count;
        int strip = 2 * width;
        int j = 0;
        // Where AVX-512 runs natively, strips of 32 columns first: twice the work per instruction, the same
        // per-element chain of fused multiply-adds, so the same bits as the 256-bit paths below.
        if (Vector512.IsHardwareAccelerated)
            for (; j + 2 * strip <= n; j += 2 * strip)
            {
                int t = 0;
                for (; t + 8 <= tokens; t += 8) Block8x32(ref xs, ref ws, ref ys, t, j, k, n);
                for (; t < tokens; t++) Block1x32(ref xs, ref ws, ref ys, t, j, k, n);
            }
        // Column strips outermost: a strip of wT (k x 16 floats) stays in L1 while every token block uses it.
        for (; j + strip <= n; j += strip)
        {
            int t = 0;
            for (; t + 8 <= tokens; t += 8) Block8x16(ref xs, ref ws, ref ys, t, j, k, n);
            for (; t + TokenBlock <= tokens; t += TokenBlock) Block4x16(ref xs, ref ws, ref ys, t, j, k, n);
            for (; t < tokens; t++) Block1x16(ref xs, ref ws, ref ys, t, j, k, n);
        }
        for (; j + width <= n; j += width)
            for (int t = 0; t < tokens; t++) Block1x8(ref xs, ref ws, ref ys, t, j, k, n);
        for (; j < n; j++)
            for (int t = 0; t < tokens; t++)
            {
                float acc = 0f;
                for (int i = 0; i < k; i++)
                    acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref xs, t * k + i), Unsafe.Add(ref ws, i * n + j), acc);
                Unsafe.Add(ref ys, t * n + j) = acc;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    static void Block8x16(ref float xs, ref float ws, ref float ys, int t, int j, int k, int n)
    {
        var a00 = Vector256<float>.Zero; var a01 = Vector256<float>.Zero;
        var a10 = Vector256<float>.Zero; var a11 = Vector256<float>.Zero;
        var a20 = Vector256<float>.Zero; var a21 = Vector256<float>.Zero;
        var a30 = Vector256<float>.Zero; var a31 = Vector256<float>.Zero;
        var a40 = Vector256<float>.Zero; var a41 = Vector256<float>.Zero;
        var a50 = Vector256<float>.Zero; var a51 = Vector256<float>.Zero;
        var a60 = Vector256<float>.Zero; var a61 = Vector256<float>.Zero;
        var a70 = Vector256<float>.Zero; var a71 = Vector256<float>.Zero;
        ref float x0 = ref Unsafe.Add(ref xs, t * k);
        ref float w = ref Unsafe.Add(ref ws, j);
        for (int i = 0; i < k; i++)
        {
            var w0 = Vector256.LoadUnsafe(ref w);
            var w1 = Vector256.LoadUnsafe(ref w, 8);
            ref float xi = ref Unsafe.Add(ref x0, i);
            var b = Vector256.Create(xi);
            a00 = Fma(b, w0, a00); a01 = Fma(b, w1, a01);
            b = Vector256.Create(Unsafe.Add(ref xi, k));
            a10 = Fma(b, w0, a10); a11 = Fma(b, w1, a11);
            b = Vector256.Create(Unsafe.Add(ref xi, 2 * k));
            a20 = Fma(b, w0, a20); a21 = Fma(b, w1, a21);
            b = Vector256.Create(Unsafe.Add(ref xi, 3 * k));
            a30 = Fma(b, w0, a30); a31 = Fma(b, w1, a31);
            b = Vector256.Create(Unsafe.Add(ref xi, 4 * k));
            a40 = Fma(b, w0, a40); a41 = Fma(b, w1, a41);
            b = Vector256.Create(Unsafe.Add(ref xi, 5 * k));
            a50 = Fma(b, w0, a50); a51 = Fma(b, w1, a51);
            b = Vector256.Create(Unsafe.Add(ref xi, 6 * k));
            a60 = Fma(b, w0, a60); a61 = Fma(b, w1, a61);
            b = Vector256.Create(Unsafe.Add(ref xi, 7 * k));
            a70 = Fma(b, w0, a70); a71 = Fma(b, w1, a71);
            w = ref Unsafe.Add(ref w, n);
        }
        ref float y = ref Unsafe.Add(ref ys, t * n + j);
        a00.StoreUnsafe(ref y); a01.StoreUnsafe(ref y, 8); y = ref Unsafe.Add(ref y, n);
        a10.StoreUnsafe(ref y); a11.StoreUnsafe(ref y, 8); y = ref Unsafe.Add(ref y, n);
        a20.StoreUnsafe(ref y); a21.StoreUnsafe(ref y, 8); y = ref Unsafe.Add(ref y, n);
        a30.StoreUnsafe(ref y); a31.StoreUnsafe(ref y, 8); y = ref Unsafe.Add(ref y, n);
        a40.StoreUnsafe(ref y); a41.StoreUnsafe(ref y, 8); y = ref Unsafe.Add(ref y, n);
        a50.StoreUnsafe(ref y); a51.StoreUnsafe(ref y, 8); y = ref Unsafe.Add(ref y, n);
        a60.StoreUnsafe(ref y); a61.StoreUnsafe(ref y, 8); y = ref Unsafe.Add(ref y, n);
        a70.StoreUnsafe(ref y); a71.StoreUnsafe(ref y, 8);
    }

    static void Block8x32(ref float xs, ref float ws, ref float ys, int t, int j, int k, int n)
    {
        var a00 = Vector512<float>.Zero; var a01 = Vector512<float>.Zero;
        var a10 = Vector512<float>.Zero; var a11 = Vector512<float>.Zero;
        var a20 = Vector512<float>.Zero; var a21 = Vector512<float>.Zero;
        var a30 = Vector512<float>.Zero; var a31 = Vector512<float>.Zero;
        var a40 = Vector512<float>.Zero; var a41 = Vector512<float>.Zero;
        var a50 = Vector512<float>.Zero; var a51 = Vector512<float>.Zero;
        var a60 = Vector512<float>.Zero; var a61 = Vector512<float>.Zero;
        var a70 = Vector512<float>.Zero; var a71 = Vector512<float>.Zero;
        ref float x0 = ref Unsafe.Add(ref xs, t * k);
        ref float w = ref Unsafe.Add(ref ws, j);
        for (int i = 0; i < k; i++)
        {
            var w0 = Vector512.LoadUnsafe(ref w);
            var w1 = Vector512.LoadUnsafe(ref w, 16);
            ref float xi = ref Unsafe.Add(ref x0, i);
            var b = Vector512.Create(xi);
            a00 = Vector512.FusedMultiplyAdd(b, w0, a00); a01 = Vector512.FusedMultiplyAdd(b, w1, a01);
            b = Vector512.Create(Unsafe.Add(ref xi, k));
            a10 = Vector512.FusedMultiplyAdd(b, w0, a10); a11 = Vector512.FusedMultiplyAdd(b, w1, a11);
            b = Vector512.Create(Unsafe.Add(ref xi, 2 * k));
            a20 = Vector512.FusedMultiplyAdd(b, w0, a20); a21 = Vector512.FusedMultiplyAdd(b, w1, a21);
            b = Vector512.Create(Unsafe.Add(ref xi, 3 * k));
            a30 = Vector512.FusedMultiplyAdd(b, w0, a30); a31 = Vector512.FusedMultiplyAdd(b, w1, a31);
            b = Vector512.Create(Unsafe.Add(ref xi, 4 * k));
            a40 = Vector512.FusedMultiplyAdd(b, w0, a40); a41 = Vector512.FusedMultiplyAdd(b, w1, a41);
            b = Vector512.Create(Unsafe.Add(ref xi, 5 * k));
            a50 = Vector512.FusedMultiplyAdd(b, w0, a50); a51 = Vector512.FusedMultiplyAdd(b, w1, a51);
            b = Vector512.Create(Unsafe.Add(ref xi, 6 * k));
            a60 = Vector512.FusedMultiplyAdd(b, w0, a60); a61 = Vector512.FusedMultiplyAdd(b, w1, a61);
            b = Vector512.Create(Unsafe.Add(ref xi, 7 * k));
            a70 = Vector512.FusedMultiplyAdd(b, w0, a70); a71 = Vector512.FusedMultiplyAdd(b, w1, a71);
            w = ref Unsafe.Add(ref w, n);
        }
        ref float y = ref Unsafe.Add(ref ys, t * n + j);
        a00.StoreUnsafe(ref y); a01.StoreUnsafe(ref y, 16); y = ref Unsafe.Add(ref y, n);
        a10.StoreUnsafe(ref y); a11.StoreUnsafe(ref y, 16); y = ref Unsafe.Add(ref y, n);
        a20.StoreUnsafe(ref y); a21.StoreUnsafe(ref y, 16); y = ref Unsafe.Add(ref y, n);
        a30.StoreUnsafe(ref y); a31.StoreUnsafe(ref y, 16); y = ref Unsafe.Add(ref y, n);
        a40.StoreUnsafe(ref y); a41.StoreUnsafe(ref y, 16); y = ref Unsafe.Add(ref y, n);
        a50.StoreUnsafe(ref y); a51.StoreUnsafe(ref y, 16); y = ref Unsafe.Add(ref y, n);
        a60.StoreUnsafe(ref y); a61.StoreUnsafe(ref y, 16); y = ref Unsafe.Add(ref y, n);
        a70.StoreUnsafe(ref y); a71.StoreUnsafe(ref y, 16);
    }

    static void Block1x32(ref float xs, ref float ws, ref float ys, int t, int j, int k, int n)
    {
        var a0 = Vector512<float>.Zero; var a1 = Vector512<float>.Zero;
        ref float x0 = ref Unsafe.Add(ref xs, t * k);
        ref float w = ref Unsafe.Add(ref ws, j);
        for (int i = 0; i < k; i++)
        {
            var b = Vector512.Create(Unsafe.Add(ref x0, i));
            a0 = Vector512.FusedMultiplyAdd(b, Vector512.LoadUnsafe(ref w), a0);
            a1 = Vector512.FusedMultiplyAdd(b, Vector512.LoadUnsafe(ref w, 16), a1);
            w = ref Unsafe.Add(ref w, n);
        }
        ref float y0 = ref Unsafe.Add(ref ys, t * n + j);
        a0.StoreUnsafe(ref y0);
        a1.StoreUnsafe(ref y0, 16);
    }

    static void Block4x16(ref float xs, ref float ws, ref float ys, int t, int j, int k, int n)
    {
        var a00 = Vector256<float>.Zero; var a01 = Vector256<float>.Zero;
        var a10 = Vector256<float>.Zero; var a11 = Vector256<float>.Zero;
        var a20 = Vector256<float>.Zero; var a21 = Vector256<float>.Zero;
        var a30 = Vector256<float>.Zero; var a31 = Vector256<float>.Zero;
        ref float x0 = ref Unsafe.Add(ref xs, t * k);
        ref float x1 = ref Unsafe.Add(ref x0, k);
        ref float x2 = ref Unsafe.Add(ref x1, k);
        ref float x3 = ref Unsafe.Add(ref x2, k);
        ref float w = ref Unsafe.Add(ref ws, j);
        for (int i = 0; i < k; i++)
        {
            var w0 = Vector256.LoadUnsafe(ref w);
            var w1 = Vector256.LoadUnsafe(ref w, 8);
            var b0 = Vector256.Create(Unsafe.Add(ref x0, i));
            var b1 = Vector256.Create(Unsafe.Add(ref x1, i));
            var b2 = Vector256.Create(Unsafe.Add(ref x2, i));
            var b3 = Vector256.Create(Unsafe.Add(ref x3, i));
            a00 = Fma(b0, w0, a00); a01 = Fma(b0, w1, a01);
            a10 = Fma(b1, w0, a10); a11 = Fma(b1, w1, a11);
            a20 = Fma(b2, w0, a20); a21 = Fma(b2, w1, a21);
            a30 = Fma(b3, w0, a30); a31 = Fma(b3, w1, a31);
            w = ref Unsafe.Add(ref w, n);
        }
        ref float y0 = ref Unsafe.Add(ref ys, t * n + j);
        a00.StoreUnsafe(ref y0); a01.StoreUnsafe(ref y0, 8);
        ref float y1 = ref Unsafe.Add(ref y0, n);
        a10.StoreUnsafe(ref y1); a11.StoreUnsafe(ref y1, 8);
        ref float y2 = ref Unsafe.Add(ref y1, n);
        a20.StoreUnsafe(ref y2); a21.StoreUnsafe(ref y2, 8);
        ref float y3 = ref Unsafe.Add(ref y2, n);
        a30.StoreUnsafe(ref y3); a31.StoreUnsafe(ref y3, 8);
    }

    static void Block1x16(ref float xs, ref float ws, ref float ys, int t, int j, int k, int n)
    {
        var a0 = Vector256<float>.Zero; var a1 = Vector256<float>.Zero;
        ref float x0 = ref Unsafe.Add(ref xs, t * k);
        ref float w = ref Unsafe.Add(ref ws, j);
        for (int i = 0; i < k; i++)
        {
            var b = Vector256.Create(Unsafe.Add(ref x0, i));
            a0 = Fma(b, Vector256.LoadUnsafe(ref w), a0);
            a1 = Fma(b, Vector256.LoadUnsafe(ref w, 8), a1);
            w = ref Unsafe.Add(ref w, n);
        }
        ref float y0 = ref Unsafe.Add(ref ys, t * n + j);
        a0.StoreUnsafe(ref y0);
        a1.StoreUnsafe(ref y0, 8);
    }

    static void Block1x8(ref float xs, ref float ws, ref float ys, int t, int j, int k, int n)
    {
        var a0 = Vector256<float>.Zero;
        ref float x0 = ref Unsafe.Add(ref xs, t * k);
        ref float w = ref Unsafe.Add(ref ws, j);
        for (int i = 0; i < k; i++)
        {
            a0 = Fma(Vector256.Create(Unsafe.Add(ref x0, i)), Vector256.LoadUnsafe(ref w), a0);
            w = ref Unsafe.Add(ref w, n);
        }
        a0.StoreUnsafe(ref Unsafe.Add(ref ys, t * n + j));
    }
}
