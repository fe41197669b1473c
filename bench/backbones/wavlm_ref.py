"""A PyTorch reference of WavLM, written for trustser (torchaudio 0.13 has no WavLM model).

WavLM is wav2vec 2.0's network with a gated relative position bias in every attention layer
(Chen et al., 2022, "WavLM: Large-Scale Self-Supervised Pre-Training for Full Stack Speech
Processing", section 2.2). Everything but the attention is torchaudio's wav2vec 2.0 modules;
the attention is written here from the paper's definition:

  bucket(d)  = exact |d| below a quarter of the buckets, then logarithmic up to max_distance,
               one half of the buckets for keys after the query (d = key - query > 0)
  bias[h]    = table[bucket(key - query), h]                     (first layer's table, shared)
  gate       = sigmoid(sum of 4 of Linear(head_dim, 8)(x_h))    -> (a, b), per frame and head
  bias'[h]   = (a * (b * const[h] - 1) + 2) * bias[h]
  attention  = softmax(q k^T / sqrt(head_dim) + bias') v

The modules use trustser's names (torchaudio's wav2vec 2.0 names, plus rel_attn_embed,
gru_rel_pos_linear and gru_rel_pos_const under each layer's attention). Used by
scripts/fixtures/make-wavlm-fixtures.py and by bench/backbones/run.ts.
"""
import math

import torch
from torch import nn
from torchaudio.models import wav2vec2_model


def relative_buckets(frames, num_buckets, max_distance):
    """[frames, frames] bucket indices of key - query offsets."""
    pos = torch.arange(frames)
    d = pos[None, :] - pos[:, None]
    half = num_buckets // 2
    exact = half // 2
    dist = d.abs()
    scaled = torch.log(dist.float().clamp(min=1) / exact) / math.log(max_distance / exact) * (half - exact)
    large = (exact + scaled.long()).clamp(max=half - 1)
    return (d > 0).long() * half + torch.where(dist < exact, dist, large)


class RelativeAttention(nn.Module):
    def __init__(self, dim, heads, num_buckets, max_distance, has_table, gated):
        super().__init__()
        self.heads, self.num_buckets, self.max_distance, self.gated = heads, num_buckets, max_distance, gated
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.q_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)
        if has_table:
            self.rel_attn_embed = nn.Embedding(num_buckets, heads)
        if gated:
            self.gru_rel_pos_linear = nn.Linear(dim // heads, 8)
            self.gru_rel_pos_const = nn.Parameter(torch.ones(1, heads, 1, 1))

    def bias(self, frames):
        """[1, H, T, T] from this (first) layer's table."""
        b = self.rel_attn_embed(relative_buckets(frames, self.num_buckets, self.max_distance))
        return b.permute(2, 0, 1).unsqueeze(0)

    def forward(self, x, bias, key_padding=None):
        b, t, d = x.shape
        hd = d // self.heads
        if self.gated:
            g = torch.sigmoid(self.gru_rel_pos_linear(x.view(b, t, self.heads, hd).transpose(1, 2)).view(b, self.heads, t, 2, 4).sum(-1))
            bias = (g[..., 0:1] * (g[..., 1:2] * self.gru_rel_pos_const - 1.0) + 2.0) * bias
        heads = lambda lin: lin(x).view(b, t, self.heads, hd).transpose(1, 2)  # noqa: E731
        q, k, v = heads(self.q_proj), heads(self.k_proj), heads(self.v_proj)
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd) + bias
        if key_padding is not None:
            scores = scores.masked_fill(key_padding[:, None, None, :], float('-inf'))
        o = torch.softmax(scores, dim=-1) @ v
        return self.out_proj(o.transpose(1, 2).reshape(b, t, d))


def wavlm_model(num_buckets, max_distance, gated=True, **torchaudio_kwargs):
    """torchaudio's wav2vec 2.0 network with WavLM's attention in every layer."""
    model = wav2vec2_model(**torchaudio_kwargs)
    d, h = torchaudio_kwargs['encoder_embed_dim'], torchaudio_kwargs['encoder_num_heads']
    for i, layer in enumerate(model.encoder.transformer.layers):
        layer.attention = RelativeAttention(d, h, num_buckets, max_distance, i == 0, gated)
    return model


def normalize(x, eps):
    """Zero mean, unit (population) variance per waveform."""
    return (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, unbiased=False, keepdim=True) + eps)


def hidden_states(model, x, lengths=None):
    """[L+1] tensors [B, T, D] as trustser defines them (see docs/backbones.md), and the frame counts."""
    feats, out_len = model.feature_extractor(x, lengths)
    h, _ = model.encoder._preprocess(feats, out_len)
    t = model.encoder.transformer
    key_padding = None
    if out_len is not None:
        key_padding = torch.arange(h.shape[1])[None, :] >= out_len[:, None]
        h = h.masked_fill(key_padding[..., None], 0.0)
    h = h + t.pos_conv_embed(h)
    pre_ln = t.layers[0].layer_norm_first  # (torchaudio's Transformer keeps the inverse flag)
    if not pre_ln:
        h = t.layer_norm(h)
    bias = t.layers[0].attention.bias(h.shape[1])
    out = [h]
    for layer in t.layers:
        if pre_ln:
            h = h + layer.attention(layer.layer_norm(h), bias, key_padding)
            h = h + layer.feed_forward(layer.final_layer_norm(h))
        else:
            h = layer.layer_norm(h + layer.attention(h, bias, key_padding))
            h = layer.final_layer_norm(h + layer.feed_forward(h))
        out.append(h)
    if pre_ln:
        out[-1] = t.layer_norm(out[-1])
    return out, out_len
