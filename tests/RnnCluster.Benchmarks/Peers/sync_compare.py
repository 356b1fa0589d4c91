"""Sync per round of ours against gloo's all_reduce of the same size, side by side.
Ours: `rnn-cluster bench --cluster` with WORKERS `rnn-worker` processes on 127.0.0.1, its `syncMsPerRound` (a
round's time minus its slowest worker's compute: the weights going out, the partial sums coming back along the
reduction tree, the actor messages). The peer: gloo_allreduce_bench.py, the median time of one all_reduce of as
many float32 values among as many processes over loopback (the transport under PyTorch DDP on CPU). Both in
turn, ours first, PAIRS times; each pair gives a ratio (ours over gloo's), the median is printed.
The cases are the two-layer LSTM(512) (3.2M parameters) among 4 processes and LSTM(3540) (50M, 200 MB) among 2,
with so few timesteps and samples that compute is small beside the sync it is subtracted from.
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from both programs' environment.
Needs `dotnet build -c Release` first and a Python with PyTorch (Debian: python3-torch). Usage (repository root):
  python3 tests/RnnCluster.Benchmarks/Peers/sync_compare.py [--pairs 3] [--case lstm512x2|lstm3540]
  python3 tests/RnnCluster.Benchmarks/Peers/sync_compare.py --ours lstm512x2    # one run of ours, its JSON line"""
import argparse, json, os, pathlib, re, socket, statistics, subprocess, sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
BIN = ROOT / "src/Coordinator/bin/Release/net10.0"
CASES = {  # config, worker processes, parameters (printed by ours; gloo is given the same count), steps
    "lstm512x2": (HERE.parent / "Configs" / "lstm512x2.json", 4, 20),
    "lstm3540": (HERE.parent / "Configs" / "lstm3540.json", 2, 8),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ours(case, env):
    """One cluster bench: the coordinator on a free port, the workers joining it, each serving this one job."""
    config, workers, steps = CASES[case]
    port = free_port()
    coordinator = subprocess.Popen(
        [str(BIN / "rnn-cluster"), "bench", "--config", str(config), "--steps", str(steps), "--cluster",
         "--host", "127.0.0.1", "--port", str(port), "--min-workers", str(workers), "--quiet"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    nodes = [subprocess.Popen(
        [str(BIN / "rnn-worker"), "--seed-nodes", f"akka.tcp://rnn-cluster@127.0.0.1:{port}", "--host", "127.0.0.1",
         "--port", "0", "--once"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)]
    try:
        out, _ = coordinator.communicate(timeout=900)
    finally:
        for node in nodes + [coordinator]:
            if node.poll() is None:
                node.kill()
            node.wait()
    if coordinator.returncode != 0:
        raise SystemExit(f"rnn-cluster bench exited with {coordinator.returncode}")
    return json.loads(out.strip().splitlines()[-1])


def gloo(python, workers, parameters, env):
    out = subprocess.run([python, str(HERE / "gloo_allreduce_bench.py"), str(workers), str(parameters), "10"],
                         env=env, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"median ([\d.]+) ms", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--case", choices=CASES, action="append")
    parser.add_argument("--python", default="/usr/bin/python3", help="a Python that can import torch")
    parser.add_argument("--ours", choices=CASES, help="run ours once for this case and print its JSON line")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    if not (BIN / "rnn-cluster").exists():
        print(f"{BIN / 'rnn-cluster'} not found: run `dotnet build -c Release` first", file=sys.stderr)
        return 2
    if args.ours:
        print(json.dumps(ours(args.ours, env)))
        return 0
    if subprocess.run([args.python, "-c", "import torch"], capture_output=True).returncode != 0:
        print(f"PyTorch is not installed for {args.python}: nothing to compare (Debian: apt-get install python3-torch)")
        return 0
    for case in args.case or list(CASES):
        workers = CASES[case][1]
        ratios = []
        for pair in range(1, args.pairs + 1):
            result = ours(case, env)
            theirs = gloo(args.python, workers, result["parameters"], env)
            ratios.append(result["syncMsPerRound"] / theirs)
            print(f"{case}, {result['parameters']:,} parameters, {workers} processes, pair {pair}: ours "
                  f"{result['syncMsPerRound']:8.1f} ms sync per round, gloo all_reduce {theirs:8.1f} ms, ratio {ratios[-1]:5.2f}",
                  flush=True)
        print(f"{case}: median ratio {statistics.median(ratios):.2f} over {args.pairs} pairs", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
