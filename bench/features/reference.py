"""torchaudio reference for bench/features: log-mel and MFCC+deltas, one thread, compute time only.

Usage: reference.py LIST_FILE [THREADS]   (one WAV path per line; 16 kHz mono; torch threads, default 1)
Prints one JSON line: audio seconds and compute seconds per workload.
"""
import json
import sys
import time

import torch
import torchaudio

SR, N_FFT, WIN, HOP, N_MELS, N_MFCC = 16000, 512, 400, 160, 64, 40


def main():
    torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    paths = [p.strip() for p in open(sys.argv[1]) if p.strip()]
    waves = [torchaudio.load(p)[0][0] for p in paths]
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=SR, n_fft=N_FFT, win_length=WIN, hop_length=HOP, n_mels=N_MELS)
    mfcc = torchaudio.transforms.MFCC(sample_rate=SR, n_mfcc=N_MFCC, melkwargs=dict(n_fft=N_FFT, win_length=WIN, hop_length=HOP, n_mels=N_MELS))
    audio_s = sum(w.numel() for w in waves) / SR
    out = {"torchaudio": torchaudio.__version__, "audioS": audio_s}
    with torch.no_grad():
        for name, fn in [
            ("logmel", lambda w: torch.log(mel(w) + 1e-6)),
            ("mfcc", lambda w: mfcc(w)),
            ("mfccDelta", lambda w: (lambda c: torch.cat([c, torchaudio.functional.compute_deltas(c), torchaudio.functional.compute_deltas(torchaudio.functional.compute_deltas(c))]))(mfcc(w))),
        ]:
            for w in waves[:5]:
                fn(w)
            t0 = time.perf_counter()
            for w in waves:
                fn(w)
            out[name + "S"] = time.perf_counter() - t0
    print(json.dumps(out))


if __name__ == "__main__":
    main()
