"""PyTorch reference for bench/engine: the same workloads as run.ts, printed as one JSON line.

Run by bench/engine/run.ts with Debian's /usr/bin/python3 (python3-torch 1.13). Usage:
  reference.py THREADS STEPS
"""
import json
import sys
import time

import torch
from torch import nn

BATCH, MELS, FRAMES, CLASSES = 32, 64, 128, 6
LSTM_FEATURES, LSTM_HIDDEN = 64, 64


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.c3 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64, CLASSES)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.c1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.c2(x)), 2)
        x = torch.relu(self.c3(x)).mean(dim=(2, 3))
        return self.fc(x)


class BiLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(LSTM_FEATURES, LSTM_HIDDEN, num_layers=2, bidirectional=True, batch_first=True)
        self.fc = nn.Linear(2 * LSTM_HIDDEN, CLASSES)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out.mean(dim=1))


def measure(model, x, y, steps):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    for _ in range(3):
        train_step()
    t0 = time.perf_counter()
    for _ in range(steps):
        train_step()
    train_s = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        for _ in range(3):
            model(x)
        t0 = time.perf_counter()
        for _ in range(steps):
            model(x)
        infer_s = time.perf_counter() - t0
    model.train()
    return {"trainStepsPerS": steps / train_s, "inferUttPerS": steps * BATCH / infer_s}


def main():
    threads, steps = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    y = torch.randint(0, CLASSES, (BATCH,))
    cnn = measure(Cnn(), torch.randn(BATCH, 1, MELS, FRAMES), y, steps)
    lstm = measure(BiLstm(), torch.randn(BATCH, FRAMES, LSTM_FEATURES), y, steps)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "cnn": cnn, "lstm": lstm}))


if __name__ == "__main__":
    main()
