"""A small PyTorch reference of Whisper's front end and audio encoder, written from the model's
definition (Radford et al., 2022, and the released model's layout), for trustser's parity
fixtures (scripts/fixtures/make-whisper-fixtures.py) and speed benchmark.

- `log_mel(audio, n_mels)`: the log-mel spectrogram Whisper feeds its encoder: 16 kHz, a 400-point
  periodic Hann STFT every 160 samples (centred, reflect padding), power |X|^2 with the last
  frame dropped, Slaney-scale area-normalised mel filters over 0-8 kHz, log10(max(mel, 1e-10)),
  floored at (max - 8), then (x + 4) / 4. `pad_30s(audio)` zero-pads a clip to Whisper's 30 s
  window first, as Whisper does before every pass.
- `WhisperEncoderRef(dims)`: conv1 + GELU, conv2 (stride 2) + GELU, sinusoidal positions,
  pre-layer-norm residual blocks, ln_post; `state_dict()` uses openai's names (`conv1.weight`,
  `positional_embedding`, `blocks.0.attn.query.weight`, ...). `hidden_states(mel)` gives the
  L + 1 hidden states trustser defines: the blocks' input, each block's output, the last with
  ln_post applied (what Hugging Face's `output_hidden_states` returns).

Runs on torch >= 1.13; everything is float32.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

SAMPLE_RATE = 16000
N_FFT = 400
HOP = 160
WINDOW_SECONDS = 30
WINDOW_SAMPLES = WINDOW_SECONDS * SAMPLE_RATE  # 480000
WINDOW_FRAMES = WINDOW_SAMPLES // HOP  # 3000 mel frames, 1500 encoder positions
F_MAX = SAMPLE_RATE / 2
LOG_AMIN = 1e-10
DYNAMIC_RANGE = 8.0  # log10 units (80 dB)
LOG_OFFSET = 4.0
LOG_SCALE = 4.0
POSITION_TIMESCALE = 10000.0


def _hz_to_mel(f):
    """Slaney's mel scale (float64 tensors): linear below 1 kHz, logarithmic above."""
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, math.log(6.4) / 27.0
    return torch.where(f >= min_log_hz, min_log_mel + torch.log(f / min_log_hz) / logstep, f / f_sp)


def _mel_to_hz(m):
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, math.log(6.4) / 27.0
    return torch.where(m >= min_log_mel, min_log_hz * torch.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filters(n_mels=80, sample_rate=SAMPLE_RATE, n_fft=N_FFT, f_min=0.0, f_max=F_MAX):
    """Triangular filters on the Slaney scale, each scaled to unit area ("slaney" norm), as
    [n_mels, n_fft // 2 + 1] float32 (computed in float64)."""
    bins = torch.linspace(0, sample_rate / 2, n_fft // 2 + 1, dtype=torch.float64)
    edges_mel = torch.linspace(_hz_to_mel(torch.tensor(f_min, dtype=torch.float64)).item(),
                               _hz_to_mel(torch.tensor(f_max, dtype=torch.float64)).item(), n_mels + 2, dtype=torch.float64)
    edges = _mel_to_hz(edges_mel)
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lo) / (mid - lo)
    falling = (hi - bins[None, :]) / (hi - mid)
    tri = torch.clamp(torch.minimum(rising, falling), min=0.0)
    return (tri * (2.0 / (hi - lo))).to(torch.float32)


def pad_30s(audio):
    """Zero-pads a 1-D clip to 30 s (Whisper's input window); longer clips are returned unchanged."""
    return F.pad(audio, (0, max(0, WINDOW_SAMPLES - audio.shape[-1])))


def log_mel(audio, n_mels=80):
    """Whisper's log-mel of a 1-D float32 clip at 16 kHz → [n_mels, len // 160]."""
    window = torch.hann_window(N_FFT, periodic=True)
    spec = torch.stft(audio, N_FFT, HOP, window=window, center=True, pad_mode='reflect', return_complex=True)
    power = spec[..., :-1].abs() ** 2
    mel = mel_filters(n_mels) @ power
    log = torch.clamp(mel, min=LOG_AMIN).log10()
    log = torch.maximum(log, log.max() - DYNAMIC_RANGE)
    return (log + LOG_OFFSET) / LOG_SCALE


def sinusoids(length, channels):
    """Whisper's positional table [length, channels]: sines then cosines over log-spaced timescales."""
    half = channels // 2
    step = math.log(POSITION_TIMESCALE) / (half - 1)
    rates = torch.exp(-step * torch.arange(half, dtype=torch.float32))
    angle = torch.arange(length, dtype=torch.float32)[:, None] * rates[None, :]
    return torch.cat([torch.sin(angle), torch.cos(angle)], dim=1)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(width, width)
        self.key = nn.Linear(width, width, bias=False)
        self.value = nn.Linear(width, width)
        self.out = nn.Linear(width, width)

    def forward(self, x):
        b, t, d = x.shape
        head = d // self.heads

        def split(y):
            return y.view(b, t, self.heads, head).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(head)
        y = scores.softmax(dim=-1) @ v
        return self.out(y.transpose(1, 2).reshape(b, t, d))


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.attn = Attention(width, heads)
        self.attn_ln = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))
        self.mlp_ln = nn.LayerNorm(width)

    def forward(self, x):
        x = x + self.attn(self.attn_ln(x))
        return x + self.mlp(self.mlp_ln(x))


class WhisperEncoderRef(nn.Module):
    """The audio encoder; `dims` holds openai's n_mels, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer."""

    def __init__(self, dims):
        super().__init__()
        width = dims['n_audio_state']
        self.n_ctx = dims['n_audio_ctx']
        self.conv1 = nn.Conv1d(dims['n_mels'], width, kernel_size=3, padding=1)
        self.conv2 = nn.Conv1d(width, width, kernel_size=3, stride=2, padding=1)
        self.register_buffer('positional_embedding', sinusoids(self.n_ctx, width))
        self.blocks = nn.ModuleList([Block(width, dims['n_audio_head']) for _ in range(dims['n_audio_layer'])])
        self.ln_post = nn.LayerNorm(width)

    def hidden_states(self, mel):
        """mel [B, n_mels, M] → L + 1 tensors [B, ceil(M / 2), width] (at most n_ctx frames)."""
        x = F.gelu(self.conv2(F.gelu(self.conv1(mel)))).transpose(1, 2)
        t = x.shape[1]
        assert t <= self.n_ctx, f'{t} frames exceed the {self.n_ctx} positions'
        x = x + self.positional_embedding[:t]
        out = [x]
        for block in self.blocks:
            x = block(x)
            out.append(x)
        out[-1] = self.ln_post(x)
        return out

    def forward(self, mel):
        return self.hidden_states(mel)[-1]


def from_openai_checkpoint(ckpt):
    """The encoder of an openai checkpoint dict ({'dims', 'model_state_dict'}), in float32."""
    model = WhisperEncoderRef(ckpt['dims'])
    prefix = 'encoder.'
    sd = {k[len(prefix):]: v.float() for k, v in ckpt['model_state_dict'].items() if k.startswith(prefix)}
    model.load_state_dict(sd)
    return model.eval()
