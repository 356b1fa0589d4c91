"""Writes the fixtures that hold `examples/pytorch/load.py` and RnnCluster's `predict` to the same outputs
(tests/RnnCluster.Tests/PyTorch/LoadAgreementTests.cs).

Run from the repository root, with Debian's PyTorch 1.13 (CPU) and the .NET SDK:

    /usr/bin/python3 tests/fixtures_generator/generate_load_fixtures.py [CASE ...]   # every case, or those named

CI never runs this script (it has no PyTorch): it only reads the committed files in
tests/RnnCluster.Tests/Fixtures/PyTorch/Load/. For every case the script

1. trains a small model with `rnn-cluster train` from the case's config (a few epochs: the point is weights
   that are not an initialisation, not a good model) and keeps the run's `model.json` and `model.safetensors`
   in `Load/<case>/`. The models are committed rather than retrained by the test, so the fixture still
   describes the committed files when the training math later changes by a rounding;
2. builds the module with load.py, loads `model.safetensors` with `load_state_dict(strict=True)` and runs it
   on inputs x (the CSV's windows, in the data's units, for the CSV-trained case; standard normal values
   otherwise), writing `Load/<case>/pytorch.safetensors` with `x`, PyTorch's output `y`, and in its metadata
   the module's state_dict keys in order.

The test then runs `predict` on x and compares with y.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import torch

from safetensors_io import write_safetensors

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUTPUT_DIR = os.path.join(ROOT, "tests", "RnnCluster.Tests", "Fixtures", "PyTorch", "Load")
PASSENGERS = os.path.join(ROOT, "examples", "passengers", "passengers.csv")
sys.path.insert(0, os.path.join(ROOT, "examples", "pytorch"))

import load  # noqa: E402  (examples/pytorch/load.py, found through the path above)

TRAINING = {"epochs": 3, "batchSize": 16, "seed": 5, "optimizer": {"type": "adam", "learningRate": 0.01}}

CASES = [
    # lstm, dropout, dense: a CSV model, run by load.py on the CSV's windows in the data's units.
    ("passengers_lstm_csv", {
        "model": {"inputSize": 1, "layers": [{"type": "lstm", "units": 8}, {"type": "dropout", "rate": 0.2},
                                             {"type": "dense", "units": 1}]},
        "data": {"source": "csv", "path": "passengers.csv", "columns": ["passengers"], "target": "passengers",
                 "timesteps": 12, "horizon": 1, "validationSplit": 0.2, "normalize": "minmax"},
        "training": TRAINING,
    }),
    # gru (sequences) into rnn into dense: stacked, many-to-one.
    ("adding_gru_rnn_stacked", {
        "model": {"inputSize": 2, "layers": [{"type": "gru", "units": 6, "returnSequences": True},
                                             {"type": "rnn", "units": 5}, {"type": "dense", "units": 1}]},
        "data": {"source": "synthetic", "generator": "adding", "samples": 200, "timesteps": 20, "seed": 3},
        "training": TRAINING,
    }),
    # lstm (sequences) into a softmax dense: many-to-many, probabilities out.
    ("copy_lstm_softmax_many_to_many", {
        "model": {"inputSize": 10, "layers": [{"type": "lstm", "units": 8, "returnSequences": True},
                                              {"type": "dense", "units": 10, "activation": "softmax"}]},
        "data": {"source": "synthetic", "generator": "copy", "samples": 100, "timesteps": 25, "seed": 3},
        "training": dict(TRAINING, loss="crossentropy"),
    }),
    # embedding with maskZero into a bidirectional lstm into a dense of logits: token ids padded with 0 at the end,
    # one class a sequence, class probabilities out (predict and load.py softmax a crossentropy model's logits).
    ("tokens_embedding_bidirectional_classes", {
        "model": {"layers": [{"type": "embedding", "inputDim": 12, "outputDim": 5, "maskZero": True},
                             {"type": "lstm", "units": 6, "bidirectional": True}, {"type": "dense", "units": 3}]},
        "data": {"source": "safetensors", "path": "tokens.safetensors"},
        "training": dict(TRAINING, loss="crossentropy"),
    }),
    # a text model: the embedding's inputDim and the last dense layer's units are the vocabulary's size.
    ("text_gru_characters", {
        "model": {"layers": [{"type": "embedding", "outputDim": 6}, {"type": "gru", "units": 8, "returnSequences": True},
                             {"type": "dense"}]},
        "data": {"source": "text", "path": "corpus.txt", "timesteps": 10},
        "training": dict(TRAINING, loss="crossentropy"),
    }),
]

CORPUS = "a small text, written for a test: each window of ten characters learns the one after it.\n" * 4


def token_data():
    """x [60, 9] ids 1..11 padded with 0 at the end to lengths 2..9, y [60] a class 0..2 (the first id mod 3)."""
    generator = torch.Generator().manual_seed(4)
    x = torch.randint(1, 12, (60, 9), generator=generator)
    lengths = torch.randint(2, 10, (60,), generator=generator)
    x[torch.arange(9).expand(60, 9) >= lengths[:, None]] = 0
    return {"x": x.float().numpy(), "y": (x[:, 0] % 3).float().numpy()}


def inputs(name, config, model_json):
    """x for load.py and predict: the CSV's windows, token ids (padded with 0 at the end under maskZero), or values."""
    if config["data"]["source"] == "csv":
        return load.csv_windows(model_json, PASSENGERS)
    torch.manual_seed(sum(map(ord, name)))
    first = config["model"]["layers"][0]
    if first["type"] != "embedding":
        return torch.randn(4, 9, config["model"]["inputSize"])
    vocabulary = first.get("inputDim") or len(model_json["vocabulary"])
    x = torch.randint(1, vocabulary, (4, 9)).float()
    if first.get("maskZero"):
        x[torch.arange(9).expand(4, 9) >= torch.tensor([9, 3, 6, 1])[:, None]] = 0
    return x


def train(name, config, work):
    """rnn-cluster train on the case's config; returns the run folder."""
    folder = os.path.join(work, name)
    os.makedirs(folder)
    shutil.copy(PASSENGERS, folder)
    with open(os.path.join(folder, "corpus.txt"), "w", encoding="utf-8") as stream:
        stream.write(CORPUS)
    write_safetensors(os.path.join(folder, "tokens.safetensors"), token_data())
    config_path = os.path.join(folder, "config.json")
    with open(config_path, "w") as stream:
        json.dump(config, stream, indent=2)
    run = os.path.join(folder, "run")
    subprocess.run(["dotnet", "run", "--project", os.path.join(ROOT, "src", "Coordinator"), "-c", "Release", "--",
                    "train", "--config", config_path, "--out", run, "--workers", "1", "--quiet"], check=True)
    return run


def generate(name, config, work):
    run = train(name, config, work)
    case_dir = os.path.join(OUTPUT_DIR, name)
    os.makedirs(case_dir, exist_ok=True)
    for file in ("model.json", "model.safetensors"):
        shutil.copy(os.path.join(run, file), case_dir)

    model, model_json = load.load_model(case_dir)
    x = inputs(name, config, model_json)
    y = load.predict(model, model_json, x)
    keys = list(model.state_dict().keys())
    write_safetensors(os.path.join(case_dir, "pytorch.safetensors"), {"x": x.numpy(), "y": y.numpy()},
                      {"stateDictKeys": json.dumps(keys), "torch": torch.__version__})
    print(f"{name:32s} x {list(x.shape)} y {list(y.shape)} state_dict {keys}")


def main():
    torch.set_num_threads(1)
    wanted = sys.argv[1:]
    with tempfile.TemporaryDirectory() as work:
        for name, config in CASES:
            if not wanted or name in wanted:
                generate(name, config, work)


if __name__ == "__main__":
    main()
