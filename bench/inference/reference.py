"""PyTorch reference for bench/inference: the same two SER architectures as src/models (eval mode),
loaded from the safetensors files run.ts writes, timed on the same inputs; one JSON line out.

Run by bench/inference/run.ts with Debian's /usr/bin/python3 (python3-torch 1.13). Usage:
  reference.py DIR THREADS MIN_SECONDS BATCH [BATCH ...]
DIR holds input.safetensors (x [N, T, D]) and <model>.safetensors + <model>.json (its config).
"""
import json
import os
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from reference_common import read_safetensors  # noqa: E402

PARITY_ROWS = 2
WARMUP = 2


class Attention(nn.Module):
    def __init__(self, dim, att):
        super().__init__()
        self.proj = nn.Linear(dim, att)
        self.score = nn.Linear(att, 1)

    def forward(self, h):
        a = torch.softmax(self.score(torch.tanh(self.proj(h))).squeeze(-1), dim=1)
        return (h * a.unsqueeze(-1)).sum(1)


class ConvBlock(nn.Module):
    def __init__(self, cin, cout, pool, act):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.bn = nn.BatchNorm2d(cout)
        self.pool, self.act = pool, act

    def forward(self, x):
        y = self.bn(self.conv(x))
        y = F.elu(y) if self.act == "elu" else F.relu(y)
        return F.max_pool2d(y, self.pool)


class CnnLstmAtt(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["inputShape"][0]
        blocks, ch, freq = [], 1, d
        for out in c["convChannels"]:
            blocks.append(ConvBlock(ch, out, (c["freqPool"], c["timePool"]), c["activation"]))
            ch, freq = out, freq // c["freqPool"]
        self.cnn = nn.Sequential(*blocks)
        dirs = 2 if c["bidirectional"] else 1
        self.lstm = nn.LSTM(ch * freq, c["lstmHidden"], num_layers=c["lstmLayers"], batch_first=True, bidirectional=c["bidirectional"])
        self.attention = Attention(dirs * c["lstmHidden"], c["attentionDim"])
        self.dense = nn.Linear(dirs * c["lstmHidden"], c["denseDim"])
        self.head = nn.Linear(c["denseDim"], c["numClasses"])

    def forward(self, x):
        img = self.cnn(x.transpose(1, 2).unsqueeze(1))
        n, ch, f, t = img.shape
        h, _ = self.lstm(img.permute(0, 3, 1, 2).reshape(n, t, ch * f))
        return self.head(torch.relu(self.dense(self.attention(h))))


class TrustSerCnn(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, hid = c["inputShape"][-1], c["hiddenSize"]
        layers = []
        for i in range(c["convLayers"]):
            layers += [nn.Conv1d(d if i == 0 else hid, hid, 1), nn.ReLU(), nn.Dropout(c["dropout"])]
        self.conv = nn.Sequential(*layers)
        self.pool = Attention(hid, c["attentionDim"]) if c["pooling"] == "att" else None
        self.out_layer = nn.Sequential(nn.Linear(hid, hid), nn.ReLU(), nn.Dropout(c["dropout"]), nn.Linear(hid, c["numClasses"]))

    def forward(self, x):
        h = self.conv(x.transpose(1, 2)).transpose(1, 2)
        pooled = self.pool(h) if self.pool is not None else h.mean(1)
        return self.out_layer(pooled)


ARCHS = {"cnn-lstm-att": CnnLstmAtt, "trust-ser-cnn": TrustSerCnn}


def utterances_per_second(model, x, min_seconds):
    with torch.no_grad():
        for _ in range(WARMUP):
            model(x)
        n, t0 = 0, time.perf_counter()
        while True:
            model(x)
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= min_seconds and n >= WARMUP:
                return n * x.shape[0] / elapsed


def main():
    folder, threads, min_seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    batches = [int(b) for b in sys.argv[4:]]
    torch.set_num_threads(threads)
    x = read_safetensors(f"{folder}/input.safetensors")["x"]
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "models": {}}
    for name, arch in ARCHS.items():
        with open(f"{folder}/{name}.json") as f:
            config = json.load(f)
        model = arch(config)
        model.load_state_dict(read_safetensors(f"{folder}/{name}.safetensors"), strict=True)
        model.eval()
        with torch.no_grad():
            probs = torch.softmax(model(x[:PARITY_ROWS]), dim=-1).flatten().tolist()
        speed = {str(b): utterances_per_second(model, x[:b], min_seconds) for b in batches}
        result["models"][name] = {"probs": probs, "uttPerS": speed}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
