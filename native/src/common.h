// Shared pieces of the trustser libtorch addon: the JS Tensor wrapper, argument conversion
// helpers, and the error wrapper that turns libtorch exceptions into JS errors naming the op
// and its input shapes (a c10::Error escaping into N-API would abort the process).
#pragma once

#include <napi.h>
#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <functional>
#include <string>
#include <vector>

namespace tts {

/** JS-visible handle owning one torch::Tensor. dispose() frees it deterministically. */
class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, at::Tensor t);
  static bool Is(const Napi::Value& v);
  static TensorWrap* Unwrap(const Napi::Value& v) { return Napi::ObjectWrap<TensorWrap>::Unwrap(v.As<Napi::Object>()); }

  explicit TensorWrap(const Napi::CallbackInfo& info);
  ~TensorWrap() override;

  /** The wrapped tensor; throws if it was disposed. */
  at::Tensor& tensor(Napi::Env env);
  void Reset(Napi::Env env);

 private:
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value DType(const Napi::CallbackInfo& info);
  Napi::Value Numel(const Napi::CallbackInfo& info);
  Napi::Value Dim(const Napi::CallbackInfo& info);
  Napi::Value ToArray(const Napi::CallbackInfo& info);
  Napi::Value Item(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value Disposed(const Napi::CallbackInfo& info);
  Napi::Value RequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value Grad(const Napi::CallbackInfo& info);
  Napi::Value SetGrad(const Napi::CallbackInfo& info);
  Napi::Value Backward(const Napi::CallbackInfo& info);
  Napi::Value IsLeaf(const Napi::CallbackInfo& info);
  Napi::Value RetainGrad(const Napi::CallbackInfo& info);
  Napi::Value NBytes(const Napi::CallbackInfo& info);

  at::Tensor t_;
  bool live_ = false;
  int64_t accounted_ = 0;  // bytes reported to V8 as external memory
};

// The Tensor class of an environment. Each Node environment (the main thread and every worker
// thread) loads the addon with its own class; it is kept as the env's instance data, since a
// process-wide reference would point into whichever env loaded the addon last.
Napi::FunctionReference& tensorCtor(Napi::Env env);

// ---- argument helpers (index i of the JS call) ----
std::string describeArgs(const Napi::CallbackInfo& info);
at::Tensor& argTensor(const Napi::CallbackInfo& info, size_t i);
c10::optional<at::Tensor> argOptTensor(const Napi::CallbackInfo& info, size_t i);
std::vector<at::Tensor> argTensorList(const Napi::CallbackInfo& info, size_t i);
bool isTensorArg(const Napi::CallbackInfo& info, size_t i);
bool isMissing(const Napi::CallbackInfo& info, size_t i);
double argDouble(const Napi::CallbackInfo& info, size_t i);
double argDouble(const Napi::CallbackInfo& info, size_t i, double dflt);
int64_t argInt(const Napi::CallbackInfo& info, size_t i);
int64_t argInt(const Napi::CallbackInfo& info, size_t i, int64_t dflt);
c10::optional<int64_t> argOptInt(const Napi::CallbackInfo& info, size_t i);
bool argBool(const Napi::CallbackInfo& info, size_t i, bool dflt);
std::string argString(const Napi::CallbackInfo& info, size_t i, const std::string& dflt);
std::vector<int64_t> argIntList(const Napi::CallbackInfo& info, size_t i);
at::Scalar argScalar(const Napi::CallbackInfo& info, size_t i);
at::ScalarType parseDType(Napi::Env env, const std::string& name);
std::string dtypeName(at::ScalarType t);

Napi::Array wrapList(Napi::Env env, const std::vector<at::Tensor>& ts);

/** Runs an op body, converting C++ exceptions into JS errors that name the op and its inputs. */
Napi::Value guarded(const char* op, const Napi::CallbackInfo& info, const std::function<Napi::Value()>& body);

using OpFn = Napi::Value (*)(const Napi::CallbackInfo&);
struct OpEntry {
  const char* name;
  OpFn fn;
};

// Each ops_*.cc file contributes a table of ops.
void registerOps(Napi::Env env, Napi::Object exports, const OpEntry* table, size_t n);
void initMathOps(Napi::Env env, Napi::Object exports);
void initShapeOps(Napi::Env env, Napi::Object exports);
void initNnOps(Napi::Env env, Napi::Object exports);
void initAutogradOps(Napi::Env env, Napi::Object exports);
void initOptim(Napi::Env env, Napi::Object exports);
void installCpuAllocator();

}  // namespace tts

// Defines `Napi::Value Name(const CallbackInfo& info)` whose body (the variadic part, so commas
// need no protection; it sees `info` and `env`) runs under guarded() and must return a Napi::Value.
#define TTS_OP(Name, opname, ...)                                           \
  static Napi::Value Name(const Napi::CallbackInfo& info) {                  \
    return ::tts::guarded(opname, info, [&]() -> Napi::Value {               \
      Napi::Env env = info.Env();                                            \
      (void)env;                                                             \
      __VA_ARGS__                                                            \
    });                                                                      \
  }

#define TTS_RET(expr) return ::tts::TensorWrap::Wrap(env, (expr));
