// Module entry point of the trustser libtorch addon.
#include "common.h"

#include <cstdlib>
#include <limits>
#include <string>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace tts {

// libtorch frees every intermediate tensor as soon as an op is done. With glibc's defaults, each
// large buffer is a fresh mmap and every page of it a page fault when first touched, then
// munmapped again: on this project's VMs that kernel work took up to 90 % of a forward pass
// (AASIST, batch 4: 10-17 s with the defaults, 1.4 s without per-buffer mmaps). Serving large
// blocks from the heap and never trimming it lets freed pages be reused instead. The cost is a
// process that keeps its peak heap. TRUSTSER_MALLOC=default keeps glibc's behaviour.
static void tuneAllocator() {
#ifdef __GLIBC__
  const char* mode = std::getenv("TRUSTSER_MALLOC");
  if (mode != nullptr && std::string(mode) == "default") return;
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
#endif
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  tuneAllocator();
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
