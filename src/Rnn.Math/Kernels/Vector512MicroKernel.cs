using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Math.Kernels;

/// <summary>
/// AVX-512 tiles: 8 rows × 48 columns (24 zmm accumulators + 3 B vectors + 1 broadcast of 32 registers), enough
/// independent chains to cover the 4-cycle FMA latency on two FMA pipes; the narrow tile is 8 × 16.
/// Eight rows divide the usual batch sizes, so the recurrence products rarely pad rows.
/// </summary>
internal readonly struct Vector512MicroKernel : IGemmMicroKernel
{
    public static bool IsSupported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    public static int Rows => 8;

    public static int WideColumns => 48;

    public static int NarrowColumns => 16;

    public static unsafe void Wide<THeight>(float* a, nint aStep, float* b, nint ldb, int kc, float* c, nint ldc, bool loadC)
        where THeight : struct, ITileHeight
    {
        Vector512<float> c00, c01, c02;
        Vector512<float> c10, c11, c12;
        Vector512<float> c20, c21, c22;
        Vector512<float> c30, c31, c32;
        Vector512<float> c40, c41, c42;
        Vector512<float> c50, c51, c52;
        Vector512<float> c60, c61, c62;
        Vector512<float> c70, c71, c72;
        if (loadC)
        {
            c00 = Vector512.Load(c); c01 = Vector512.Load(c + 16); c02 = Vector512.Load(c + 32);
            c10 = Vector512.Load(c + ldc); c11 = Vector512.Load(c + ldc + 16); c12 = Vector512.Load(c + ldc + 32);
            c20 = Vector512.Load(c + 2 * ldc); c21 = Vector512.Load(c + 2 * ldc + 16); c22 = Vector512.Load(c + 2 * ldc + 32);
            c30 = Vector512.Load(c + 3 * ldc); c31 = Vector512.Load(c + 3 * ldc + 16); c32 = Vector512.Load(c + 3 * ldc + 32);
        }
        else
        {
            c00 = c01 = c02 = c10 = c11 = c12 = c20 = c21 = c22 = c30 = c31 = c32 = Vector512<float>.Zero;
        }

        if (THeight.Full && loadC)
        {
            c40 = Vector512.Load(c + 4 * ldc); c41 = Vector512.Load(c + 4 * ldc + 16); c42 = Vector512.Load(c + 4 * ldc + 32);
            c50 = Vector512.Load(c + 5 * ldc); c51 = Vector512.Load(c + 5 * ldc + 16); c52 = Vector512.Load(c + 5 * ldc + 32);
            c60 = Vector512.Load(c + 6 * ldc); c61 = Vector512.Load(c + 6 * ldc + 16); c62 = Vector512.Load(c + 6 * ldc + 32);
            c70 = Vector512.Load(c + 7 * ldc); c71 = Vector512.Load(c + 7 * ldc + 16); c72 = Vector512.Load(c + 7 * ldc + 32);
        }
        else
        {
            c40 = c41 = c42 = c50 = c51 = c52 = c60 = c61 = c62 = c70 = c71 = c72 = Vector512<float>.Zero;
        }

        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b); Vector512<float> b1 = Vector512.Load(b + 16); Vector512<float> b2 = Vector512.Load(b + 32);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01); c02 = Vector512.FusedMultiplyAdd(a0, b2, c02);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11); c12 = Vector512.FusedMultiplyAdd(a1, b2, c12);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21); c22 = Vector512.FusedMultiplyAdd(a2, b2, c22);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31); c32 = Vector512.FusedMultiplyAdd(a3, b2, c32);
            if (THeight.Full)
            {
                Vector512<float> a4 = Vector512.Create(a[4]);
                c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41); c42 = Vector512.FusedMultiplyAdd(a4, b2, c42);
                Vector512<float> a5 = Vector512.Create(a[5]);
                c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51); c52 = Vector512.FusedMultiplyAdd(a5, b2, c52);
                Vector512<float> a6 = Vector512.Create(a[6]);
                c60 = Vector512.FusedMultiplyAdd(a6, b0, c60); c61 = Vector512.FusedMultiplyAdd(a6, b1, c61); c62 = Vector512.FusedMultiplyAdd(a6, b2, c62);
                Vector512<float> a7 = Vector512.Create(a[7]);
                c70 = Vector512.FusedMultiplyAdd(a7, b0, c70); c71 = Vector512.FusedMultiplyAdd(a7, b1, c71); c72 = Vector512.FusedMultiplyAdd(a7, b2, c72);
            }

            a += aStep;
            b += ldb;
        }

        c00.Store(c); c01.Store(c + 16); c02.Store(c + 32);
        c10.Store(c + ldc); c11.Store(c + ldc + 16); c12.Store(c + ldc + 32);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16); c22.Store(c + 2 * ldc + 32);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16); c32.Store(c + 3 * ldc + 32);
        if (THeight.Full)
        {
            c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16); c42.Store(c + 4 * ldc + 32);
            c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16); c52.Store(c + 5 * ldc + 32);
            c60.Store(c + 6 * ldc); c61.Store(c + 6 * ldc + 16); c62.Store(c + 6 * ldc + 32);
            c70.Store(c + 7 * ldc); c71.Store(c + 7 * ldc + 16); c72.Store(c + 7 * ldc + 32);
        }
    }

    public static unsafe void Narrow<THeight>(float* a, nint aStep, float* b, nint ldb, int kc, float* c, nint ldc, bool loadC)
        where THeight : struct, ITileHeight
    {
        Vector512<float> c00;
        Vector512<float> c10;
        Vector512<float> c20;
        Vector512<float> c30;
        Vector512<float> c40;
        Vector512<float> c50;
        Vector512<float> c60;
        Vector512<float> c70;
        if (loadC)
        {
            c00 = Vector512.Load(c);
            c10 = Vector512.Load(c + ldc);
            c20 = Vector512.Load(c + 2 * ldc);
            c30 = Vector512.Load(c + 3 * ldc);
        }
        else
        {
            c00 = c10 = c20 = c30 = Vector512<float>.Zero;
        }

        if (THeight.Full && loadC)
        {
            c40 = Vector512.Load(c + 4 * ldc);
            c50 = Vector512.Load(c + 5 * ldc);
            c60 = Vector512.Load(c + 6 * ldc);
            c70 = Vector512.Load(c + 7 * ldc);
        }
        else
        {
            c40 = c50 = c60 = c70 = Vector512<float>.Zero;
        }

        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            if (THeight.Full)
            {
                Vector512<float> a4 = Vector512.Create(a[4]);
                c40 = Vector512.FusedMultiplyAdd(a4, b0, c40);
                Vector512<float> a5 = Vector512.Create(a[5]);
                c50 = Vector512.FusedMultiplyAdd(a5, b0, c50);
                Vector512<float> a6 = Vector512.Create(a[6]);
                c60 = Vector512.FusedMultiplyAdd(a6, b0, c60);
                Vector512<float> a7 = Vector512.Create(a[7]);
                c70 = Vector512.FusedMultiplyAdd(a7, b0, c70);
            }

            a += aStep;
            b += ldb;
        }

        c00.Store(c);
        c10.Store(c + ldc);
        c20.Store(c + 2 * ldc);
        c30.Store(c + 3 * ldc);
        if (THeight.Full)
        {
            c40.Store(c + 4 * ldc);
            c50.Store(c + 5 * ldc);
            c60.Store(c + 6 * ldc);
            c70.Store(c + 7 * ldc);
        }
    }
}
