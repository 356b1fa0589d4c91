namespace Rnn.Math.Kernels;

/// <summary>The instruction sets <see cref="Gemm"/> can run on; every one gives the reference's bits.</summary>
internal enum GemmPath
{
    Scalar,
    Vector256,
    Vector512,
}
