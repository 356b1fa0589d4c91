"""Peer: PyTorch (Debian python3-torch) training throughput of the sequence models beside the seed's:
  charlm: Embedding(96, 64) -> LSTM(256) over every step -> Linear(256, 96), CrossEntropy on a class per step
          (configs/charlm.json: a character model of a 96-character vocabulary);
  bilstm: LSTM(256, bidirectional) -> Dropout(0.2) -> Linear(512, 1), MSE on the last step
          (configs/bilstm256.json).
Adam, random inputs of shape (batch, T) ids or (batch, T, 1) values.
Usage: python3 torch_sequence_bench.py charlm|bilstm T BATCH THREADS STEPS"""
import sys, time, torch

model, T, batch, threads, steps = sys.argv[1], *(int(a) for a in sys.argv[2:6])
torch.set_num_threads(threads)
torch.manual_seed(1)
if model == "charlm":
    embedding = torch.nn.Embedding(96, 64)
    lstm = torch.nn.LSTM(64, 256, batch_first=True)
    dense = torch.nn.Linear(256, 96)
    modules = [embedding, lstm, dense]
    x = torch.randint(0, 96, (batch, T))
    y = torch.randint(0, 96, (batch, T))

    def loss():
        out, _ = lstm(embedding(x))
        return torch.nn.functional.cross_entropy(dense(out).reshape(-1, 96), y.reshape(-1))
elif model == "bilstm":
    lstm = torch.nn.LSTM(1, 256, batch_first=True, bidirectional=True)
    drop = torch.nn.Dropout(0.2)
    dense = torch.nn.Linear(512, 1)
    modules = [lstm, dense]
    x = torch.randn(batch, T, 1)
    y = torch.randn(batch, 1)

    def loss():
        _, (h, _) = lstm(x)
        return torch.nn.functional.mse_loss(dense(drop(torch.cat([h[0], h[1]], 1))), y)
else:
    sys.exit(f"unknown model {model}: charlm or bilstm")
opt = torch.optim.Adam([p for m in modules for p in m.parameters()], lr=1e-3)


def step():
    opt.zero_grad()
    loss().backward()
    opt.step()


for _ in range(5):
    step()
t0 = time.perf_counter()
for _ in range(steps):
    step()
dt = time.perf_counter() - t0
print(f"pytorch {torch.__version__} {model} T={T} batch={batch} threads={threads}: {dt/steps*1e3:.3f} ms/step, {steps*batch/dt:.0f} seq/s")
