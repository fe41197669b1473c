// Shape, view, indexing, joining and dtype conversion ops.
#include "common.h"

#include <torch/nn/functional/padding.h>

namespace tts {
namespace {

TTS_OP(Reshape, "reshape", { TTS_RET(at::reshape(argTensor(info, 0), argIntList(info, 1))) })
TTS_OP(View, "view", { TTS_RET(argTensor(info, 0).view(argIntList(info, 1))) })
TTS_OP(Permute, "permute", { TTS_RET(argTensor(info, 0).permute(argIntList(info, 1))) })
TTS_OP(Transpose, "transpose", { TTS_RET(at::transpose(argTensor(info, 0), argInt(info, 1), argInt(info, 2))) })
TTS_OP(Squeeze, "squeeze", {
  const at::Tensor& x = argTensor(info, 0);
  if (isMissing(info, 1)) TTS_RET(at::squeeze(x));
  TTS_RET(at::squeeze(x, argInt(info, 1)));
})
TTS_OP(Unsqueeze, "unsqueeze", { TTS_RET(at::unsqueeze(argTensor(info, 0), argInt(info, 1))) })
TTS_OP(Flatten, "flatten", { TTS_RET(at::flatten(argTensor(info, 0), argInt(info, 1, 0), argInt(info, 2, -1))) })
TTS_OP(Expand, "expand", { TTS_RET(argTensor(info, 0).expand(argIntList(info, 1))) })
TTS_OP(Repeat, "repeat", { TTS_RET(argTensor(info, 0).repeat(argIntList(info, 1))) })
TTS_OP(Narrow, "narrow", { TTS_RET(at::narrow(argTensor(info, 0), argInt(info, 1), argInt(info, 2), argInt(info, 3))) })
TTS_OP(Slice, "slice", {
  TTS_RET(at::slice(argTensor(info, 0), argInt(info, 1), argOptInt(info, 2), argOptInt(info, 3), argInt(info, 4, 1)));
})
TTS_OP(Select, "select", { TTS_RET(at::select(argTensor(info, 0), argInt(info, 1), argInt(info, 2))) })
TTS_OP(IndexSelect, "indexSelect", { TTS_RET(at::index_select(argTensor(info, 0), argInt(info, 1), argTensor(info, 2))) })
TTS_OP(Gather, "gather", { TTS_RET(at::gather(argTensor(info, 0), argInt(info, 1), argTensor(info, 2))) })
TTS_OP(Scatter, "scatter", { TTS_RET(at::scatter(argTensor(info, 0), argInt(info, 1), argTensor(info, 2), argTensor(info, 3))) })
TTS_OP(ScatterAdd, "scatterAdd", {
  TTS_RET(at::scatter_add(argTensor(info, 0), argInt(info, 1), argTensor(info, 2), argTensor(info, 3)));
})
TTS_OP(MaskedSelect, "maskedSelect", { TTS_RET(at::masked_select(argTensor(info, 0), argTensor(info, 1))) })
TTS_OP(Nonzero, "nonzero", { TTS_RET(at::nonzero(argTensor(info, 0))) })
// index(x, [Tensor|null, ...]): advanced indexing like x[i0, i1, ...]; null keeps a dimension whole.
TTS_OP(Index, "index", {
  const at::Tensor& x = argTensor(info, 0);
  if (isMissing(info, 1) || !info[1].IsArray()) throw Napi::TypeError::New(env, "argument 1 must be an array of Tensor|null");
  Napi::Array a = info[1].As<Napi::Array>();
  c10::List<c10::optional<at::Tensor>> idx;
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    if (v.IsNull() || v.IsUndefined()) idx.push_back(c10::nullopt);
    else if (TensorWrap::Is(v)) idx.push_back(TensorWrap::Unwrap(v)->tensor(env));
    else throw Napi::TypeError::New(env, "argument 1[" + std::to_string(k) + "] must be a Tensor or null");
  }
  TTS_RET(at::index(x, idx));
})
TTS_OP(Cat, "cat", { TTS_RET(at::cat(argTensorList(info, 0), argInt(info, 1, 0))) })
TTS_OP(Stack, "stack", { TTS_RET(at::stack(argTensorList(info, 0), argInt(info, 1, 0))) })
TTS_OP(Split, "split", { return wrapList(env, at::split(argTensor(info, 0), argInt(info, 1), argInt(info, 2, 0))); })
TTS_OP(Chunk, "chunk", { return wrapList(env, at::chunk(argTensor(info, 0), argInt(info, 1), argInt(info, 2, 0))); })
TTS_OP(Unbind, "unbind", { return wrapList(env, at::unbind(argTensor(info, 0), argInt(info, 1, 0))); })
TTS_OP(Flip, "flip", { TTS_RET(at::flip(argTensor(info, 0), argIntList(info, 1))) })
TTS_OP(Roll, "roll", { TTS_RET(at::roll(argTensor(info, 0), argIntList(info, 1), argIntList(info, 2))) })
TTS_OP(Tril, "tril", { TTS_RET(at::tril(argTensor(info, 0), argInt(info, 1, 0))) })
TTS_OP(Triu, "triu", { TTS_RET(at::triu(argTensor(info, 0), argInt(info, 1, 0))) })
// pad(x, pads (last dim first, as torch.nn.functional.pad), mode 'constant'|'reflect'|'replicate'|'circular', value)
TTS_OP(Pad, "pad", {
  namespace F = torch::nn::functional;
  std::string mode = argString(info, 2, "constant");
  F::PadFuncOptions o(argIntList(info, 1));
  if (mode == "constant") o.mode(torch::kConstant).value(argDouble(info, 3, 0.0));
  else if (mode == "reflect") o.mode(torch::kReflect);
  else if (mode == "replicate") o.mode(torch::kReplicate);
  else if (mode == "circular") o.mode(torch::kCircular);
  else throw Napi::TypeError::New(env, "pad: unknown mode '" + mode + "' (constant, reflect, replicate, circular)");
  TTS_RET(F::pad(argTensor(info, 0), o));
})
TTS_OP(OneHot, "oneHot", { TTS_RET(at::one_hot(argTensor(info, 0), argInt(info, 1, -1))) })
TTS_OP(To, "to", { TTS_RET(argTensor(info, 0).to(parseDType(env, argString(info, 1, "float32")))) })
TTS_OP(Contiguous, "contiguous", { TTS_RET(argTensor(info, 0).contiguous()) })
TTS_OP(Clone, "clone", { TTS_RET(argTensor(info, 0).clone()) })
TTS_OP(Detach, "detach", { TTS_RET(argTensor(info, 0).detach()) })
TTS_OP(Equal, "equal", { return Napi::Boolean::New(env, at::equal(argTensor(info, 0), argTensor(info, 1))); })
TTS_OP(Allclose, "allclose", {
  return Napi::Boolean::New(env, at::allclose(argTensor(info, 0), argTensor(info, 1), argDouble(info, 2, 1e-5), argDouble(info, 3, 1e-8)));
})

const OpEntry kOps[] = {
    {"reshape", Reshape}, {"view", View}, {"permute", Permute}, {"transpose", Transpose}, {"squeeze", Squeeze},
    {"unsqueeze", Unsqueeze}, {"flatten", Flatten}, {"expand", Expand}, {"repeat", Repeat}, {"narrow", Narrow},
    {"slice", Slice}, {"select", Select}, {"indexSelect", IndexSelect}, {"gather", Gather}, {"scatter", Scatter},
    {"scatterAdd", ScatterAdd}, {"maskedSelect", MaskedSelect}, {"nonzero", Nonzero}, {"index", Index},
    {"cat", Cat}, {"stack", Stack}, {"split", Split}, {"chunk", Chunk}, {"unbind", Unbind}, {"flip", Flip},
    {"roll", Roll}, {"tril", Tril}, {"triu", Triu}, {"pad", Pad}, {"oneHot", OneHot}, {"to", To},
    {"contiguous", Contiguous}, {"clone", Clone}, {"detach", Detach}, {"equal", Equal}, {"allclose", Allclose},
};

}  // namespace

void initShapeOps(Napi::Env env, Napi::Object exports) { registerOps(env, exports, kOps, sizeof(kOps) / sizeof(kOps[0])); }

}  // namespace tts
