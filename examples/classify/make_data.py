"""Writes the sequence-classification example's data: token sequences of 10 to 30 ids, padded with id 0 at the end
(the embedding's maskZero skips it), each labelled with a class 0-2: which of the trigger tokens 3, 7 and 11 comes
first in it (every sequence holds at least one). The classes need memory: the deciding token can sit anywhere,
and tokens after it do not change the answer. x [N, 30] ids as float32, y [N] class ids. Plain Python, no packages.
Usage: python3 make_data.py [OUT.safetensors] [SAMPLES] [SEED]"""
import json, random, struct, sys
from array import array

out, samples, seed = (sys.argv[1:] + ["classify.safetensors", "4000", "7"][len(sys.argv) - 1:])[:3]
samples, T = int(samples), 30
triggers = [3, 7, 11]
others = [t for t in range(1, 20) if t not in triggers]
rng = random.Random(int(seed))
x, y = array("f"), array("f")
for _ in range(samples):
    length = rng.randint(10, T)
    ids = [rng.choice(others) for _ in range(length)]
    for _ in range(rng.randint(1, 3)):
        ids[rng.randrange(length)] = rng.choice(triggers)
    y.append(triggers.index(next(t for t in ids if t in triggers)))
    x.extend(ids + [0] * (T - length))

if sys.byteorder != "little":
    x.byteswap()
    y.byteswap()
header = {"x": {"dtype": "F32", "shape": [samples, T], "data_offsets": [0, 4 * len(x)]},
          "y": {"dtype": "F32", "shape": [samples], "data_offsets": [4 * len(x), 4 * (len(x) + len(y))]}}
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + x.tobytes() + y.tobytes())
shares = [sum(1 for c in y if c == k) / samples for k in range(3)]
print(f"{out}: {samples} sequences of 10-{T} tokens; classes {', '.join(f'{s:.2f}' for s in shares)} (the largest is the accuracy of always guessing it)")
