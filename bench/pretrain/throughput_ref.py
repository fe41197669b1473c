#!/usr/bin/env python3
"""CPU pre-training throughput of the PyTorch reference, the baseline for trustser's own APC / TERA
pre-training speed. A randomly initialised model of the project's CPU pre-training defaults is
trained on random features for a few steps; the timing covers whole optimiser steps (batch draw,
forward, loss, backward, gradient clipping, AdamW update).

    /usr/bin/python3 bench/pretrain/throughput_ref.py --method apc|tera --threads 1 --batch 8 \\
        --frames 500 --steps 5 --warmup 2

Defaults modelled (both in train mode, dropout on):
  apc   80-dim input, 3 GRU layers of 256, residual, dropout 0.1, n_future 5.
  tera  80-dim input, no frame stacking, post-LN, GELU, 3 layers of 256, 4 heads, intermediate 1024,
        dropout 0.1 (hidden and attention), layer_norm_eps 1e-12, SpecHead to 80 dims; 15 % of frames
        masked (zeroed) in runs of 7 at random starts, the loss on those frames.
Optimiser: gradient-norm clipping at 5.0, AdamW with lr 2e-4. All frames are valid (no padding).
Prints one JSON line: method, threads, batch, frames, steps, seconds, framesPerSecond
(batch * frames * steps / seconds) and the torch version.
"""
import argparse
import json
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'backbones'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import s3prl_ref as ref  # noqa: E402
import objectives_ref as obj  # noqa: E402

DIM = 80
N_FUTURE = 5
MASK_PROPORTION = 0.15
MASK_RUN = 7
CLIP = 5.0
LR = 2e-4
TERA_CONFIG = {'hidden_size': 256, 'num_hidden_layers': 3, 'num_attention_heads': 4, 'intermediate_size': 1024,
               'hidden_act': 'gelu', 'layer_norm_eps': 1e-12, 'pre_layer_norm': False,
               'hidden_dropout_prob': 0.1, 'attention_probs_dropout_prob': 0.1}


class DropoutAttention(ref.SelfAttention):
    """The reference's self-attention plus dropout on the attention probabilities, as BERT / s3prl have
    in training (the reference itself is inference-only and leaves it out)."""

    def __init__(self, c):
        super().__init__(c)
        self.dropout = nn.Dropout(c['attention_probs_dropout_prob'])

    def forward(self, x, mask):
        b, t, h = x.shape
        split = lambda y: y.view(b, t, self.heads, h // self.heads).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / (h // self.heads) ** 0.5 + mask
        ctx = torch.matmul(self.dropout(scores.softmax(-1)), v)
        return ctx.permute(0, 2, 1, 3).reshape(b, t, h)


class DropoutAfter(nn.Module):
    """Wraps a module so that its output goes through dropout (hidden dropout)."""

    def __init__(self, inner, p):
        super().__init__()
        self.inner = inner
        self.dropout = nn.Dropout(p)

    def forward(self, *args):
        return self.dropout(self.inner(*args))


def build_tera():
    """The reference TERA with BERT's training dropouts put in: on the input representations, the
    attention probabilities, and each dense output before its residual (s3prl's layout)."""
    c = TERA_CONFIG
    tf, head = ref.TeraTransformer(c, DIM), ref.TeraSpecHead(c, DIM)
    p = c['hidden_dropout_prob']
    tf.input_representations = DropoutAfter(tf.input_representations, p)
    for layer in tf.encoder.layer:
        layer.attention.self = DropoutAttention(c)
        layer.attention.output.dense = DropoutAfter(layer.attention.output.dense, p)
        layer.output.dense = DropoutAfter(layer.output.dense, p)
    return tf.train(), head.train()


def tera_batch(b, t):
    """Random features, MASK_PROPORTION of the frames zeroed in runs of MASK_RUN at random starts
    (runs may overlap), the mask covering all dims of those frames."""
    feats = torch.randn(b, t, DIM)
    runs = max(1, round(t * MASK_PROPORTION / MASK_RUN))
    frames = torch.zeros(b, t, dtype=torch.bool)
    for i in range(b):
        for s in torch.randperm(max(t - MASK_RUN + 1, 1))[:runs].tolist():
            frames[i, s:s + MASK_RUN] = True
    mask = frames.unsqueeze(-1).expand(b, t, DIM)
    return feats.masked_fill(mask, 0.0), feats, mask


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--method', choices=['apc', 'tera'], required=True)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--frames', type=int, default=500)
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)

    if a.method == 'apc':
        model = ref.APC(DIM, 256, 3, 0.1, True).train()
        params = list(model.parameters())

        def loss_fn():
            return obj.apc_loss(model, torch.randn(a.batch, a.frames, DIM), [a.frames] * a.batch, N_FUTURE)
    else:
        tf, head = build_tera()
        params = list(tf.parameters()) + list(head.parameters())

        def loss_fn():
            inputs, target, mask = tera_batch(a.batch, a.frames)
            return obj.tera_loss(tf, head, inputs, target, mask, [a.frames] * a.batch)

    opt = torch.optim.AdamW(params, lr=LR)

    def step():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        nn.utils.clip_grad_norm_(params, CLIP)
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    start = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    seconds = time.perf_counter() - start
    assert loss == loss and loss > 0, loss  # finite and positive
    print(json.dumps({'method': a.method, 'threads': a.threads, 'batch': a.batch, 'frames': a.frames,
                      'steps': a.steps, 'seconds': seconds, 'framesPerSecond': a.batch * a.frames * a.steps / seconds,
                      'torch': torch.__version__}))


if __name__ == '__main__':
    main()
