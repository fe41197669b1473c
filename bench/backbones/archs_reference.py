"""PyTorch references for bench/backbones/archs.ts: one base-size network per architecture, random
weights (seed 0, the modules' default initialisation), saved in a checkpoint format trustser reads,
its hidden states on a fixed clip, and its forward time.

Usage: archs_reference.py ARCH OUT_DIR SECONDS THREADS RUNS

ARCH (network, saved as OUT_DIR/<file>):
  wav2vec2  torchaudio wav2vec2_base (12 x 768, 12 heads, 3072 ffn)      torchaudio state dict wav2vec2.pth
  hubert    torchaudio hubert_base (same body)                           torchaudio state dict hubert.pth
  wavlm     WavLM Base+ sizes on bench/backbones/wavlm_ref.py: group-norm encoder, post-LN, 12 x 768,
            12 heads, 3072 ffn, 320 buckets over 800 frames, gated        WavLM's own .pt wavlm.pt
  whisper   Whisper base's encoder (bench/backbones/whisper_ref.py): 80 mels, 1500 positions, 512 wide,
            8 heads, 6 blocks                                            openai .pt whisper.pt
  apc       s3prl apc_360hr sizes (bench/backbones/s3prl_ref.py): Kaldi fbank 80 bins (Hamming, CMVN),
            3 GRU layers of 512, residual (s3prl/pretrain/apc/config_model.yaml)   s3prl .ckpt apc.ckpt
  tera      s3prl tera_960hr sizes (logMelBase-T-F-M.yaml): log-mel 80 (-25 dB, CMVN), 3 post-LN layers
            of 768, 12 heads, 3072 ffn, GELU, sequence_length 1500     s3prl .ckpt tera.ckpt

Writes OUT_DIR/clip.bin (the float32 clip of bench/backbones/reference.py) and OUT_DIR/hidden.bin
(the L + 1 hidden states as trustser defines them, each [T, D_l] float32; the s3prl front ends in
float64 rounded to float32, as the parity fixtures and trustser compute them) and prints one JSON
line: the forward seconds per run (front end included for whisper, apc and tera; the s3prl front
ends timed in float32, as s3prl runs them) after one warm-up run, at THREADS torch threads.
The checkpoint converters are the fixture scripts' (scripts/fixtures/make-*-fixtures.py).
"""
import copy
import importlib.util
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', '..', 'scripts', 'fixtures')
sys.path.insert(0, HERE)
import reference  # noqa: E402
import s3prl_ref  # noqa: E402
import wavlm_ref  # noqa: E402
import whisper_ref  # noqa: E402


def fixture_module(name):
    spec = importlib.util.spec_from_file_location(name.replace('-', '_'), os.path.join(FIXTURES, f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def count(*modules):
    return sum(p.numel() for m in modules for p in m.parameters())


def wav2vec2_family(arch, out_dir):
    from torchaudio.models import hubert_base, wav2vec2_base
    model = (wav2vec2_base if arch == 'wav2vec2' else hubert_base)().eval()
    torch.save(model.state_dict(), os.path.join(out_dir, f'{arch}.pth'))
    run = lambda x: reference.hidden_states(model, x.unsqueeze(0))  # noqa: E731
    return f'{arch}.pth', count(model), run, run


WAVLM_BASE_PLUS = dict(
    extractor_mode='group_norm', extractor_conv_layer_config=[(512, 10, 5)] + [(512, 3, 2)] * 4 + [(512, 2, 2)] * 2,
    extractor_conv_bias=False, encoder_embed_dim=768, encoder_pos_conv_kernel=128, encoder_pos_conv_groups=16,
    encoder_num_layers=12, encoder_num_heads=12, encoder_ff_interm_features=3072, encoder_layer_norm_first=False)
WAVLM_REL = dict(num_buckets=320, max_distance=800)


def wavlm(out_dir):
    fx = fixture_module('make-wavlm-fixtures')
    model = wavlm_ref.wavlm_model(**WAVLM_REL, **WAVLM_BASE_PLUS, **fx.COMMON).eval()
    ckpt = {'cfg': fx.unilm_cfg(WAVLM_BASE_PLUS, WAVLM_REL, normalize=False),
            'model': fx.to_unilm(model.state_dict(), WAVLM_BASE_PLUS['extractor_mode'])}
    torch.save(ckpt, os.path.join(out_dir, 'wavlm.pt'))
    run = lambda x: wavlm_ref.hidden_states(model, x.unsqueeze(0))[0]  # noqa: E731
    return 'wavlm.pt', count(model), run, run


WHISPER_BASE = dict(n_mels=80, n_audio_ctx=1500, n_audio_state=512, n_audio_head=8, n_audio_layer=6)
WHISPER_BASE_TEXT = dict(n_vocab=51865, n_text_ctx=448, n_text_state=512, n_text_head=8, n_text_layer=6)


def whisper(out_dir):
    model = whisper_ref.WhisperEncoderRef(WHISPER_BASE).eval()
    sd = {'encoder.' + k: v for k, v in model.state_dict().items()}
    torch.save({'dims': {**WHISPER_BASE, **WHISPER_BASE_TEXT}, 'model_state_dict': sd}, os.path.join(out_dir, 'whisper.pt'))
    run = lambda x: model.hidden_states(whisper_ref.log_mel(x, WHISPER_BASE['n_mels']).unsqueeze(0))  # noqa: E731
    return 'whisper.pt', count(model), run, run


def apc(out_dir):
    fx = fixture_module('make-s3prl-fixtures')
    config = copy.deepcopy(fx.APC_VARIANTS['apc'])
    config['model']['paras'].update(num_layers=3, hidden_size=512, dropout=0.1, residual=True)
    audio = config['data']['audio']
    model = s3prl_ref.APC(audio['feat_dim'], **config['model']['paras']).eval()
    torch.save({'config': config, 'model': model.state_dict()}, os.path.join(out_dir, 'apc.ckpt'))

    def run(x, dtype=torch.float32):
        return model.hidden_states(fx.apc_features(x.to(dtype), audio).float().unsqueeze(0))
    return 'apc.ckpt', count(model.rnn_layers), run, lambda x: run(x, torch.float64)


def tera(out_dir):
    fx = fixture_module('make-s3prl-fixtures')
    config = copy.deepcopy(fx.TERA_VARIANTS['tera'])
    config['transformer'] = fx.transformer_config(768, 3, 12, 3072, 'gelu', False)
    config['task'].update(sequence_length=1500, position_encoding_size=768)
    dims = config['audio']['n_mels']
    model = s3prl_ref.TeraTransformer(config['transformer'], dims).eval()
    head = s3prl_ref.TeraSpecHead(config['transformer'], dims).eval()
    torch.save({'Upstream_Config': config, 'Transformer': model.state_dict(), 'SpecHead': head.state_dict()},
               os.path.join(out_dir, 'tera.ckpt'))

    def run(x, dtype=torch.float32):
        feats = fx.tera_features(x.to(dtype), config['audio']).float()
        return [h.unsqueeze(0) for h in s3prl_ref.tera_hidden_states(model, feats, 1, config['task']['sequence_length'])]
    return 'tera.ckpt', count(model), run, lambda x: run(x, torch.float64)


BUILDERS = {
    'wav2vec2': lambda d: wav2vec2_family('wav2vec2', d), 'hubert': lambda d: wav2vec2_family('hubert', d),
    'wavlm': wavlm, 'whisper': whisper, 'apc': apc, 'tera': tera,
}


def main():
    arch, out_dir, seconds, threads, runs = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    if arch not in BUILDERS:
        sys.exit(f'unknown architecture {arch!r} (one of {", ".join(BUILDERS)})')
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = reference.clip(int(seconds * 16000))
    with open(os.path.join(out_dir, 'clip.bin'), 'wb') as f:
        f.write(x.numpy().astype('<f4').tobytes())
    with torch.no_grad():
        weights, parameters, timed, parity = BUILDERS[arch](out_dir)
        hs = parity(x)
        with open(os.path.join(out_dir, 'hidden.bin'), 'wb') as f:
            for h in hs:
                f.write(h[0].contiguous().numpy().astype('<f4').tobytes())
        timed(x)  # warm-up
        t0 = time.perf_counter()
        for _ in range(runs):
            timed(x)
        per_run = (time.perf_counter() - t0) / runs
    print(json.dumps({'torch': torch.__version__, 'weights': weights, 'parameters': parameters, 'frames': hs[0].shape[1],
                      'layerDims': [h.shape[2] for h in hs], 'secondsPerRun': per_run}))


if __name__ == '__main__':
    main()
