"""A small PyTorch reference of the APC and TERA upstreams of s3prl, written for trustser from the
definitions in s3prl v0.4 (`s3prl/upstream/apc/{apc,audio,expert}.py`,
`s3prl/upstream/mockingjay/{model,builder,expert}.py`, `s3prl/upstream/baseline/{extracter,
preprocessor}.py`), for the parity fixtures (scripts/fixtures/make-s3prl-fixtures.py) and the speed
benchmark. Module and state_dict names are s3prl's, so `state_dict()` is what an s3prl `.ckpt` holds.

Front ends (16 kHz waveform in [-1, 1] -> [T, D] float32):
- `fbank_features(wav, fbank, delta_order, delta_win, cmvn)`: torchaudio's Kaldi-compatible fbank
  (`torchaudio.compliance.kaldi.fbank`, the function s3prl calls), optional deltas (`compute_deltas`,
  stacked [x, d1, d2, ...] along the feature axis), optional per-utterance CMVN
  (x - mean) / (std + 1e-10) over time, std unbiased. APC uses it with window_type 'hamming' and
  CMVN; TERA's `audio.kaldi` front end with Kaldi's default 'povey' window, deltas and CMVN.
- `log_mel_features(wav, ...)`: TERA's online preprocessor (`audio.input.feat_type: mel`): the
  waveform scaled to `target_level` dB (RMS), a centred reflect-padded STFT with a periodic Hann
  window, power |X|^2, HTK mel filters (no norm) over 0-8 kHz, ln(mel + 1e-10), optional deltas and
  CMVN as above.

Networks:
- `APC(input_size, hidden_size, num_layers, dropout, residual)`: unidirectional single-layer GRUs
  `rnn_layers.N` (residual connections from the second layer on) and the `postnet` Linear that
  predicts the frame n_future steps ahead. `hidden_states(feats)` gives trustser's L + 1 states: the
  input features, then each GRU layer's output (after its residual). s3prl's APC upstream exposes
  only the last L of these (hooks on the inputs of rnn_layers[1], [2] and the model's output).
- `TeraTransformer(config, input_dim)`: s3prl's TransformerModel (input representations: Linear of
  the (stacked) frames + sinusoidal positions, TF-style LayerNorm; BERT layers, post-LN or pre-LN);
  `TeraSpecHead(config, output_dim)`: dense -> act -> LayerNorm -> output. `tera_hidden_states(...)`
  gives what s3prl's upstream returns: the encoder's input then each layer's output (pre-LN: each
  through its own `encoder.LayerNorm[i]`), run in chunks of `sequence_length` frames as s3prl does
  (`torch.chunk` into ceil(T / sequence_length) pieces, positions restarting in each).

The waveform-length quirk of s3prl's online preprocessor (it takes the count of non-zero samples as
the length) is not reproduced: the whole waveform is used. Runs on torch >= 1.13. The front ends
compute in the waveform's dtype (the fixtures pass float64: the filterbanks stay torchaudio's
float32 tables), the networks in float32.
"""
import math

import numpy as np
import torch
import torchaudio
from torch import nn

SAMPLE_RATE = 16000
CMVN_EPS = 1e-10
LOG_EPS = 1e-10
WAV_RMS_EPS = 1e-10
PADDING_SCORE = -10000.0


# ---------------------------------------------------------------- front ends

def deltas(x, order, win_length):
    """[T, D] -> [T, D * (order + 1)]: x and its deltas of orders 1..order, side by side."""
    feats = [x]
    for _ in range(order):
        d = torchaudio.functional.compute_deltas(feats[-1].t().unsqueeze(0), win_length=win_length)
        feats.append(d.squeeze(0).t())
    return torch.cat(feats, dim=-1)


def cmvn(x):
    """Per-utterance mean and variance normalisation over time of [T, D]."""
    return (x - x.mean(dim=0, keepdim=True)) / (x.std(dim=0, keepdim=True) + CMVN_EPS)


def fbank_features(wav, fbank, delta_order=0, delta_win=5, use_cmvn=True):
    """Kaldi fbank (keyword arguments `fbank` as torchaudio takes them) -> deltas -> CMVN."""
    x = torchaudio.compliance.kaldi.fbank(wav.view(1, -1), sample_frequency=SAMPLE_RATE, **fbank)
    if delta_order > 0:
        x = deltas(x, delta_order, delta_win)
    return cmvn(x) if use_cmvn else x


def log_mel_features(wav, target_level=-25, win_ms=25, hop_ms=10, n_freq=201, n_mels=80, delta=0, use_cmvn=True):
    """TERA's online log-mel front end."""
    rms = wav.pow(2).mean().pow(0.5)
    wav = wav * ((10 ** (target_level / 20)) / (rms + WAV_RMS_EPS))
    win = round(win_ms * SAMPLE_RATE / 1000)
    hop = round(hop_ms * SAMPLE_RATE / 1000)
    n_fft = (n_freq - 1) * 2
    spec = torch.stft(wav, n_fft, hop_length=hop, win_length=win, window=torch.hann_window(win, dtype=wav.dtype), center=True,
                      pad_mode='reflect', normalized=False, onesided=True, return_complex=True)
    power = torch.view_as_real(spec).pow(2).sum(-1)  # [F, T]
    fb = torchaudio.functional.melscale_fbanks(n_freq, 0.0, float(SAMPLE_RATE // 2), n_mels, SAMPLE_RATE, None, 'htk')
    mel = torch.matmul(power.t(), fb.to(power.dtype))  # [T, n_mels]
    x = (mel + LOG_EPS).log()
    if delta > 0:
        x = deltas(x, delta, 5)
    return cmvn(x) if use_cmvn else x


# ---------------------------------------------------------------- APC

class APC(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers, dropout, residual):
        super().__init__()
        sizes = [input_size] + [hidden_size] * num_layers
        self.rnn_layers = nn.ModuleList(nn.GRU(sizes[i], hidden_size, batch_first=True) for i in range(num_layers))
        self.rnn_dropout = nn.Dropout(dropout)
        self.rnn_residual = residual
        self.postnet = nn.Linear(hidden_size, input_size)

    def hidden_states(self, feats):
        """feats [B, T, D] -> [feats, layer 1, ..., layer L]."""
        out = [feats]
        h = feats
        for i, layer in enumerate(self.rnn_layers):
            y, _ = layer(h)
            y = self.rnn_dropout(y)
            if self.rnn_residual and i > 0:
                y = y + h
            out.append(y)
            h = y
        return out

    def forward(self, feats):
        """The frames predicted n_future steps ahead, and the last layer's output."""
        h = self.hidden_states(feats)[-1]
        return self.postnet(h), h


# ---------------------------------------------------------------- TERA

ACTIVATIONS = {
    'gelu': lambda x: x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0))),
    'relu': torch.relu,
    'swish': lambda x: x * torch.sigmoid(x),
}


class TfLayerNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.bias = nn.Parameter(torch.zeros(size))
        self.eps = eps

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        var = (x - mu).pow(2).mean(-1, keepdim=True)
        return self.weight * ((x - mu) / torch.sqrt(var + self.eps)) + self.bias


class InputRepresentations(nn.Module):
    def __init__(self, c, input_dim):
        super().__init__()
        self.spec_transform = nn.Linear(input_dim, c['hidden_size'])
        self.LayerNorm = TfLayerNorm(c['hidden_size'], c['layer_norm_eps'])

    def forward(self, spec, pos):
        return self.LayerNorm(self.spec_transform(spec) + pos)


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c['hidden_size']
        self.heads = c['num_attention_heads']
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h)
        self.value = nn.Linear(h, h)

    def forward(self, x, mask):
        b, t, h = x.shape
        split = lambda y: y.view(b, t, self.heads, h // self.heads).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(h // self.heads) + mask
        ctx = torch.matmul(scores.softmax(-1), v)
        return ctx.permute(0, 2, 1, 3).reshape(b, t, h)


class DenseResidual(nn.Module):
    """dense -> (+ residual) -> LayerNorm unless pre-LN: s3prl's SelfOutput and Output."""

    def __init__(self, c, inner):
        super().__init__()
        self.pre = c['pre_layer_norm']
        self.dense = nn.Linear(inner, c['hidden_size'])
        self.LayerNorm = TfLayerNorm(c['hidden_size'], c['layer_norm_eps'])

    def forward(self, x, residual):
        y = self.dense(x) + residual
        return y if self.pre else self.LayerNorm(y)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.pre = c['pre_layer_norm']
        self.self = SelfAttention(c)
        self.output = DenseResidual(c, c['hidden_size'])
        if self.pre:
            self.LayerNorm = self.output.LayerNorm  # an alias: both names appear in the state dict

    def forward(self, x, mask):
        return self.output(self.self(self.LayerNorm(x) if self.pre else x, mask), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['hidden_size'], c['intermediate_size'])
        self.act = ACTIVATIONS[c['hidden_act']]

    def forward(self, x):
        return self.act(self.dense(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.pre = c['pre_layer_norm']
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseResidual(c, c['intermediate_size'])
        if self.pre:
            self.LayerNorm = self.output.LayerNorm

    def forward(self, x, mask):
        a = self.attention(x, mask)
        return self.output(self.intermediate(self.LayerNorm(a) if self.pre else a), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.pre = c['pre_layer_norm']
        self.layer = nn.ModuleList(Layer(c) for _ in range(c['num_hidden_layers']))
        if self.pre:
            self.LayerNorm = nn.ModuleList(TfLayerNorm(c['hidden_size'], c['layer_norm_eps'])
                                           for _ in range(c['num_hidden_layers'] + 1))

    def forward(self, x, mask):
        out = []
        for i, layer in enumerate(self.layer):
            out.append(self.LayerNorm[i](x) if self.pre else x)
            x = layer(x, mask)
        out.append(self.LayerNorm[-1](x) if self.pre else x)
        return out


class TeraTransformer(nn.Module):
    """s3prl's TransformerModel (the `Transformer` entry of a checkpoint)."""

    def __init__(self, c, input_dim):
        super().__init__()
        self.config = c
        self.input_representations = InputRepresentations(c, input_dim)
        self.encoder = Encoder(c)

    def forward(self, spec, pos, valid=None):
        """spec [B, T, D*dr], pos [T, H], valid [B, T] (1 = frame, 0 = padding) -> L + 1 states."""
        mask = torch.zeros(spec.shape[0], 1, 1, spec.shape[1]) if valid is None else \
            ((1.0 - valid) * PADDING_SCORE).view(spec.shape[0], 1, 1, -1)
        return self.encoder(self.input_representations(spec, pos), mask)


class TeraSpecHead(nn.Module):
    def __init__(self, c, output_dim):
        super().__init__()
        self.dense = nn.Linear(c['hidden_size'], c['hidden_size'])
        self.act = ACTIVATIONS[c['hidden_act']]
        self.LayerNorm = TfLayerNorm(c['hidden_size'], c['layer_norm_eps'])
        self.output = nn.Linear(c['hidden_size'], output_dim)

    def forward(self, h):
        return self.output(self.LayerNorm(self.act(self.dense(h))))


def position_encoding(length, size):
    """Sinusoids as s3prl tabulates them (float64, then float32): sin on even dims, cos on odd."""
    pos = np.arange(length, dtype=np.float64)[:, None]
    dims = np.arange(size)[None, :]
    table = pos / np.power(10000, 2 * (dims // 2) / size)
    table[:, 0::2] = np.sin(table[:, 0::2])
    table[:, 1::2] = np.cos(table[:, 1::2])
    return torch.FloatTensor(table)


def stack_frames(feats, rate):
    """[T, D] -> [T // rate, D * rate]: consecutive frames side by side, the remainder dropped."""
    t = feats.shape[0] // rate
    return feats[: t * rate].reshape(t, feats.shape[1] * rate)


def tera_hidden_states(model, feats, downsample_rate=1, sequence_length=0):
    """feats [T, D] -> L + 1 tensors [T', H], chunked as s3prl's builder does."""
    x = stack_frames(feats, downsample_rate).unsqueeze(0)
    t = x.shape[1]
    h = model.config['hidden_size']
    if sequence_length <= 0 or t <= sequence_length:
        return [s[0] for s in model(x, position_encoding(t, h))]
    parts = [model(c, position_encoding(c.shape[1], h)) for c in torch.chunk(x, math.ceil(t / sequence_length), dim=1)]
    return [torch.cat([p[i][0] for p in parts], dim=0) for i in range(len(parts[0]))]
