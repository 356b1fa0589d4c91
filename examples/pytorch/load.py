"""Load an RnnCluster model folder into PyTorch and run it.

    python3 examples/pytorch/load.py runs/passengers --csv examples/passengers/passengers.csv
    python3 examples/pytorch/load.py runs/adding-lstm --safetensors x.safetensors [--output y.safetensors]

`build_model(model_json)` gives a module whose `layers` is an nn.ModuleList with one module per entry of the
config's `model.layers`, in order: nn.Embedding, nn.LSTM / nn.GRU / nn.RNN (one layer, batch_first=True,
bidirectional when the layer is), nn.Dropout, nn.Linear. `model.safetensors` holds exactly that module's
state_dict (`layers.0.weight_ih_l0`, ..., `layers.0.weight_ih_l0_reverse`, ..., `layers.2.weight`,
`layers.2.bias`), so `load_state_dict(..., strict=True)` takes it unchanged.

Sequences of different lengths (a safetensors `lengths` [N], or id 0 under an embedding's maskZero, padding at
the end) run through pack_padded_sequence(..., enforce_sorted=False): a recurrent layer's last output is its
state after the sample's last real step, and the backward direction starts there, as RnnCluster computes them.

A model trained on a CSV series works in the data's units, as `rnn-cluster predict` does: each input column is
normalised with model.json's statistics, x' = (x - offset) / scale, and the output is brought back with the
target's, y = y' * scale + offset (see the README, "model.json").

Needs only PyTorch: the few lines that read and write safetensors files (float32 tensors) are below, so the
`safetensors` package is not required.
"""

import argparse
import csv
import json
import os
import struct
import sys

import torch
from torch import nn

RECURRENT = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
ACTIVATIONS = {
    "linear": lambda z: z,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "softmax": lambda z: torch.softmax(z, dim=-1),
}


# The sizes a text model may leave out, by layer type.
SIZED = {"embedding": ("inputDim",), "dense": ("units",)}


class RnnClusterModel(nn.Module):
    """config["model"] as PyTorch modules; forward(x [N, T, I]) gives [N, O], or [N, T, O] when the last
    recurrent layer returns sequences. A softmax dense layer gives probabilities, as `predict` does."""

    def __init__(self, model_config, vocabulary=None):
        super().__init__()
        self.specs = model_config["layers"]
        self.layers = nn.ModuleList()
        width = model_config.get("inputSize", 1)
        # A text model leaves its embedding's inputDim and its last dense layer's units to the vocabulary's size.
        if vocabulary:
            self.specs = [dict({k: len(vocabulary) for k in SIZED.get(spec["type"], ())}, **spec) for spec in self.specs]
        for spec in self.specs:
            kind = spec["type"]
            if kind == "embedding":
                self.layers.append(nn.Embedding(spec["inputDim"], spec["outputDim"]))
                width = spec["outputDim"]
            elif kind in RECURRENT:
                bidirectional = spec.get("bidirectional", False)
                self.layers.append(RECURRENT[kind](width, spec["units"], batch_first=True, bidirectional=bidirectional))
                width = spec["units"] * (2 if bidirectional else 1)
            elif kind == "dense":
                self.layers.append(nn.Linear(width, spec["units"]))
                width = spec["units"]
            else:
                self.layers.append(nn.Dropout(spec["rate"]))

    def lengths_of(self, x, lengths=None):
        """Each sample's real steps: `lengths` as given, or, under an embedding's maskZero, one past its last nonzero
        id (padding at the end); None when every step is real."""
        first = self.specs[0]
        if first["type"] == "embedding" and first.get("maskZero", False):
            ids = x.reshape(x.shape[0], x.shape[1])
            steps = torch.arange(1, ids.shape[1] + 1).expand_as(ids)
            last = torch.where(ids != 0, steps, torch.zeros_like(steps)).max(dim=1).values
            lengths = last if lengths is None else torch.minimum(last, torch.as_tensor(lengths))
        return None if lengths is None else torch.as_tensor(lengths).long()

    def forward(self, x, lengths=None):
        lengths = self.lengths_of(x, lengths)
        for spec, layer in zip(self.specs, self.layers):
            kind = spec["type"]
            if kind == "embedding":
                x = layer(x.reshape(x.shape[0], x.shape[1]).long())
            elif kind in RECURRENT:
                x = run_recurrent(layer, x, lengths, spec.get("returnSequences", False))
            elif kind == "dense":
                x = ACTIVATIONS[spec.get("activation", "linear")](layer(x))
            else:
                x = layer(x)
        return x


def run_recurrent(layer, x, lengths, return_sequences):
    """A recurrent module on x [N, T, I]: [N, T, D·H] (zeros at padded steps) or the last states [N, D·H], the
    forward direction's after the last real step, then the backward one's after step 0."""
    if lengths is None:
        out, state = layer(x)
    else:
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, state = layer(packed)
        out = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])[0]
    if return_sequences:
        return out
    h_n = state[0] if isinstance(state, tuple) else state
    return torch.cat(list(h_n), dim=1)


def build_model(model_json):
    """The module for a model.json (its `config.model`), in eval mode (dropout off), without weights."""
    return RnnClusterModel(model_json["config"]["model"], model_json.get("vocabulary")).eval()


def load_model(folder):
    """(module with the folder's weights loaded strictly, model.json as a dict)."""
    with open(os.path.join(folder, "model.json")) as stream:
        model_json = json.load(stream)
    model = build_model(model_json)
    model.load_state_dict(read_safetensors(os.path.join(folder, "model.safetensors")), strict=True)
    return model, model_json


def predict(model, model_json, x, lengths=None):
    """Outputs for x [N, T, I] (token ids [N, T] for an embedding); with a CSV model's normalisation, x and the
    outputs are in the data's units."""
    scaling = model_json.get("normalization")
    with torch.no_grad():
        if scaling:
            offset = torch.tensor([c["offset"] for c in scaling["features"]], dtype=torch.float32)
            scale = torch.tensor([c["scale"] for c in scaling["features"]], dtype=torch.float32)
            x = (x - offset) / scale
        y = model(x, lengths)
        last = model.specs[-1]
        # A crossentropy model's outputs are class probabilities, as predict gives them, whatever its last activation.
        if model_json["config"].get("training", {}).get("loss") == "crossentropy" and last.get("activation") != "softmax":
            y = torch.softmax(y, dim=-1)
        if scaling:
            target = scaling["target"]
            y = y * torch.tensor(target["scale"], dtype=torch.float32) + torch.tensor(target["offset"], dtype=torch.float32)
    return y


def csv_windows(model_json, path):
    """Every complete window of `timesteps` rows of the training columns, in the file's units: x [N, T, I]."""
    with open(path, newline="") as stream:
        rows = [[float(row[c]) for c in model_json["columns"]] for row in csv.DictReader(stream)]
    steps = model_json["timesteps"]
    return torch.tensor([rows[w:w + steps] for w in range(len(rows) - steps + 1)], dtype=torch.float32)


def read_safetensors(path):
    """{name: tensor} of a safetensors file: F32 tensors (RnnCluster writes only those) and integer ones (I64,
    I32: token ids, lengths)."""
    with open(path, "rb") as stream:
        data = stream.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    header.pop("__metadata__", None)
    dtypes = {"F32": torch.float32, "I64": torch.int64, "I32": torch.int32}
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] not in dtypes:
            raise ValueError(f"{path}: tensor {name} is {entry['dtype']}, expected F32, I64 or I32")
        begin, end = entry["data_offsets"]
        values = torch.frombuffer(bytearray(data[8 + length + begin:8 + length + end]), dtype=dtypes[entry["dtype"]])
        tensors[name] = values.reshape(entry["shape"])
    return tensors


def write_safetensors(path, tensors):
    """Writes {name: tensor} as float32, in the given order."""
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        blob = tensor.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as stream:
        stream.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", help="a train run's --out folder (model.json and model.safetensors)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv", help="a CSV series with the training columns")
    source.add_argument("--safetensors", help="a safetensors file with x [N, T, I]")
    parser.add_argument("--output", help="write y to this safetensors file instead of printing it")
    args = parser.parse_args()

    model, model_json = load_model(args.model)
    lengths = None
    if args.csv:
        x = csv_windows(model_json, args.csv)
    else:
        tensors = read_safetensors(args.safetensors)
        x, lengths = tensors["x"], tensors.get("lengths")
    y = predict(model, model_json, x, lengths)
    if args.output:
        write_safetensors(args.output, {"y": y})
    else:
        writer = csv.writer(sys.stdout)
        writer.writerow([f"prediction_{k}" for k in range(y.shape[-1])])
        writer.writerows(y.reshape(-1, y.shape[-1]).tolist())


if __name__ == "__main__":
    main()
