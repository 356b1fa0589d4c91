using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Math.Kernels;

/// <summary>
/// AVX2 + FMA tiles: 6 rows × 16 columns (12 ymm accumulators + 2 B vectors + 1 broadcast fit the 16 registers
/// of AVX2); the narrow tile is 6 × 8.
/// </summary>
internal readonly struct Vector256MicroKernel : IGemmMicroKernel
{
    public static bool IsSupported => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    public static int Rows => 6;

    public static int WideColumns => 16;

    public static int NarrowColumns => 8;

    public static unsafe void Wide<THeight>(float* a, nint aStep, float* b, nint ldb, int kc, float* c, nint ldc, bool loadC)
        where THeight : struct, ITileHeight
    {
        Vector256<float> c00, c01;
        Vector256<float> c10, c11;
        Vector256<float> c20, c21;
        Vector256<float> c30, c31;
        Vector256<float> c40, c41;
        Vector256<float> c50, c51;
        if (loadC)
        {
            c00 = Vector256.Load(c); c01 = Vector256.Load(c + 8);
            c10 = Vector256.Load(c + ldc); c11 = Vector256.Load(c + ldc + 8);
            c20 = Vector256.Load(c + 2 * ldc); c21 = Vector256.Load(c + 2 * ldc + 8);
        }
        else
        {
            c00 = c01 = c10 = c11 = c20 = c21 = Vector256<float>.Zero;
        }

        if (THeight.Full && loadC)
        {
            c30 = Vector256.Load(c + 3 * ldc); c31 = Vector256.Load(c + 3 * ldc + 8);
            c40 = Vector256.Load(c + 4 * ldc); c41 = Vector256.Load(c + 4 * ldc + 8);
            c50 = Vector256.Load(c + 5 * ldc); c51 = Vector256.Load(c + 5 * ldc + 8);
        }
        else
        {
            c30 = c31 = c40 = c41 = c50 = c51 = Vector256<float>.Zero;
        }

        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b); Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00); c01 = Fma.MultiplyAdd(a0, b1, c01);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10); c11 = Fma.MultiplyAdd(a1, b1, c11);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20); c21 = Fma.MultiplyAdd(a2, b1, c21);
            if (THeight.Full)
            {
                Vector256<float> a3 = Vector256.Create(a[3]);
                c30 = Fma.MultiplyAdd(a3, b0, c30); c31 = Fma.MultiplyAdd(a3, b1, c31);
                Vector256<float> a4 = Vector256.Create(a[4]);
                c40 = Fma.MultiplyAdd(a4, b0, c40); c41 = Fma.MultiplyAdd(a4, b1, c41);
                Vector256<float> a5 = Vector256.Create(a[5]);
                c50 = Fma.MultiplyAdd(a5, b0, c50); c51 = Fma.MultiplyAdd(a5, b1, c51);
            }

            a += aStep;
            b += ldb;
        }

        c00.Store(c); c01.Store(c + 8);
        c10.Store(c + ldc); c11.Store(c + ldc + 8);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 8);
        if (THeight.Full)
        {
            c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 8);
            c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 8);
            c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 8);
        }
    }

    public static unsafe void Narrow<THeight>(float* a, nint aStep, float* b, nint ldb, int kc, float* c, nint ldc, bool loadC)
        where THeight : struct, ITileHeight
    {
        Vector256<float> c00;
        Vector256<float> c10;
        Vector256<float> c20;
        Vector256<float> c30;
        Vector256<float> c40;
        Vector256<float> c50;
        if (loadC)
        {
            c00 = Vector256.Load(c);
            c10 = Vector256.Load(c + ldc);
            c20 = Vector256.Load(c + 2 * ldc);
        }
        else
        {
            c00 = c10 = c20 = Vector256<float>.Zero;
        }

        if (THeight.Full && loadC)
        {
            c30 = Vector256.Load(c + 3 * ldc);
            c40 = Vector256.Load(c + 4 * ldc);
            c50 = Vector256.Load(c + 5 * ldc);
        }
        else
        {
            c30 = c40 = c50 = Vector256<float>.Zero;
        }

        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c00 = Fma.MultiplyAdd(a0, b0, c00);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c10 = Fma.MultiplyAdd(a1, b0, c10);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c20 = Fma.MultiplyAdd(a2, b0, c20);
            if (THeight.Full)
            {
                Vector256<float> a3 = Vector256.Create(a[3]);
                c30 = Fma.MultiplyAdd(a3, b0, c30);
                Vector256<float> a4 = Vector256.Create(a[4]);
                c40 = Fma.MultiplyAdd(a4, b0, c40);
                Vector256<float> a5 = Vector256.Create(a[5]);
                c50 = Fma.MultiplyAdd(a5, b0, c50);
            }

            a += aStep;
            b += ldb;
        }

        c00.Store(c);
        c10.Store(c + ldc);
        c20.Store(c + 2 * ldc);
        if (THeight.Full)
        {
            c30.Store(c + 3 * ldc);
            c40.Store(c + 4 * ldc);
            c50.Store(c + 5 * ldc);
        }
    }
}
