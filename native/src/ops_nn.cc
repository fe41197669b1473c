// Neural-network ops: convolution, pooling, normalization, dropout, softmax, recurrent layers,
// attention, losses, and spectral transforms (STFT/FFT; complex results as real views [..., 2]).
#include "common.h"

#include <cmath>
#include <algorithm>
#include <limits>
#include <vector>

namespace tts {
namespace {

int64_t reduction(Napi::Env env, const std::string& r) {
  if (r == "mean") return at::Reduction::Mean;
  if (r == "sum") return at::Reduction::Sum;
  if (r == "none") return at::Reduction::None;
  throw Napi::TypeError::New(env, "unknown reduction '" + r + "' (mean, sum, none)");
}

// ---------- convolution (padding: int list, or 'same' / 'valid') ----------
#define TTS_CONV(Name, opname, fn)                                                                              \
  TTS_OP(Name, opname, {                                                                                        \
    const at::Tensor& x = argTensor(info, 0);                                                                   \
    const at::Tensor& w = argTensor(info, 1);                                                                   \
    auto b = argOptTensor(info, 2);                                                                             \
    auto stride = argIntList(info, 3);                                                                          \
    auto dilation = argIntList(info, 5);                                                                        \
    int64_t groups = argInt(info, 6, 1);                                                                        \
    if (info[4].IsString()) TTS_RET(fn(x, w, b, stride, info[4].As<Napi::String>().Utf8Value(), dilation, groups)); \
    TTS_RET(fn(x, w, b, stride, argIntList(info, 4), dilation, groups));                                        \
  })
TTS_CONV(Conv1d, "conv1d", at::conv1d)
TTS_CONV(Conv2d, "conv2d", at::conv2d)
// convTranspose{1,2}d(x, w, b?, stride, padding, outputPadding, groups, dilation)
TTS_OP(ConvTranspose1d, "convTranspose1d", {
  TTS_RET(at::conv_transpose1d(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2), argIntList(info, 3), argIntList(info, 4),
                               argIntList(info, 5), argInt(info, 6, 1), argIntList(info, 7)));
})
TTS_OP(ConvTranspose2d, "convTranspose2d", {
  TTS_RET(at::conv_transpose2d(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2), argIntList(info, 3), argIntList(info, 4),
                               argIntList(info, 5), argInt(info, 6, 1), argIntList(info, 7)));
})

// ---------- pooling ----------
// maxPool{1,2}d(x, kernel, stride, padding, dilation, ceilMode)
TTS_OP(MaxPool1d, "maxPool1d", {
  TTS_RET(at::max_pool1d(argTensor(info, 0), argIntList(info, 1), argIntList(info, 2), argIntList(info, 3), argIntList(info, 4), argBool(info, 5, false)));
})
TTS_OP(MaxPool2d, "maxPool2d", {
  TTS_RET(at::max_pool2d(argTensor(info, 0), argIntList(info, 1), argIntList(info, 2), argIntList(info, 3), argIntList(info, 4), argBool(info, 5, false)));
})
// avgPool{1,2}d(x, kernel, stride, padding, ceilMode, countIncludePad)
TTS_OP(AvgPool1d, "avgPool1d", {
  TTS_RET(at::avg_pool1d(argTensor(info, 0), argIntList(info, 1), argIntList(info, 2), argIntList(info, 3), argBool(info, 4, false), argBool(info, 5, true)));
})
TTS_OP(AvgPool2d, "avgPool2d", {
  TTS_RET(at::avg_pool2d(argTensor(info, 0), argIntList(info, 1), argIntList(info, 2), argIntList(info, 3), argBool(info, 4, false), argBool(info, 5, true)));
})
TTS_OP(AdaptiveAvgPool1d, "adaptiveAvgPool1d", { TTS_RET(at::adaptive_avg_pool1d(argTensor(info, 0), argIntList(info, 1))) })
TTS_OP(AdaptiveAvgPool2d, "adaptiveAvgPool2d", { TTS_RET(at::adaptive_avg_pool2d(argTensor(info, 0), argIntList(info, 1))) })
TTS_OP(AdaptiveMaxPool1d, "adaptiveMaxPool1d", { TTS_RET(std::get<0>(at::adaptive_max_pool1d(argTensor(info, 0), argIntList(info, 1)))) })
TTS_OP(AdaptiveMaxPool2d, "adaptiveMaxPool2d", { TTS_RET(std::get<0>(at::adaptive_max_pool2d(argTensor(info, 0), argIntList(info, 1)))) })

// ---------- normalization, dropout, softmax ----------
// batchNorm(x, weight?, bias?, runningMean?, runningVar?, training, momentum, eps): updates running stats in place.
TTS_OP(BatchNorm, "batchNorm", {
  TTS_RET(at::batch_norm(argTensor(info, 0), argOptTensor(info, 1), argOptTensor(info, 2), argOptTensor(info, 3), argOptTensor(info, 4),
                         argBool(info, 5, false), argDouble(info, 6, 0.1), argDouble(info, 7, 1e-5), false));
})
TTS_OP(LayerNorm, "layerNorm", {
  TTS_RET(at::layer_norm(argTensor(info, 0), argIntList(info, 1), argOptTensor(info, 2), argOptTensor(info, 3), argDouble(info, 4, 1e-5), false));
})
TTS_OP(GroupNorm, "groupNorm", {
  TTS_RET(at::group_norm(argTensor(info, 0), argInt(info, 1), argOptTensor(info, 2), argOptTensor(info, 3), argDouble(info, 4, 1e-5), false));
})
TTS_OP(Dropout, "dropout", { TTS_RET(at::dropout(argTensor(info, 0), argDouble(info, 1), argBool(info, 2, true))) })
TTS_OP(FeatureDropout, "featureDropout", { TTS_RET(at::feature_dropout(argTensor(info, 0), argDouble(info, 1), argBool(info, 2, true))) })
TTS_OP(Softmax, "softmax", { TTS_RET(at::softmax(argTensor(info, 0), argInt(info, 1, -1))) })
TTS_OP(LogSoftmax, "logSoftmax", { TTS_RET(at::log_softmax(argTensor(info, 0), argInt(info, 1, -1))) })

// ---------- recurrent layers ----------
// Params follow PyTorch's flat order: per layer, per direction: w_ih, w_hh, b_ih, b_hh.
std::vector<at::Tensor> zeroState(const at::Tensor& x, const std::vector<at::Tensor>& params, int64_t layers, bool bidir,
                                  bool batchFirst, int count) {
  int64_t hidden = params.at(1).size(1);
  int64_t batch = x.size(batchFirst ? 0 : 1);
  std::vector<at::Tensor> s;
  for (int k = 0; k < count; ++k) s.push_back(at::zeros({layers * (bidir ? 2 : 1), batch, hidden}, x.options()));
  return s;
}

// lstm(x, [h0, c0] | null, params, numLayers, bidirectional, batchFirst, dropout, training) → [out, hN, cN]
TTS_OP(Lstm, "lstm", {
  const at::Tensor& x = argTensor(info, 0);
  auto params = argTensorList(info, 2);
  int64_t layers = argInt(info, 3, 1);
  bool bidir = argBool(info, 4, false), batchFirst = argBool(info, 5, true);
  if (x.dim() != 3) throw std::runtime_error("expected a 3-D input [batch, time, features] (batchFirst) or [time, batch, features]");
  if (params.size() != static_cast<size_t>(layers * (bidir ? 2 : 1) * 4)) throw std::runtime_error("wrong number of LSTM parameters");
  auto hx = isMissing(info, 1) ? zeroState(x, params, layers, bidir, batchFirst, 2) : argTensorList(info, 1);
  auto r = at::lstm(x, hx, params, true, layers, argDouble(info, 6, 0.0), argBool(info, 7, false), bidir, batchFirst);
  return wrapList(env, {std::get<0>(r), std::get<1>(r), std::get<2>(r)});
})
// gru(x, h0 | null, params, numLayers, bidirectional, batchFirst, dropout, training) → [out, hN]
TTS_OP(Gru, "gru", {
  const at::Tensor& x = argTensor(info, 0);
  auto params = argTensorList(info, 2);
  int64_t layers = argInt(info, 3, 1);
  bool bidir = argBool(info, 4, false), batchFirst = argBool(info, 5, true);
  if (x.dim() != 3) throw std::runtime_error("expected a 3-D input [batch, time, features] (batchFirst) or [time, batch, features]");
  if (params.size() != static_cast<size_t>(layers * (bidir ? 2 : 1) * 4)) throw std::runtime_error("wrong number of GRU parameters");
  at::Tensor h0 = isMissing(info, 1) ? zeroState(x, params, layers, bidir, batchFirst, 1)[0] : argTensor(info, 1);
  auto r = at::gru(x, h0, params, true, layers, argDouble(info, 6, 0.0), argBool(info, 7, false), bidir, batchFirst);
  return wrapList(env, {std::get<0>(r), std::get<1>(r)});
})

// ---------- attention ----------
// sdpa(q, k, v, mask?, dropoutP, training, causal) → [out, weights]. q,k,v: [..., L, E].
// A bool mask marks positions that may be attended (true = keep); a float mask is added to the scores.
TTS_OP(Sdpa, "sdpa", {
  const at::Tensor& q = argTensor(info, 0);
  const at::Tensor& k = argTensor(info, 1);
  const at::Tensor& v = argTensor(info, 2);
  auto mask = argOptTensor(info, 3);
  double p = argDouble(info, 4, 0.0);
  bool training = argBool(info, 5, false), causal = argBool(info, 6, false);
  at::Tensor scores = at::matmul(q, k.transpose(-2, -1)) * (1.0 / std::sqrt(static_cast<double>(q.size(-1))));
  const double ninf = -std::numeric_limits<double>::infinity();
  if (causal) {
    at::Tensor keep = at::ones({q.size(-2), k.size(-2)}, q.options().dtype(at::kBool)).tril();
    scores = scores.masked_fill(keep.logical_not(), ninf);
  }
  if (mask.has_value()) {
    if (mask->scalar_type() == at::kBool) scores = scores.masked_fill(mask->logical_not(), ninf);
    else scores = scores + *mask;
  }
  at::Tensor w = at::softmax(scores, -1);
  if (p > 0.0) w = at::dropout(w, p, training);
  return wrapList(env, {at::matmul(w, v), w});
})

// ---------- losses ----------
// crossEntropy(logits, target (class indices or probabilities), weight?, reduction, ignoreIndex, labelSmoothing)
TTS_OP(CrossEntropy, "crossEntropy", {
  TTS_RET(at::cross_entropy_loss(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2), reduction(env, argString(info, 3, "mean")),
                                 argInt(info, 4, -100), argDouble(info, 5, 0.0)));
})
TTS_OP(NllLoss, "nllLoss", {
  TTS_RET(at::nll_loss(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2), reduction(env, argString(info, 3, "mean")), argInt(info, 4, -100)));
})
TTS_OP(MseLoss, "mseLoss", { TTS_RET(at::mse_loss(argTensor(info, 0), argTensor(info, 1), reduction(env, argString(info, 2, "mean")))) })
TTS_OP(L1Loss, "l1Loss", { TTS_RET(at::l1_loss(argTensor(info, 0), argTensor(info, 1), reduction(env, argString(info, 2, "mean")))) })
TTS_OP(Bce, "bce", {
  TTS_RET(at::binary_cross_entropy(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2), reduction(env, argString(info, 3, "mean"))));
})
// bceWithLogits(logits, target, weight?, posWeight?, reduction)
TTS_OP(BceWithLogits, "bceWithLogits", {
  TTS_RET(at::binary_cross_entropy_with_logits(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2), argOptTensor(info, 3),
                                               reduction(env, argString(info, 4, "mean"))));
})

// ---------- spectral ----------
// stft(x, nFft, hop, winLength, window?, center, padMode, normalized, onesided) → real view [..., freq, frames, 2]
TTS_OP(Stft, "stft", {
  at::Tensor s = at::stft(argTensor(info, 0), argInt(info, 1), argOptInt(info, 2), argOptInt(info, 3), argOptTensor(info, 4), argBool(info, 5, true),
                          argString(info, 6, "reflect"), argBool(info, 7, false), argBool(info, 8, true), true);
  TTS_RET(at::view_as_real(s));
})
// melPower(x [L], nFft, hop, winLength, window, center, padMode, bank [freq, nMels], power 1|2,
//          logMode 0|1|2, logParam, mult, offset, topDb, dct? [nMels, nOut]) → [frames, nMels or nOut]:
// the STFT; its power (or magnitude) in one pass; the filterbank applied sparsely (each filter over
// its own bins only: ~30x fewer multiply-adds than the dense product torchaudio computes); then in
// place: logMode 1 = ln(v + logParam); 2 = mult·log10(max(v, logParam)) − offset, floored at
// (max − topDb) unless topDb is NaN; and the optional DCT product.
TTS_OP(MelPower, "melPower", {
  at::Tensor s = at::stft(argTensor(info, 0), argInt(info, 1), argOptInt(info, 2), argOptInt(info, 3), argOptTensor(info, 4), argBool(info, 5, true),
                          argString(info, 6, "reflect"), false, true, true)
                     .contiguous();  // [freq, frames], complex
  if (s.dim() != 2) throw std::invalid_argument("melPower: the signal must be one-dimensional");
  const at::Tensor bank = argTensor(info, 7).to(at::kFloat).contiguous();
  const int64_t freq = s.size(0), frames = s.size(1), nMels = bank.size(1);
  if (bank.dim() != 2 || bank.size(0) != freq) throw std::invalid_argument("melPower: the filterbank must be [nFft/2 + 1, nMels]");
  const bool magnitude = argInt(info, 8, 2) == 1;
  // Power (or magnitude) spectrogram [freq, frames]: one sequential pass over the STFT, into this
  // thread's scratch (reused across calls: no allocation, no fresh pages to fault in; inputs too
  // long to keep a scratch for use a buffer of their own).
  constexpr int64_t kKeptScratch = int64_t{1} << 22;  // floats (16 MB): ~10 min of audio at 10 ms hops
  thread_local std::vector<float> scratch;
  std::vector<float> own;
  const int64_t n = freq * frames, need = n + nMels * frames;
  std::vector<float>& buf = need <= kKeptScratch ? scratch : own;
  if (static_cast<int64_t>(buf.size()) < need) buf.resize(static_cast<size_t>(need));
  float* p = buf.data();
  float* melT = p + n;  // [nMels, frames]
  const float* z = reinterpret_cast<const float*>(s.data_ptr<c10::complex<float>>());  // re, im interleaved
  for (int64_t i = 0; i < n; i++) p[i] = z[2 * i] * z[2 * i] + z[2 * i + 1] * z[2 * i + 1];
  if (magnitude)
    for (int64_t i = 0; i < n; i++) p[i] = std::sqrt(p[i]);
  // melT[j][t] = Σ_k bank[k][j] · p[k][t] over the bins where filter j is non-zero; rows contiguous in t.
  const float* w = bank.data_ptr<float>();
  std::fill(melT, melT + nMels * frames, 0.0f);
  for (int64_t j = 0; j < nMels; j++) {
    float* row = melT + j * frames;
    for (int64_t k = 0; k < freq; k++) {
      const float wk = w[k * nMels + j];
      if (wk == 0.0f) continue;
      const float* pk = p + k * frames;
      for (int64_t t = 0; t < frames; t++) row[t] += wk * pk[t];
    }
  }
  at::Tensor mel = at::empty({frames, nMels}, at::TensorOptions().dtype(at::kFloat));
  float* out = mel.data_ptr<float>();
  for (int64_t t = 0; t < frames; t++)
    for (int64_t j = 0; j < nMels; j++) out[t * nMels + j] = melT[j * frames + t];
  const int64_t logMode = argInt(info, 9, 0);
  const double logParam = argDouble(info, 10, 0), mult = argDouble(info, 11, 10), offset = argDouble(info, 12, 0), topDb = argDouble(info, 13, NAN);
  if (logMode == 1) {
    mel.add_(logParam).log_();
  } else if (logMode == 2) {
    mel.clamp_min_(logParam).log10_().mul_(mult).sub_(offset);
    if (!std::isnan(topDb)) mel.clamp_min_(mel.max().item<double>() - topDb);
  }
  c10::optional<at::Tensor> dct = argOptTensor(info, 14);
  TTS_RET(dct.has_value() ? at::matmul(mel, *dct) : mel);
})
c10::optional<c10::string_view> normArg(const Napi::CallbackInfo& info, size_t i, std::string& keep) {
  if (isMissing(info, i)) return c10::nullopt;
  keep = argString(info, i, "backward");
  return c10::string_view(keep);
}
// rfft(x, n?, dim, norm?) → real view [..., n/2+1, 2]; irfft(realView, n?, dim, norm?) (dim counts complex dims)
TTS_OP(Rfft, "rfft", {
  std::string norm;
  TTS_RET(at::view_as_real(at::fft_rfft(argTensor(info, 0), argOptInt(info, 1), argInt(info, 2, -1), normArg(info, 3, norm))));
})
TTS_OP(Irfft, "irfft", {
  std::string norm;
  TTS_RET(at::fft_irfft(at::view_as_complex(argTensor(info, 0).contiguous()), argOptInt(info, 1), argInt(info, 2, -1), normArg(info, 3, norm)));
})
TTS_OP(Fft, "fft", {
  std::string norm;
  TTS_RET(at::view_as_real(at::fft_fft(at::view_as_complex(argTensor(info, 0).contiguous()), argOptInt(info, 1), argInt(info, 2, -1), normArg(info, 3, norm))));
})
TTS_OP(Ifft, "ifft", {
  std::string norm;
  TTS_RET(at::view_as_real(at::fft_ifft(at::view_as_complex(argTensor(info, 0).contiguous()), argOptInt(info, 1), argInt(info, 2, -1), normArg(info, 3, norm))));
})
TTS_OP(HannWindow, "hannWindow", { TTS_RET(at::hann_window(argInt(info, 0), argBool(info, 1, true), at::TensorOptions().dtype(at::kFloat))) })

const OpEntry kOps[] = {
    {"conv1d", Conv1d}, {"conv2d", Conv2d}, {"convTranspose1d", ConvTranspose1d}, {"convTranspose2d", ConvTranspose2d},
    {"maxPool1d", MaxPool1d}, {"maxPool2d", MaxPool2d}, {"avgPool1d", AvgPool1d}, {"avgPool2d", AvgPool2d},
    {"adaptiveAvgPool1d", AdaptiveAvgPool1d}, {"adaptiveAvgPool2d", AdaptiveAvgPool2d},
    {"adaptiveMaxPool1d", AdaptiveMaxPool1d}, {"adaptiveMaxPool2d", AdaptiveMaxPool2d},
    {"batchNorm", BatchNorm}, {"layerNorm", LayerNorm}, {"groupNorm", GroupNorm}, {"dropout", Dropout},
    {"featureDropout", FeatureDropout}, {"softmax", Softmax}, {"logSoftmax", LogSoftmax},
    {"lstm", Lstm}, {"gru", Gru}, {"sdpa", Sdpa},
    {"crossEntropy", CrossEntropy}, {"nllLoss", NllLoss}, {"mseLoss", MseLoss}, {"l1Loss", L1Loss}, {"bce", Bce},
    {"bceWithLogits", BceWithLogits},
    {"stft", Stft}, {"melPower", MelPower}, {"rfft", Rfft}, {"irfft", Irfft}, {"fft", Fft}, {"ifft", Ifft}, {"hannWindow", HannWindow},
};

}  // namespace

void initNnOps(Napi::Env env, Napi::Object exports) { registerOps(env, exports, kOps, sizeof(kOps) / sizeof(kOps[0])); }

}  // namespace tts
