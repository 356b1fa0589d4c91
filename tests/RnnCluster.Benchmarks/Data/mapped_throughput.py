"""Data read from a mapped file against data in arrays: `rnn-cluster bench --mapped` and plain `bench` on the same
config and the same random data, one after the other, PAIRS times, 1 local worker, 1 thread; each pair gives the
ratio of the steps' seq/s (mapped over arrays, as each run prints it for its timed steps) and the median is printed.
The default config is a model that reads much data for little compute (rnn(4) over 10 inputs, T=25, B=4096), where
reading the data costs the most. Needs `dotnet build -c Release` first. Usage (from the repository root):
  python3 tests/RnnCluster.Benchmarks/Data/mapped_throughput.py [--pairs 5] [--steps 200] [--config FILE]"""
import argparse, json, pathlib, statistics, subprocess

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def seq_per_sec(binary, config, steps, mapped):
    command = [str(binary), "bench", "--config", str(config), "--workers", "1", "--threads", "1", "--steps", str(steps), "--quiet"]
    out = subprocess.run(command + (["--mapped"] if mapped else []), capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seqPerSec"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--config", default=str(HERE.parent / "Configs" / "rnn4x10.json"))
    parser.add_argument("--rnn-cluster", default=str(ROOT / "src/Coordinator/bin/Release/net10.0/rnn-cluster"))
    args = parser.parse_args()
    ratios = []
    for pair in range(1, args.pairs + 1):
        mapped = seq_per_sec(args.rnn_cluster, args.config, args.steps, True)
        arrays = seq_per_sec(args.rnn_cluster, args.config, args.steps, False)
        ratios.append(mapped / arrays)
        print(f"pair {pair}: mapped {mapped:,.0f} seq/s, arrays {arrays:,.0f} seq/s, ratio {mapped / arrays:.3f}")
    print(f"median ratio, mapped over arrays: {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
