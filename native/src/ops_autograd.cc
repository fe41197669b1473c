// Autograd entry points, gradient utilities, seeding and threading.
#include "common.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/version.h>

#include <cmath>

namespace tts {
namespace {

// grad(outputs[], inputs[], gradOutputs[]|null, retainGraph, createGraph) → gradients (null where unused).
// Used for input gradients (adversarial attacks) without touching parameters' .grad.
TTS_OP(Grad, "grad", {
  auto outputs = argTensorList(info, 0);
  auto inputs = argTensorList(info, 1);
  std::vector<at::Tensor> gradOutputs;
  if (!isMissing(info, 2)) gradOutputs = argTensorList(info, 2);
  bool create = argBool(info, 4, false);
  c10::optional<bool> retain;
  if (!isMissing(info, 3)) retain = argBool(info, 3, false);
  auto g = torch::autograd::grad(outputs, inputs, gradOutputs, retain, create, /*allow_unused=*/true);
  return wrapList(env, g);
})
TTS_OP(SetGradEnabled, "setGradEnabled", {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(argBool(info, 0, true));
  return Napi::Boolean::New(env, prev);
})
TTS_OP(IsGradEnabled, "isGradEnabled", { return Napi::Boolean::New(env, c10::GradMode::is_enabled()); })
TTS_OP(ManualSeed, "manualSeed", {
  at::manual_seed(static_cast<uint64_t>(argInt(info, 0)));
  return env.Undefined();
})
TTS_OP(SetNumThreads, "setNumThreads", {
  int64_t n = argInt(info, 0);
  if (n < 1) throw std::runtime_error("thread count must be ≥ 1");
  at::set_num_threads(static_cast<int>(n));
  return env.Undefined();
})
TTS_OP(GetNumThreads, "getNumThreads", { return Napi::Number::New(env, at::get_num_threads()); })

// clipGradNorm(params[], maxNorm, normType) → total norm before clipping (as torch.nn.utils.clip_grad_norm_).
TTS_OP(ClipGradNorm, "clipGradNorm", {
  auto params = argTensorList(info, 0);
  double maxNorm = argDouble(info, 1);
  double p = argDouble(info, 2, 2.0);
  c10::NoGradGuard noGrad;
  std::vector<at::Tensor> norms;
  for (auto& t : params) {
    if (t.grad().defined()) norms.push_back(at::norm(t.grad(), p));
  }
  if (norms.empty()) return Napi::Number::New(env, 0.0);
  at::Tensor stacked = at::stack(norms);
  double total = std::isinf(p) ? stacked.max().item<double>() : at::norm(stacked, p).item<double>();
  double coef = maxNorm / (total + 1e-6);
  if (coef < 1.0) {
    for (auto& t : params) {
      if (t.grad().defined()) t.mutable_grad().mul_(coef);
    }
  }
  return Napi::Number::New(env, total);
})
TTS_OP(ClipGradValue, "clipGradValue", {
  auto params = argTensorList(info, 0);
  double v = argDouble(info, 1);
  c10::NoGradGuard noGrad;
  for (auto& t : params) {
    if (t.grad().defined()) t.mutable_grad().clamp_(-v, v);
  }
  return env.Undefined();
})
TTS_OP(Version, "version", {
  Napi::Object o = Napi::Object::New(env);
  o.Set("torch", TORCH_VERSION);
  o.Set("parallel", at::get_parallel_info());
  return o;
})

const OpEntry kOps[] = {
    {"grad", Grad}, {"setGradEnabled", SetGradEnabled}, {"isGradEnabled", IsGradEnabled}, {"manualSeed", ManualSeed},
    {"setNumThreads", SetNumThreads}, {"getNumThreads", GetNumThreads}, {"clipGradNorm", ClipGradNorm},
    {"clipGradValue", ClipGradValue}, {"version", Version},
};

}  // namespace

void initAutogradOps(Napi::Env env, Napi::Object exports) { registerOps(env, exports, kOps, sizeof(kOps) / sizeof(kOps[0])); }

}  // namespace tts
