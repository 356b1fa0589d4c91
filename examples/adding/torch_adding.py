"""The adding problem example (examples/adding/lstm.json) trained by PyTorch on the same data, for the wall-time
comparison in the README: the same 10,000 sequences (the trainer's own generator, ported below), the last 1,000
held out, LSTM(128) -> Linear(1) with Keras-style initialisation, MSE, Adam 0.001 (epsilon 1e-7), global
clip norm 1, batch 50, a fresh shuffle each epoch. Prints each epoch's held-out MSE and the wall time since
training started, and stops at the first epoch whose held-out MSE is below the threshold.
Usage: python3 torch_adding.py [THREADS] [MAX_EPOCHS] [THRESHOLD]"""
import os, sys, time

threads, max_epochs, threshold = (sys.argv[1:] + ["2", "30", "0.01"][len(sys.argv) - 1:])[:3]
threads, max_epochs, threshold = int(threads), int(max_epochs), float(threshold)
# A PyTorch built against the system's OpenBLAS (Debian's) does not pass its thread count on to OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(threads))
import torch  # noqa: E402 (after the variable OpenBLAS reads when it loads)
SAMPLES, T, SEED, HELD_OUT, UNITS, BATCH = 10_000, 100, 7, 1_000, 128, 50
M64 = (1 << 64) - 1


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def counter_hash(a, b=0, c=0, d=0, e=0):
    """Rnn.Math.Training.CounterRandom.Hash: SplitMix64's finaliser over five keys."""
    h = mix((a + 0x9E3779B97F4A7C15) & M64)
    for key, salt in ((b, 0xBF58476D1CE4E5B9), (c, 0x94D049BB133111EB), (d, 0x2545F4914F6CDD1D), (e, 0xD6E8FEB86659FD93)):
        h = mix(h ^ ((key + salt) & M64))
    return h


def adding_problem(samples, timesteps, seed):
    """Rnn.Math.Data.Synthetic.AddingProblem.Generate: the same values and markers bit for bit."""
    half = timesteps // 2
    x = torch.zeros(samples, timesteps, 2)
    y = torch.zeros(samples, 1)
    for n in range(samples):
        first = counter_hash(seed, 0xADD1, n) % half
        second = half + counter_hash(seed, 0xADD2, n) % (timesteps - half)
        values = torch.tensor([(counter_hash(seed, 0xADD0, n, t) >> 40) / (1 << 24) for t in range(timesteps)])
        x[n, :, 0] = values
        x[n, first, 1] = x[n, second, 1] = 1.0
        y[n, 0] = values[first] + values[second]
    return x, y


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(2, UNITS, batch_first=True)
        self.dense = torch.nn.Linear(UNITS, 1)
        # Keras's defaults, as the trainer uses: Glorot-uniform input kernels, orthogonal recurrent kernel,
        # zero biases but 1 on the forget gate.
        torch.nn.init.xavier_uniform_(self.lstm.weight_ih_l0)
        torch.nn.init.orthogonal_(self.lstm.weight_hh_l0)
        torch.nn.init.zeros_(self.lstm.bias_ih_l0)
        torch.nn.init.zeros_(self.lstm.bias_hh_l0)
        with torch.no_grad():
            self.lstm.bias_ih_l0[UNITS:2 * UNITS] = 1.0
        torch.nn.init.xavier_uniform_(self.dense.weight)
        torch.nn.init.zeros_(self.dense.bias)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.dense(out[:, -1, :])


torch.set_num_threads(threads)
torch.manual_seed(42)
x, y = adding_problem(SAMPLES, T, SEED)
train_x, train_y, val_x, val_y = x[:-HELD_OUT], y[:-HELD_OUT], x[-HELD_OUT:], y[-HELD_OUT:]
model = Model()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
start = time.perf_counter()
for epoch in range(1, max_epochs + 1):
    model.train()
    order = torch.randperm(len(train_x))
    for first in range(0, len(train_x), BATCH):
        batch = order[first:first + BATCH]
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(train_x[batch]), train_y[batch])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    model.eval()
    with torch.no_grad():
        held_out = torch.nn.functional.mse_loss(model(val_x), val_y).item()
    elapsed = time.perf_counter() - start
    print(f"epoch {epoch:3d}  held-out MSE {held_out:.5f}  {elapsed:.1f} s", flush=True)
    if held_out < threshold:
        print(f"pytorch {torch.__version__} threads={threads}: held-out MSE below {threshold} at epoch {epoch} after {elapsed:.1f} s")
        break
else:
    print(f"pytorch {torch.__version__} threads={threads}: held-out MSE never below {threshold} in {max_epochs} epochs ({elapsed:.1f} s)")
