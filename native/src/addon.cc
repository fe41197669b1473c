// Module entry point of the trustser libtorch addon.
#include "common.h"

#include <cstdlib>
#include <string>

namespace tts {

// libtorch's CPU buffers come from a caching allocator (cpu_allocator.cc) unless
// TRUSTSER_ALLOCATOR=libtorch asks for libtorch's own (plain malloc), e.g. to compare.
static void setUpAllocator() {
  const char* mode = std::getenv("TRUSTSER_ALLOCATOR");
  if (mode != nullptr && std::string(mode) == "libtorch") return;
  installCpuAllocator();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  setUpAllocator();
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
