"""The PyTorch twin of an RnnCluster model, built from OUR config format (docs/contract.md).

It is examples/pytorch/load.py's module: `layers` is an nn.ModuleList with one module per config layer, in config
order: each recurrent layer its own single-layer nn.RNN/LSTM/GRU (batch_first=True), nn.Dropout, nn.Linear. Its
parameter names are therefore PyTorch's own (`layers.0.weight_ih_l0`, `layers.2.weight`), the names
docs/contract.md gives the weights file.
Dropout layers are identities: fixtures compare runs without dropout (RnnCluster draws its masks from its own
counter-based generator, which PyTorch cannot reproduce).
"""

import os
import sys

import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "examples", "pytorch"))

from load import ACTIVATIONS, RECURRENT, RnnClusterModel, run_recurrent  # noqa: E402  (examples/pytorch/load.py)


def _detached(state):
    if isinstance(state, tuple):
        return tuple(part.detach() for part in state)
    return state.detach()


class ReferenceModel(RnnClusterModel):
    """load.py's module (its `layers` built the same way, so the same parameters and names), run with truncated
    BPTT when asked; forward(x) gives the model output, [N,O] or [N,T,O]."""

    def __init__(self, model_config):
        super().__init__(model_config)
        # Dropout stays off: eval mode changes nothing else in these modules, and gradients flow as in training.
        self.eval()

    @property
    def outputs_probabilities(self):
        """True when the last layer is a softmax dense: a crossentropy loss then reads its output as probabilities."""
        last = self.specs[-1]
        return last["type"] == "dense" and last.get("activation", "linear") == "softmax"

    def contract_parameters(self):
        """[(name, parameter)] in docs/contract.md's order, named by PyTorch itself: layers.i.weight_ih_l0, ..., layers.i.weight, ..."""
        return list(self.named_parameters())

    def forward(self, x, truncated_bptt=0, lengths=None):
        """Truncated BPTT (k > 0) runs each recurrent layer in windows of k steps and detaches the state carried
        from one window into the next: values are unchanged, gradients stop at every window boundary. Sequences
        of different lengths (lengths, or maskZero) run as load.py runs them, packed."""
        if truncated_bptt <= 0:
            return super().forward(x, lengths)
        h = x
        for index, spec in enumerate(self.specs):
            kind = spec["type"]
            if kind in RECURRENT:
                h = self._run_recurrent(self.layers[index], h, truncated_bptt)
                if not spec.get("returnSequences", False):
                    h = h[:, -1, :]
            elif kind == "dense":
                h = ACTIVATIONS[spec.get("activation", "linear")](self.layers[index](h))
        return h

    @staticmethod
    def _run_recurrent(module, x, truncated_bptt):
        timesteps = x.shape[1]
        if truncated_bptt <= 0 or truncated_bptt >= timesteps:
            return module(x)[0]
        outputs = []
        state = None
        for begin in range(0, timesteps, truncated_bptt):
            out, state = module(x[:, begin:begin + truncated_bptt, :], state)
            outputs.append(out)
            state = _detached(state)
        return torch.cat(outputs, dim=1)


def loss_of(kind, output, y, probabilities=False, real=None):
    """The minibatch loss as docs/contract.md defines it: a mean over samples (and timesteps and outputs); with
    `real` [N, T] (a sequence output of sequences of different lengths) over the real steps only.
    For crossentropy, `y` holds class indices, [N], [N,1], [N,T] or [N,T,1], and `output` holds logits, or
    probabilities (a softmax head, as in Keras) whose negative log-likelihood is taken."""
    if real is not None:
        classes = output.shape[-1]
        if kind == "crossentropy":
            y = y.reshape(real.shape)
            output, y = output[real], y[real]
            return loss_of(kind, output, y, probabilities)
        return loss_of(kind, output[real], y.reshape(real.shape + (classes,))[real])
    if kind == "mse":
        return F.mse_loss(output, y)
    if kind == "mae":
        return F.l1_loss(output, y)
    classes = output.shape[-1]
    if probabilities:
        return F.nll_loss(torch.log(output.reshape(-1, classes)), y.reshape(-1).long())
    return F.cross_entropy(output.reshape(-1, classes), y.reshape(-1).long())


def optimizer_of(optimizer_config, parameters):
    """torch.optim for OUR optimizer config; defaults are Keras's (Adam and RMSprop 0.001, epsilon 1e-7, RMSprop's rho
    0.9, SGD 0.01) and PyTorch's AdamW weight decay (0.01)."""
    kind = optimizer_config["type"]
    if kind in ("adam", "adamw"):
        make = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
        return make(
            parameters,
            lr=optimizer_config.get("learningRate", 0.001),
            betas=(optimizer_config.get("beta1", 0.9), optimizer_config.get("beta2", 0.999)),
            eps=optimizer_config.get("epsilon", 1e-7),
            weight_decay=optimizer_config.get("weightDecay", 0.0 if kind == "adam" else 0.01),
        )
    if kind == "rmsprop":
        return torch.optim.RMSprop(
            parameters,
            lr=optimizer_config.get("learningRate", 0.001),
            alpha=optimizer_config.get("rho", 0.9),
            eps=optimizer_config.get("epsilon", 1e-7),
        )
    return torch.optim.SGD(
        parameters, lr=optimizer_config.get("learningRate", 0.01), momentum=optimizer_config.get("momentum", 0.0),
        nesterov=optimizer_config.get("nesterov", False),
    )