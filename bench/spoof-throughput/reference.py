"""PyTorch side of bench/spoof-throughput: AASIST / AASIST-L in eval mode, written for this benchmark
after the engine's modules (src/models/aasist), loaded strictly from the safetensors files run.ts
writes, timed on the same input; one JSON line out.

Run by bench/spoof-throughput/run.ts with Debian's /usr/bin/python3 (python3-torch 1.13). Usage:
  reference.py DIR THREADS MIN_SECONDS NAME[,NAME...] BATCH [BATCH ...]
DIR holds input.f32 (float32 clips [N, 64600], raw little-endian) and per model NAME.safetensors +
NAME.json (its AasistConfig).
"""
import json
import os
import math
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from reference_common import read_safetensors  # noqa: E402

SAMPLES = 64600
SAMPLE_RATE_HZ = 16000
FRONT_POOL = 3
BLOCK_TIME_POOL = 3


def sinc_bank(filters, length):
    """Mel-spaced Hamming-windowed band-pass filters [filters, 1, length] in float32 steps (as sinc.ts)."""
    f32 = np.float32
    to_mel = lambda hz: 2595 * math.log10(1 + hz / 700)
    to_hz = lambda mel: 700 * (10 ** (mel / 2595) - 1)
    mel_max = to_mel(SAMPLE_RATE_HZ // 2)
    step = mel_max / filters
    edges = [to_hz(mel_max if i == filters else i * step) for i in range(filters + 1)]
    half = (length - 1) / 2

    def sinc(x):
        y = f32(f32(math.pi) * (f32(1e-20) if x == 0 else x))
        return f32(f32(math.sin(y)) / y)

    def low_pass(fc, t):
        arg = f32(f32(f32(2 * fc) * f32(t)) / f32(SAMPLE_RATE_HZ))
        return f32(f32(2 * fc / SAMPLE_RATE_HZ) * sinc(arg))

    bank = np.zeros((filters, 1, length), dtype=np.float32)
    for i in range(filters):
        for j in range(length):
            n = 1 - length + 2 * j
            window = f32(0.54 + 0.46 * math.cos(math.pi * n / (length - 1)))
            bank[i, 0, j] = window * f32(low_pass(edges[i + 1], j - half) - low_pass(edges[i], j - half))
    return torch.from_numpy(bank)


class Block(nn.Module):
    """conv(2x3) -> BN -> SELU -> conv(2x3), plus the (projected) input, then max-pool 1x3; bn1 is unused."""

    def __init__(self, cin, cout, first):
        super().__init__()
        if not first:
            self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, (2, 3), padding=(1, 1))
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, (2, 3), padding=(0, 1))
        self.conv_downsample = nn.Conv2d(cin, cout, (1, 3), padding=(0, 1)) if cin != cout else None

    def forward(self, x):
        y = self.conv2(F.selu(self.bn2(self.conv1(x))))
        skip = x if self.conv_downsample is None else self.conv_downsample(x)
        return F.max_pool2d(y + skip, (1, BLOCK_TIME_POOL))


def node_bn(bn, y):
    return bn(y.reshape(-1, y.shape[-1])).reshape(y.shape)


class Gat(nn.Module):
    def __init__(self, din, dout, temperature):
        super().__init__()
        self.att_weight = nn.Parameter(torch.zeros(dout, 1))
        self.att_proj = nn.Linear(din, dout)
        self.proj_with_att = nn.Linear(din, dout)
        self.proj_without_att = nn.Linear(din, dout)
        self.bn = nn.BatchNorm1d(dout)
        self.temperature = temperature

    def forward(self, x):
        hidden = torch.tanh(self.att_proj(x.unsqueeze(2) * x.unsqueeze(1)))
        att = torch.softmax((hidden @ self.att_weight).squeeze(-1) / self.temperature, dim=-1)
        return F.selu(node_bn(self.bn, self.proj_with_att(att @ x) + self.proj_without_att(x)))


class HsGal(nn.Module):
    def __init__(self, din, dout, temperature):
        super().__init__()
        for name in ("att_weight11", "att_weight22", "att_weight12", "att_weightM"):
            setattr(self, name, nn.Parameter(torch.zeros(dout, 1)))
        self.proj_type1 = nn.Linear(din, din)
        self.proj_type2 = nn.Linear(din, din)
        self.att_proj = nn.Linear(din, dout)
        self.att_projM = nn.Linear(din, dout)
        self.proj_with_att = nn.Linear(din, dout)
        self.proj_without_att = nn.Linear(din, dout)
        self.proj_with_attM = nn.Linear(din, dout)
        self.proj_without_attM = nn.Linear(din, dout)
        self.bn = nn.BatchNorm1d(dout)
        self.temperature = temperature

    def forward(self, first, second, master):
        n1 = first.shape[1]
        x = torch.cat([self.proj_type1(first), self.proj_type2(second)], 1)
        hidden = torch.tanh(self.att_proj(x.unsqueeze(2) * x.unsqueeze(1)))
        scores = (hidden @ self.att_weight12).squeeze(-1)
        scores[:, :n1, :n1] = (hidden[:, :n1, :n1] @ self.att_weight11).squeeze(-1)
        scores[:, n1:, n1:] = (hidden[:, n1:, n1:] @ self.att_weight22).squeeze(-1)
        att = torch.softmax(scores / self.temperature, dim=-1)
        hidden_m = torch.tanh(self.att_projM(x * master))
        att_m = torch.softmax((hidden_m @ self.att_weightM) / self.temperature, dim=1).transpose(1, 2)
        new_master = self.proj_with_attM(att_m @ x) + self.proj_without_attM(master)
        nodes = F.selu(node_bn(self.bn, self.proj_with_att(att @ x) + self.proj_without_att(x)))
        return nodes[:, :n1], nodes[:, n1:], new_master


class Pool(nn.Module):
    def __init__(self, ratio, dim):
        super().__init__()
        self.proj = nn.Linear(dim, 1)
        self.ratio = ratio

    def forward(self, h):
        s = torch.sigmoid(self.proj(h))
        k = max(int(h.shape[1] * self.ratio), 1)
        idx = torch.topk(s, k, dim=1).indices
        return torch.gather(h * s, 1, idx.expand(-1, -1, h.shape[2]))


class Aasist(nn.Module):
    def __init__(self, c):
        super().__init__()
        blocks = c["blocks"]
        enc = blocks[3][1]
        g0, g1 = c["gatDims"]
        t_s, t_t, t_h = c["temperatures"][:3]
        r_s, r_t, r_h = c["poolRatios"][:3]
        length = c["sincKernel"] + 1 if c["sincKernel"] % 2 == 0 else c["sincKernel"]
        self.register_buffer("bank", sinc_bank(c["sincFilters"], length), persistent=False)
        self.pos_S = nn.Parameter(torch.zeros(1, c["sincFilters"] // FRONT_POOL, enc))
        self.master1 = nn.Parameter(torch.zeros(1, 1, g0))
        self.master2 = nn.Parameter(torch.zeros(1, 1, g0))
        self.first_bn = nn.BatchNorm2d(1)
        pairs = [blocks[0], blocks[1], blocks[2], blocks[3], blocks[3], blocks[3]]
        self.encoder = nn.Sequential(*[nn.Sequential(Block(a, b, i == 0)) for i, (a, b) in enumerate(pairs)])
        self.GAT_layer_S = Gat(enc, g0, t_s)
        self.GAT_layer_T = Gat(enc, g0, t_t)
        self.HtrgGAT_layer_ST11 = HsGal(g0, g1, t_h)
        self.HtrgGAT_layer_ST12 = HsGal(g1, g1, t_h)
        self.HtrgGAT_layer_ST21 = HsGal(g0, g1, t_h)
        self.HtrgGAT_layer_ST22 = HsGal(g1, g1, t_h)
        self.pool_S = Pool(r_s, g0)
        self.pool_T = Pool(r_t, g0)
        self.pool_hS1 = Pool(r_h, g1)
        self.pool_hT1 = Pool(r_h, g1)
        self.pool_hS2 = Pool(r_h, g1)
        self.pool_hT2 = Pool(r_h, g1)
        self.out_layer = nn.Linear(5 * g1, 2)

    def branch(self, temporal, spectral, master, layers, pools):
        t, s, m = layers[0](temporal, spectral, master)
        t, s = pools[0](t), pools[1](s)
        t2, s2, m2 = layers[1](t, s, m)
        return t + t2, s + s2, m + m2

    def forward(self, wave):
        x = F.conv1d(wave.unsqueeze(1), self.bank).abs().unsqueeze(1)
        x = F.selu(self.first_bn(F.max_pool2d(x, FRONT_POOL)))
        e = self.encoder(x).abs()
        spectral = self.pool_S(self.GAT_layer_S(e.amax(3).transpose(1, 2) + self.pos_S))
        temporal = self.pool_T(self.GAT_layer_T(e.amax(2).transpose(1, 2)))
        b = wave.shape[0]
        one = self.branch(temporal, spectral, self.master1.expand(b, -1, -1), (self.HtrgGAT_layer_ST11, self.HtrgGAT_layer_ST12), (self.pool_hT1, self.pool_hS1))
        two = self.branch(temporal, spectral, self.master2.expand(b, -1, -1), (self.HtrgGAT_layer_ST21, self.HtrgGAT_layer_ST22), (self.pool_hT2, self.pool_hS2))
        t, s, m = (torch.maximum(p, q) for p, q in zip(one, two))
        readout = torch.cat([t.abs().amax(1), t.mean(1), s.abs().amax(1), s.mean(1), m.squeeze(1)], 1)
        return self.out_layer(readout)


def clips_per_second(model, x, min_seconds):
    """Clips per second of model(x), timed for >= min_seconds (main's parity pass has warmed it up)."""
    n, t0 = 0, time.perf_counter()
    while True:
        model(x)
        n += 1
        s = time.perf_counter() - t0
        if s >= min_seconds:
            return n * x.shape[0] / s


def main():
    folder, threads, min_seconds, names = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4].split(",")
    batches = [int(b) for b in sys.argv[5:]]
    torch.set_num_threads(threads)
    wave = torch.from_numpy(np.fromfile(f"{folder}/input.f32", dtype="<f4").reshape(-1, SAMPLES))
    out = {"torch": torch.__version__, "models": {}}
    with torch.inference_mode():
        for name in names:
            with open(f"{folder}/{name}.json") as f:
                model = Aasist(json.load(f)).eval()
            model.load_state_dict(read_safetensors(f"{folder}/{name}.safetensors"), strict=True)
            logits = model(wave).flatten().tolist()
            speeds = {str(b): clips_per_second(model, wave[:b], min_seconds) for b in batches}
            out["models"][name] = {"logits": logits, "clipsPerS": speeds}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
