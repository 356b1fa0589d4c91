"""Ours against PyTorch, side by side: training throughput, 1 thread each, of LSTM(H)-Dropout(0.2)-Dense(1) on (B, T, 1)
sequences for the seed model (H=50, T=50, B=32) and LSTM(256) (T=100, B=64), and of the sequence models: a character
model (embedding 64, LSTM(256) over every step, dense over 96 characters) and a bidirectional LSTM(256), T=100, B=64. The two programs run in turn,
ours then PyTorch's, PAIRS times; each pair gives a ratio (our seq/s over PyTorch's) and the median is printed.
Two ratios per pair: by wall clock (the seq/s each program prints for its timed steps) and by CPU time (each
program run twice, for a short and a long count of steps, and the difference in the CPU seconds the operating
system charged it divided by the difference in steps: start-up, warm-up and compilation cancel out, and time
spent waiting for a core on a shared machine is not counted).
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from both programs' environment (a machine that sets them holds
OpenBLAS to older kernels); --coretype sets OPENBLAS_CORETYPE for PyTorch only, to compare against a kernel that
OpenBLAS's own detection does not pick. PyTorch gets OPENBLAS_NUM_THREADS=1: a PyTorch built against the system's
BLAS (Debian's) does not pass torch.set_num_threads on to OpenBLAS, whose own pool then spins a thread per core
(measured here: the seed model at 221-238 seq/s and 10 CPU seconds with it, 1092-2544 seq/s and 3.9 s without).
Needs `dotnet build -c Release` first, and a Python with PyTorch (Debian: python3-torch); without one it says so
and runs nothing. Usage (from the repository root):
  python3 tests/RnnCluster.Benchmarks/Peers/compare.py [--pairs 3] [--python /usr/bin/python3] [--coretype NAME]"""
import argparse, json, os, pathlib, re, resource, statistics, subprocess, sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CASES = [  # name, our config, the peer script and its arguments before THREADS STEPS, batch, (short, long) steps for ours and PyTorch's
    ("seed LSTM(50) T=50 B=32", HERE.parent / "Configs" / "seed.json", ("torch_lstm_bench.py", 50, 50, 32), 32, (200, 1200), (50, 250)),
    ("LSTM(256) T=100 B=64", HERE.parent / "Configs" / "lstm256.json", ("torch_lstm_bench.py", 256, 100, 64), 64, (5, 25), (3, 13)),
    ("char-LM emb 64, LSTM(256), dense 96, T=100 B=64", HERE.parent / "Configs" / "charlm.json", ("torch_sequence_bench.py", "charlm", 100, 64), 64, (5, 25), (3, 13)),
    ("bidirectional LSTM(256) T=100 B=64", HERE.parent / "Configs" / "bilstm256.json", ("torch_sequence_bench.py", "bilstm", 100, 64), 64, (3, 13), (2, 7)),
]


def run(command, env):
    """The command's output and the CPU seconds (user + system) charged to it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result.stdout, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(command_for, steps, batch, parse, env):
    """(seq/s the long run printed, seq/s by CPU time per step between the short and the long run)."""
    _, short_cpu = run(command_for(steps[0]), env)
    output, long_cpu = run(command_for(steps[1]), env)
    return parse(output), batch * (steps[1] - steps[0]) / (long_cpu - short_cpu)


def ours(binary, config, batch, steps, env, timesteps):
    command = lambda n: [str(binary), "bench", "--config", str(config), "--workers", "1", "--threads", "1",
                         "--steps", str(n), "--timesteps", str(timesteps), "--quiet"]
    return measure(command, steps, batch, lambda out: json.loads(out.strip().splitlines()[-1])["seqPerSec"], env)


def theirs(python, peer, batch, steps, env):
    script, *arguments = peer
    command = lambda n: [python, str(HERE / script), *map(str, arguments), "1", str(n)]
    return measure(command, steps, batch, lambda out: float(re.search(r"([\d.]+) seq/s", out).group(1)), env)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--python", default="/usr/bin/python3", help="a Python that can import torch")
    parser.add_argument("--coretype", help="OPENBLAS_CORETYPE for PyTorch's side only")
    parser.add_argument("--only", nargs="*", help="run only the cases whose name holds one of these words (e.g. char-LM)")
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
    torch_env = dict(env, OPENBLAS_NUM_THREADS="1", **({"OPENBLAS_CORETYPE": args.coretype} if args.coretype else {}))
    print(run([args.python, "-c", "import torch; print('PyTorch', torch.__version__)"], torch_env)[0].strip(),
          f"(OPENBLAS_CORETYPE={args.coretype or 'unset'}), 1 thread each, {args.pairs} alternating pairs")
    parser_cases = [case for case in CASES if not args.only or any(word in case[0] for word in args.only)]
    for name, config, peer, batch, our_steps, their_steps in parser_cases:
        wall, cpu = [], []
        for pair in range(1, args.pairs + 1):
            our_wall, our_cpu = ours(binary, config, batch, our_steps, env, peer[-2])
            their_wall, their_cpu = theirs(args.python, peer, batch, their_steps, torch_env)
            wall.append(our_wall / their_wall)
            cpu.append(our_cpu / their_cpu)
            print(f"{name}  pair {pair}:  wall clock: ours {our_wall:7.0f} seq/s, PyTorch {their_wall:7.0f}, ratio {wall[-1]:5.2f}"
                  f"   CPU time: ours {our_cpu:7.0f} seq/s, PyTorch {their_cpu:7.0f}, ratio {cpu[-1]:5.2f}", flush=True)
        print(f"{name}  median ratio: wall clock {statistics.median(wall):.2f}x, CPU time {statistics.median(cpu):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
