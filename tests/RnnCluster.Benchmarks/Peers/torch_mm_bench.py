"""The yardstick for our matrix product: OpenBLAS sgemm through torch.mm (numpy is not needed), on the shapes of
tests/RnnCluster.Benchmarks/Kernels/GemmBenchmarks.cs, contiguous operands. Prints the median of five timings per shape (BenchmarkDotNet's Median column is the one to set
beside it).
Usage: python3 torch_mm_bench.py [THREADS]"""
import statistics, sys, time, torch

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
for m, n, k in [(32, 200, 50), (32, 50, 200), (200, 50, 200), (64, 1024, 256), (64, 256, 1024), (1024, 256, 400), (1024, 1024, 1024)]:
    a, b, c = torch.randn(m, k), torch.randn(k, n), torch.empty(m, n)
    reps = max(20, int(2e9 / (2 * m * n * k)))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b, out=c)
        times.append((time.perf_counter() - start) / reps)
    median = statistics.median(times)
    print(f"torch.mm {m}x{n}x{k}: {median * 1e6:10.2f} us  {2 * m * n * k / median / 1e9:6.1f} GFLOP/s")
