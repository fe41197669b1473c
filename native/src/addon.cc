// Module entry point of the trustser libtorch addon.
#include "common.h"

namespace tts {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Tensor", TensorWrap::Init(env));
  initMathOps(env, exports);
  initShapeOps(env, exports);
  initNnOps(env, exports);
  initAutogradOps(env, exports);
  initOptim(env, exports);
  return exports;
}

}  // namespace tts

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return tts::Init(env, exports); }

NODE_API_MODULE(trustser_torch, InitModule)
