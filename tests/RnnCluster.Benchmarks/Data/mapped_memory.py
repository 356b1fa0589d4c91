"""Peak memory of each process against the size of a safetensors dataset it trains on, and the throughput of data
read in place against data in memory (docs/PERFORMANCE.md, "Data bigger than memory").

For each size (a base of 125 MB times 1, 2, 4 and 8): x [N, 25, 10] and y [N, 1] float32 written in a stream, then
one epoch of rnn(4) -> dense(1), batch 4096, on a coordinator and two `rnn-worker` processes on 127.0.0.1, every
node mapping the file in place (docs/architecture.md). Each process's /proc/PID/status is read every 50 ms: its
peak resident memory (VmHWM, pages of the mapped file included: the kernel's to drop) and the most anonymous memory
it held at once (RssAnon: what it really holds). Then the throughput: the same model and batch on one local worker
from the 1x file (seqPerSec of metrics.jsonl), against `rnn-cluster bench`, which trains on random data in memory.
With --fetch the workers have no copy of the file (it is moved away once the coordinator has mapped it and waits
for workers), so they fetch each shard's samples from the coordinator; --pairs N then sets the same cluster run on
the 1x file with workers that map it against workers that fetch, alternating, N pairs: two epochs each, the second's
seqPerSec of metrics.jsonl (it starts on samples read ahead in the first), each process's processor time (utime +
stime, sampled every 50 ms, so to within that), and the fetching workers' own account of how often and how long
compute waited for samples.
Needs `dotnet build -c Release` first. Usage (from the repository root):
  python3 tests/RnnCluster.Benchmarks/Data/mapped_memory.py [--folder /tmp/mapped-memory] [--fetch] [--pairs N]"""
import argparse, json, os, pathlib, socket, statistics, struct, subprocess, sys, tempfile, threading, time, random
from array import array

ROOT = pathlib.Path(__file__).resolve().parents[3]
BIN = ROOT / "src/Coordinator/bin/Release/net10.0"
WORKER_BIN = ROOT / "src/Worker/bin/Release/net10.0"
TIMESTEPS, FEATURES, BASE_SAMPLES = 25, 10, 125_000
CONFIG = {
    "model": {"inputSize": FEATURES, "layers": [{"type": "rnn", "units": 4}, {"type": "dense", "units": 1}]},
    "data": {"source": "safetensors", "path": "", "validationSplit": 0.01},
    "training": {"epochs": 1, "batchSize": 4096, "loss": "mse", "seed": 3, "groupSize": 64},
}


def write(path, samples):
    x_bytes, y_bytes = samples * TIMESTEPS * FEATURES * 4, samples * 4
    header = json.dumps({"x": {"dtype": "F32", "shape": [samples, TIMESTEPS, FEATURES], "data_offsets": [0, x_bytes]},
                         "y": {"dtype": "F32", "shape": [samples, 1], "data_offsets": [x_bytes, x_bytes + y_bytes]}}).encode()
    header += b" " * (-len(header) % 8)
    rng = random.Random(5)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(header)) + header)
        chunk = 10_000
        for first in range(0, samples, chunk):
            count = min(chunk, samples - first)
            out.write(array("f", (rng.uniform(-1, 1) for _ in range(count * TIMESTEPS * FEATURES))).tobytes())
        out.write(array("f", (rng.random() for _ in range(samples))).tobytes())
    return os.path.getsize(path)


def status(pid):
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmHWM", "RssAnon"):
                    fields[key] = int(value.split()[0]) * 1024
        with open(f"/proc/{pid}/stat") as f:
            # utime and stime, fields 14 and 15 (after the command's parenthesis), in clock ticks.
            ticks = f.read().rpartition(")")[2].split()
            fields["cpu"] = (int(ticks[11]) + int(ticks[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    return fields


def watch(processes, peaks, stop):
    while not stop.is_set():
        for name, process in processes.items():
            fields = status(process.pid)
            for key, value in fields.items():
                peaks[name][key] = max(peaks[name].get(key, 0), value)
        time.sleep(0.05)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def drain(stream, lines=None):
    for line in stream:
        if lines is not None:
            lines.append(line.rstrip("\n"))


def cluster(folder, data, fetch=False, epochs=1):
    """A run on a coordinator and two workers: each process's peaks, the last epoch's seqPerSec and the workers' lines
    on waiting for fetched samples. With fetch, the file is moved away once the coordinator waits for workers (it has
    mapped it), and back after the run."""
    config = dict(CONFIG, data=dict(CONFIG["data"], path=str(data)), training=dict(CONFIG["training"], epochs=epochs))
    config_path = folder / "cluster.json"
    config_path.write_text(json.dumps(config))
    port = free_port()
    out = pathlib.Path(tempfile.mkdtemp(prefix=f"run-{data.stem}{'-fetch' if fetch else ''}-", dir=folder))
    processes, peaks, stop, said = {}, {}, threading.Event(), []
    readers = []
    watcher = threading.Thread(target=watch, args=(processes, peaks, stop))
    moved = data.with_name(data.name + ".elsewhere")
    try:
        # Started inside the try: a process that fails to start leaves none of the others running.
        processes["coordinator"] = subprocess.Popen(
            [str(BIN / "rnn-cluster"), "train", "--config", str(config_path), "--out", str(out), "--cluster",
             "--host", "127.0.0.1", "--port", str(port), "--min-workers", "2"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in processes["coordinator"].stdout:
            if line.startswith("waiting for workers"):
                break
        threading.Thread(target=drain, args=(processes["coordinator"].stdout,), daemon=True).start()
        if fetch:
            data.rename(moved)
        for name in ("worker 1", "worker 2"):
            processes[name] = subprocess.Popen(
                [str(WORKER_BIN / "rnn-worker"), "--seed-nodes", f"akka.tcp://rnn-cluster@127.0.0.1:{port}", "--host", "127.0.0.1",
                 "--port", "0", "--once"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            readers.append(threading.Thread(target=drain, args=(processes[name].stdout, said), daemon=True))
            readers[-1].start()
        peaks.update({name: {} for name in processes})
        watcher.start()
        processes["coordinator"].wait(timeout=1800)
        for name, process in processes.items():
            if name != "coordinator":
                process.wait(timeout=60)
        for reader in readers:
            reader.join(timeout=10)
    finally:
        stop.set()
        if watcher.is_alive():
            watcher.join()
        for process in processes.values():
            if process.poll() is None:
                process.kill()
            process.wait()
        if moved.exists():
            moved.rename(data)
    if processes["coordinator"].returncode != 0:
        raise SystemExit(f"rnn-cluster train exited with {processes['coordinator'].returncode}")
    epoch = json.loads((out / "metrics.jsonl").read_text().splitlines()[-1])["seqPerSec"]
    return peaks, epoch, [line for line in said if "fetched samples" in line]


def throughput(folder, data):
    config = dict(CONFIG, data=dict(CONFIG["data"], path=str(data)))
    path = folder / "local.json"
    path.write_text(json.dumps(config))
    out = folder / "run-local"
    subprocess.run([str(BIN / "rnn-cluster"), "train", "--config", str(path), "--out", str(out), "--workers", "1", "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    mapped = json.loads((out / "metrics.jsonl").read_text().splitlines()[-1])["seqPerSec"]
    bench = dict(CONFIG, data={"source": "synthetic", "generator": "sine", "samples": 1, "timesteps": TIMESTEPS})
    path.write_text(json.dumps(bench))
    line = subprocess.run([str(BIN / "rnn-cluster"), "bench", "--config", str(path), "--workers", "1", "--steps", "30", "--timesteps", str(TIMESTEPS), "--quiet"],
                          check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return mapped, json.loads(line)["seqPerSec"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=None)
    parser.add_argument("--fetch", action="store_true", help="workers without a copy of the file: they fetch their shards' samples")
    parser.add_argument("--pairs", type=int, default=0, help="only the throughput of mapping workers against fetching ones, N alternating pairs")
    args = parser.parse_args()
    folder = pathlib.Path(args.folder or tempfile.mkdtemp(prefix="mapped-memory-"))
    folder.mkdir(parents=True, exist_ok=True)
    if args.pairs:
        data = folder / "data-1x.safetensors"
        if not data.exists():
            write(data, BASE_SAMPLES)
        ratios = []
        for pair in range(args.pairs):
            mapping_peaks, mapped, _ = cluster(folder, data, epochs=2)
            fetching_peaks, fetched, waits = cluster(folder, data, fetch=True, epochs=2)
            ratios.append(fetched / mapped)
            print(f"pair {pair + 1}: workers mapping the file {mapped:.0f} seq/s, fetching their samples {fetched:.0f} seq/s, ratio {fetched / mapped:.2f}", flush=True)
            cpu = lambda peaks: ", ".join(f"{name} {p.get('cpu', 0):.2f} s" for name, p in peaks.items())
            print(f"  processor time, mapping: {cpu(mapping_peaks)}; fetching: {cpu(fetching_peaks)}", flush=True)
            for line in waits:
                print(f"  {line}", flush=True)
        print(f"median ratio, fetching / mapping: {statistics.median(ratios):.2f}")
        return
    print("| data | coordinator peak / anonymous | worker 1 | worker 2 |")
    print("|---|---|---|---|")
    for factor in (1, 2, 4, 8):
        data = folder / f"data-{factor}x.safetensors"
        size = write(data, BASE_SAMPLES * factor)
        peaks = cluster(folder, data, args.fetch)[0]
        cells = [f"{p['VmHWM'] / 1e6:.0f} / {p['RssAnon'] / 1e6:.0f} MB" for p in peaks.values()]
        print(f"| {factor}x, {size / 1e6:.0f} MB | " + " | ".join(cells) + " |", flush=True)
        if factor > 1:
            data.unlink()
    mapped, in_memory = throughput(folder, folder / "data-1x.safetensors")
    print(f"throughput, 1 local worker: data read in place {mapped:.0f} seq/s, data in memory (bench) {in_memory:.0f} seq/s, ratio {mapped / in_memory:.2f}")


if __name__ == "__main__":
    sys.exit(main())
