"""torchaudio reference for bench/backbones: a base-size wav2vec 2.0 (torchaudio.models.wav2vec2_base,
random weights, seed 0) — its state dict, its hidden states on a fixed clip, and its forward time.

Usage: reference.py OUT_DIR SECONDS THREADS RUNS
Writes OUT_DIR/base.pth and OUT_DIR/hidden.bin (L+1 layers of [T, D] float32, as trustser defines
them: transformer input after the positional conv and layer norm, then each layer's output) and
prints one JSON line with the forward seconds per run.
"""
import json
import os
import sys
import time

import torch
from torchaudio.models import wav2vec2_base


def clip(samples):
    g = torch.Generator().manual_seed(1)
    i = torch.arange(samples, dtype=torch.float64)
    return (0.3 * torch.sin(2 * torch.pi * 180 * i / 16000) + 0.05 * torch.randn(samples, generator=g, dtype=torch.float64)).float()


def hidden_states(model, x):
    feats, _ = model.feature_extractor(x, None)
    h, _ = model.encoder._preprocess(feats, None)
    t = model.encoder.transformer
    h = t.layer_norm(h + t.pos_conv_embed(h))  # post-LN body: layer norm before the layers
    out = [h]
    for layer in t.layers:
        h = layer(h, None)
        out.append(h)
    return out


def main():
    out_dir, seconds, threads, runs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = wav2vec2_base().eval()
    torch.save(model.state_dict(), os.path.join(out_dir, 'base.pth'))
    x = clip(int(seconds * 16000)).unsqueeze(0)
    with torch.no_grad():
        hs = hidden_states(model, x)
        with open(os.path.join(out_dir, 'hidden.bin'), 'wb') as f:
            for h in hs:
                f.write(h[0].contiguous().numpy().astype('<f4').tobytes())
        hidden_states(model, x)  # warm-up
        t0 = time.perf_counter()
        for _ in range(runs):
            hidden_states(model, x)
        per_run = (time.perf_counter() - t0) / runs
    print(json.dumps({'torch': torch.__version__, 'layers': len(hs), 'frames': hs[0].shape[1], 'dims': hs[0].shape[2], 'secondsPerRun': per_run}))


if __name__ == '__main__':
    main()
