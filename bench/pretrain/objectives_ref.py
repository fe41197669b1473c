"""The two self-supervised pre-training objectives of trustser, in PyTorch, as the project's reference.

- `apc_loss`: autoregressive predictive coding. The APC network (bench/backbones/s3prl_ref.py)
  reads frames 0 .. T-k-1 and its postnet predicts, at each step t, the frame t + k. L1 distance
  to the real frames, averaged over the valid (non-padded) predictions only.
- `tera_loss`: TERA's masked reconstruction. The transformer reads the altered (masked / noised,
  already frame-stacked) inputs, the SpecHead maps the last hidden state back to the target frames,
  and the L1 distance is averaged over the elements the mask selects.

Both functions run the model in whatever mode it is in: the fixtures (scripts/fixtures/
make-pretrain-fixtures.py) call them on `.eval()` models (no dropout), the throughput benchmark
(bench/pretrain/throughput_ref.py) on `.train()` ones. They return a 0-dim float32 tensor with
the autograd graph attached.

Self-check (two tiny random models, loss positive and finite, the padding not leaking in):

    /usr/bin/python3 bench/pretrain/objectives_ref.py
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'backbones'))
import s3prl_ref as ref  # noqa: E402


def valid_frames(lengths, t):
    """[B, t] bool: True where frame index < lengths[b]."""
    return torch.arange(t).unsqueeze(0) < torch.as_tensor(lengths).unsqueeze(1)


def apc_loss(model, feats, lengths, n_future):
    """APC's L1 loss on feats [B, T, D] (padded frames after the valid ones), lengths list[int].

    The input is feats[:, :T-k], the target feats[:, k:]. The GRUs are unidirectional and padding
    comes last, so the outputs at valid steps never see a padded frame. s3prl's APC uses a plain
    nn.L1Loss, which also averages over padded positions; we mask them out: the sum of |pred - target|
    over b, t < lengths[b] - k and all d, divided by D * sum_b max(lengths[b] - k, 0).
    """
    k = n_future
    b, t, d = feats.shape
    pred, _ = model(feats[:, : t - k])  # ref.APC.forward: postnet(last layer, residuals applied)
    target = feats[:, k:]
    keep = valid_frames([max(n - k, 0) for n in lengths], t - k).unsqueeze(-1).to(pred.dtype)  # [B, T-k, 1]
    count = d * sum(max(n - k, 0) for n in lengths)
    return ((pred - target).abs() * keep).sum() / count


def tera_loss(transformer, spec_head, inputs, target, mask, lengths):
    """TERA's masked L1 loss.

    inputs [B, T, Din] (altered and frame-stacked), target [B, T, Dout], mask bool [B, T, Dout],
    lengths list[int] of valid transformer frames. Padded frames are kept out of attention by the
    reference's additive -10000 on their keys' scores. The SpecHead reads the last hidden state
    (for pre-LN models the one after the final encoder LayerNorm). Loss: mean |pred - target| over
    the elements where mask is True (s3prl's masked_select followed by L1Loss).
    """
    b, t, _ = inputs.shape
    valid = valid_frames(lengths, t).to(inputs.dtype)
    pos = ref.position_encoding(t, transformer.config['hidden_size'])
    hidden = transformer(inputs, pos, valid)[-1]
    pred = spec_head(hidden)
    return (pred.masked_select(mask) - target.masked_select(mask)).abs().mean()


def _self_check():
    torch.manual_seed(0)
    apc = ref.APC(8, 6, 2, 0.0, True).eval()
    feats = torch.randn(2, 12, 8)
    feats[1, 7:] = 0
    loss = apc_loss(apc, feats, [12, 7], 2)
    # Changing padded frames must not move the loss.
    feats2 = feats.clone()
    feats2[1, 7:] = 5.0
    assert torch.isfinite(loss) and loss > 0
    assert torch.allclose(loss, apc_loss(apc, feats2, [12, 7], 2))

    c = {'hidden_size': 8, 'num_hidden_layers': 1, 'num_attention_heads': 2, 'intermediate_size': 12,
         'hidden_act': 'gelu', 'layer_norm_eps': 1e-12, 'pre_layer_norm': False}
    tf, head = ref.TeraTransformer(c, 4).eval(), ref.TeraSpecHead(c, 4).eval()
    target = torch.randn(2, 6, 4)
    target[1, 4:] = 0
    mask = torch.zeros(2, 6, 4, dtype=torch.bool)
    mask[0, 1:3] = True
    mask[1, 2] = True
    inputs = target.masked_fill(mask, 0.0)
    loss_t = tera_loss(tf, head, inputs, target, mask, [6, 4])
    inputs2 = inputs.clone()
    inputs2[1, 4:] = 3.0  # padded frames: excluded from attention (to within exp(-10000))
    assert torch.isfinite(loss_t) and loss_t > 0
    assert torch.allclose(loss_t, tera_loss(tf, head, inputs2, target, mask, [6, 4]), atol=1e-6)
    print(f'ok: apc loss {loss.item():.6f}, tera loss {loss_t.item():.6f}')


if __name__ == '__main__':
    _self_check()
