"""Ours against PyTorch, side by side: training throughput of LSTM(H)-Dropout(0.2)-Dense(1) on (B, T, 1) sequences,
1 thread each, for the seed model (H=50, T=50, B=32) and LSTM(256) (T=100, B=64). The two programs run in turn,
ours then PyTorch's, PAIRS times; each pair gives a ratio (our seq/s over PyTorch's) and the median is printed.
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from both programs' environment (a machine that sets them holds
OpenBLAS to older kernels); --coretype sets OPENBLAS_CORETYPE for PyTorch only, to compare against a kernel that
OpenBLAS's own detection does not pick.
Needs `dotnet build -c Release` first, and a Python with PyTorch (Debian: python3-torch); without one it says so
and runs nothing. Usage (from the repository root):
  python3 tests/RnnCluster.Benchmarks/Peers/compare.py [--pairs 3] [--python /usr/bin/python3] [--coretype NAME]"""
import argparse, json, os, pathlib, re, statistics, subprocess, sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CASES = [  # name, our config, torch_lstm_bench.py's HIDDEN T BATCH, steps (ours, PyTorch's)
    ("seed LSTM(50) T=50 B=32", HERE.parent / "Configs" / "seed.json", (50, 50, 32), (400, 200)),
    ("LSTM(256) T=100 B=64", HERE.parent / "Configs" / "lstm256.json", (256, 100, 64), (20, 10)),
]


def run(command, env):
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    return result.stdout


def ours(binary, config, steps, env):
    output = run([str(binary), "bench", "--config", str(config), "--workers", "1", "--threads", "1",
                  "--steps", str(steps), "--quiet"], env)
    return json.loads(output.strip().splitlines()[-1])["seqPerSec"]


def theirs(python, shape, steps, env):
    output = run([python, str(HERE / "torch_lstm_bench.py"), *map(str, shape), "1", str(steps)], env)
    return float(re.search(r"([\d.]+) seq/s", output).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--python", default="/usr/bin/python3", help="a Python that can import torch")
    parser.add_argument("--coretype", help="OPENBLAS_CORETYPE for PyTorch's side only")
    parser.add_argument("--rnn-cluster", default=str(ROOT / "src/Coordinator/bin/Release/net10.0/rnn-cluster"))
    args = parser.parse_args()

    if subprocess.run([args.python, "-c", "import torch"], capture_output=True).returncode != 0:
        print(f"PyTorch is not installed for {args.python}: nothing to compare (Debian: apt-get install python3-torch)")
        return 0
    binary = pathlib.Path(args.rnn_cluster)
    if not binary.exists():
        print(f"{binary} not found: run `dotnet build -c Release` first, or pass --rnn-cluster", file=sys.stderr)
        return 2

    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    torch_env = dict(env, **({"OPENBLAS_CORETYPE": args.coretype} if args.coretype else {}))
    print(run([args.python, "-c", "import torch; print('PyTorch', torch.__version__)"], torch_env).strip(),
          f"(OPENBLAS_CORETYPE={args.coretype or 'unset'}), 1 thread each, {args.pairs} alternating pairs")
    for name, config, shape, (our_steps, their_steps) in CASES:
        ratios = []
        for pair in range(1, args.pairs + 1):
            a = ours(binary, config, our_steps, env)
            b = theirs(args.python, shape, their_steps, torch_env)
            ratios.append(a / b)
            print(f"{name}  pair {pair}: ours {a:8.0f} seq/s  PyTorch {b:8.0f} seq/s  ratio {a / b:5.2f}", flush=True)
        print(f"{name}  median ratio {statistics.median(ratios):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
