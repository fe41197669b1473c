// The Tensor handle and argument conversion helpers.
#include "common.h"

#include <cmath>
#include <cstring>
#include <sstream>

namespace tts {

Napi::FunctionReference& tensorCtor(Napi::Env env) { return *env.GetInstanceData<Napi::FunctionReference>(); }

Napi::Function TensorWrap::Init(Napi::Env env) {
  Napi::Function fn = DefineClass(
      env, "Tensor",
      {
          InstanceMethod("shape", &TensorWrap::Shape),
          InstanceMethod("dtype", &TensorWrap::DType),
          InstanceMethod("numel", &TensorWrap::Numel),
          InstanceMethod("dim", &TensorWrap::Dim),
          InstanceMethod("toArray", &TensorWrap::ToArray),
          InstanceMethod("item", &TensorWrap::Item),
          InstanceMethod("dispose", &TensorWrap::Dispose),
          InstanceMethod("disposed", &TensorWrap::Disposed),
          InstanceMethod("requiresGrad", &TensorWrap::RequiresGrad),
          InstanceMethod("setRequiresGrad", &TensorWrap::SetRequiresGrad),
          InstanceMethod("grad", &TensorWrap::Grad),
          InstanceMethod("setGrad", &TensorWrap::SetGrad),
          InstanceMethod("backward", &TensorWrap::Backward),
          InstanceMethod("isLeaf", &TensorWrap::IsLeaf),
          InstanceMethod("retainGrad", &TensorWrap::RetainGrad),
          InstanceMethod("nbytes", &TensorWrap::NBytes),
      });
  // Freed by node-addon-api's default finalizer when the env shuts down.
  env.SetInstanceData(new Napi::FunctionReference(Napi::Persistent(fn)));
  return fn;
}

TensorWrap::TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {}

TensorWrap::~TensorWrap() {
  // Finalizer path (the JS object was collected without dispose()): the safety net.
  if (accounted_ != 0) Napi::MemoryManagement::AdjustExternalMemory(Env(), -accounted_);
}

Napi::Object TensorWrap::Wrap(Napi::Env env, at::Tensor t) {
  Napi::Object obj = tensorCtor(env).New({});
  TensorWrap* w = Unwrap(obj);
  w->t_ = std::move(t);
  w->live_ = true;
  // Tell V8 about the native memory so forgotten tensors still create GC pressure.
  if (w->t_.defined()) {
    w->accounted_ = static_cast<int64_t>(w->t_.numel()) * static_cast<int64_t>(w->t_.element_size());
    if (w->accounted_ > 0) Napi::MemoryManagement::AdjustExternalMemory(env, w->accounted_);
  }
  return obj;
}

bool TensorWrap::Is(const Napi::Value& v) {
  return v.IsObject() && v.As<Napi::Object>().InstanceOf(tensorCtor(v.Env()).Value());
}

at::Tensor& TensorWrap::tensor(Napi::Env env) {
  if (!live_) throw Napi::Error::New(env, "tensor was already disposed");
  return t_;
}

void TensorWrap::Reset(Napi::Env env) {
  if (!live_) return;
  t_ = at::Tensor();
  live_ = false;
  if (accounted_ != 0) Napi::MemoryManagement::AdjustExternalMemory(env, -accounted_);
  accounted_ = 0;
}

Napi::Value TensorWrap::Shape(const Napi::CallbackInfo& info) {
  auto sizes = tensor(info.Env()).sizes();
  Napi::Array a = Napi::Array::New(info.Env(), sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) a.Set(i, Napi::Number::New(info.Env(), static_cast<double>(sizes[i])));
  return a;
}

Napi::Value TensorWrap::DType(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), dtypeName(tensor(info.Env()).scalar_type()));
}

Napi::Value TensorWrap::Numel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(tensor(info.Env()).numel()));
}

Napi::Value TensorWrap::Dim(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(tensor(info.Env()).dim()));
}

Napi::Value TensorWrap::NBytes(const Napi::CallbackInfo& info) {
  const at::Tensor& t = tensor(info.Env());
  return Napi::Number::New(info.Env(), static_cast<double>(t.numel() * t.element_size()));
}

template <typename TA>
static Napi::Value copyOut(Napi::Env env, const at::Tensor& c) {
  auto out = TA::New(env, static_cast<size_t>(c.numel()));
  if (c.numel() > 0) std::memcpy(out.Data(), c.data_ptr(), static_cast<size_t>(c.numel()) * c.element_size());
  return out;
}

Napi::Value TensorWrap::ToArray(const Napi::CallbackInfo& info) {
  return guarded("toArray", info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    at::Tensor c = tensor(env).detach().contiguous();
    switch (c.scalar_type()) {
      case at::kFloat: return copyOut<Napi::Float32Array>(env, c);
      case at::kDouble: return copyOut<Napi::Float64Array>(env, c);
      case at::kLong: return copyOut<Napi::BigInt64Array>(env, c);
      case at::kInt: return copyOut<Napi::Int32Array>(env, c);
      case at::kBool:
      case at::kByte: return copyOut<Napi::Uint8Array>(env, c);
      default: throw Napi::TypeError::New(env, "toArray: unsupported dtype " + dtypeName(c.scalar_type()));
    }
  });
}

Napi::Value TensorWrap::Item(const Napi::CallbackInfo& info) {
  return guarded("item", info, [&]() -> Napi::Value {
    Napi::Env env = info.Env();
    const at::Tensor& t = tensor(env);
    if (t.numel() != 1) throw Napi::Error::New(env, "item: tensor has " + std::to_string(t.numel()) + " elements, expected 1");
    if (t.scalar_type() == at::kBool) return Napi::Boolean::New(env, t.item<bool>());
    return Napi::Number::New(env, t.item<double>());
  });
}

Napi::Value TensorWrap::Dispose(const Napi::CallbackInfo& info) {
  Reset(info.Env());
  return info.Env().Undefined();
}

Napi::Value TensorWrap::Disposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !live_); }

Napi::Value TensorWrap::RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensor(info.Env()).requires_grad());
}

Napi::Value TensorWrap::SetRequiresGrad(const Napi::CallbackInfo& info) {
  return guarded("setRequiresGrad", info, [&]() -> Napi::Value {
    tensor(info.Env()).set_requires_grad(argBool(info, 0, true));
    return info.This();
  });
}

Napi::Value TensorWrap::Grad(const Napi::CallbackInfo& info) {
  const at::Tensor& g = tensor(info.Env()).grad();
  if (!g.defined()) return info.Env().Null();
  return Wrap(info.Env(), g);
}

Napi::Value TensorWrap::SetGrad(const Napi::CallbackInfo& info) {
  return guarded("setGrad", info, [&]() -> Napi::Value {
    at::Tensor& t = tensor(info.Env());
    if (isMissing(info, 0)) {
      t.mutable_grad().reset();
    } else {
      const at::Tensor& g = argTensor(info, 0);
      // As torch: a gradient must match its tensor's shape and dtype (optimizers rely on it).
      if (!g.sizes().equals(t.sizes()) || g.scalar_type() != t.scalar_type()) {
        throw std::runtime_error("assigned grad has a different shape or dtype than the tensor");
      }
      t.mutable_grad() = g;
    }
    return info.Env().Undefined();
  });
}

Napi::Value TensorWrap::Backward(const Napi::CallbackInfo& info) {
  return guarded("backward", info, [&]() -> Napi::Value {
    at::Tensor& t = tensor(info.Env());
    c10::optional<at::Tensor> g = argOptTensor(info, 0);
    bool retain = argBool(info, 1, false);
    bool create = argBool(info, 2, false);
    t.backward(g.has_value() ? *g : at::Tensor(), retain, create);
    return info.Env().Undefined();
  });
}

Napi::Value TensorWrap::IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), tensor(info.Env()).is_leaf());
}

Napi::Value TensorWrap::RetainGrad(const Napi::CallbackInfo& info) {
  return guarded("retainGrad", info, [&]() -> Napi::Value {
    tensor(info.Env()).retain_grad();
    return info.Env().Undefined();
  });
}

// ---------------- helpers ----------------

std::string dtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kBool: return "bool";
    case at::kByte: return "uint8";
    case at::kComplexFloat: return "complex64";
    case at::kComplexDouble: return "complex128";
    default: return c10::toString(t);
  }
}

at::ScalarType parseDType(Napi::Env env, const std::string& name) {
  if (name == "float32") return at::kFloat;
  if (name == "float64") return at::kDouble;
  if (name == "int64") return at::kLong;
  if (name == "int32") return at::kInt;
  if (name == "bool") return at::kBool;
  if (name == "uint8") return at::kByte;
  throw Napi::TypeError::New(env, "unknown dtype '" + name + "' (expected float32, float64, int64, int32, bool or uint8)");
}

static std::string describeValue(const Napi::Value& v) {
  if (TensorWrap::Is(v)) {
    TensorWrap* w = TensorWrap::Unwrap(v);
    try {
      const at::Tensor& t = w->tensor(v.Env());
      std::ostringstream s;
      s << dtypeName(t.scalar_type()) << t.sizes();
      return s.str();
    } catch (...) {
      return "<disposed tensor>";
    }
  }
  if (v.IsNumber()) return std::to_string(v.As<Napi::Number>().DoubleValue());
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? "true" : "false";
  if (v.IsString()) return "'" + v.As<Napi::String>().Utf8Value() + "'";
  if (v.IsArray()) {
    Napi::Array a = v.As<Napi::Array>();
    std::string s = "[";
    for (uint32_t i = 0; i < a.Length() && i < 8; ++i) s += (i ? ", " : "") + describeValue(a.Get(i));
    if (a.Length() > 8) s += ", ...";
    return s + "]";
  }
  if (v.IsNull()) return "null";
  if (v.IsUndefined()) return "undefined";
  return "<object>";
}

std::string describeArgs(const Napi::CallbackInfo& info) {
  std::string s;
  for (size_t i = 0; i < info.Length(); ++i) s += (i ? ", " : "") + describeValue(info[i]);
  return s;
}

Napi::Value guarded(const char* op, const Napi::CallbackInfo& info, const std::function<Napi::Value()>& body) {
  Napi::Env env = info.Env();
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    // libtorch messages may carry an internal stack; keep the first line that says what happened.
    auto nl = msg.find('\n');
    if (nl != std::string::npos) msg = msg.substr(0, nl);
    throw Napi::Error::New(env, std::string(op) + ": " + msg + " (inputs: " + describeArgs(info) + ")");
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string(op) + ": " + e.what() + " (inputs: " + describeArgs(info) + ")");
  }
}

bool isMissing(const Napi::CallbackInfo& info, size_t i) {
  return i >= info.Length() || info[i].IsUndefined() || info[i].IsNull();
}

bool isTensorArg(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() && TensorWrap::Is(info[i]); }

at::Tensor& argTensor(const Napi::CallbackInfo& info, size_t i) {
  if (!isTensorArg(info, i)) throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a Tensor");
  return TensorWrap::Unwrap(info[i])->tensor(info.Env());
}

c10::optional<at::Tensor> argOptTensor(const Napi::CallbackInfo& info, size_t i) {
  if (isMissing(info, i)) return c10::nullopt;
  return argTensor(info, i);
}

std::vector<at::Tensor> argTensorList(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsArray()) throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be an array of Tensors");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    if (!TensorWrap::Is(v)) throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + "[" + std::to_string(k) + "] must be a Tensor");
    out.push_back(TensorWrap::Unwrap(v)->tensor(info.Env()));
  }
  return out;
}

double argDouble(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

double argDouble(const Napi::CallbackInfo& info, size_t i, double dflt) { return isMissing(info, i) ? dflt : argDouble(info, i); }

int64_t argInt(const Napi::CallbackInfo& info, size_t i) {
  double d = argDouble(info, i);
  if (d != static_cast<double>(static_cast<int64_t>(d))) throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be an integer");
  return static_cast<int64_t>(d);
}

int64_t argInt(const Napi::CallbackInfo& info, size_t i, int64_t dflt) { return isMissing(info, i) ? dflt : argInt(info, i); }

c10::optional<int64_t> argOptInt(const Napi::CallbackInfo& info, size_t i) {
  if (isMissing(info, i)) return c10::nullopt;
  return argInt(info, i);
}

bool argBool(const Napi::CallbackInfo& info, size_t i, bool dflt) {
  if (isMissing(info, i)) return dflt;
  if (!info[i].IsBoolean()) throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::string argString(const Napi::CallbackInfo& info, size_t i, const std::string& dflt) {
  if (isMissing(info, i)) return dflt;
  if (!info[i].IsString()) throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

std::vector<int64_t> argIntList(const Napi::CallbackInfo& info, size_t i) {
  if (i < info.Length() && info[i].IsNumber()) return {argInt(info, i)};
  if (i >= info.Length() || !info[i].IsArray()) throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be an array of integers");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
    if (!std::isfinite(d) || d != std::trunc(d)) {
      throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + "[" + std::to_string(k) + "] must be an integer");
    }
    out[k] = static_cast<int64_t>(d);
  }
  return out;
}

at::Scalar argScalar(const Napi::CallbackInfo& info, size_t i) {
  if (i < info.Length() && info[i].IsBoolean()) return at::Scalar(info[i].As<Napi::Boolean>().Value());
  double d = argDouble(info, i);
  // JS has one number type: an integral value acts like a Python int (keeps integer tensors
  // integral, promotes with floats as usual), anything else like a Python float.
  if (std::isfinite(d) && d == static_cast<double>(static_cast<int64_t>(d)) && std::abs(d) < 9007199254740992.0) {
    return at::Scalar(static_cast<int64_t>(d));
  }
  return at::Scalar(d);
}

Napi::Array wrapList(Napi::Env env, const std::vector<at::Tensor>& ts) {
  Napi::Array a = Napi::Array::New(env, ts.size());
  for (size_t k = 0; k < ts.size(); ++k) {
    if (ts[k].defined()) a.Set(k, TensorWrap::Wrap(env, ts[k]));
    else a.Set(k, env.Null());
  }
  return a;
}

void registerOps(Napi::Env env, Napi::Object exports, const OpEntry* table, size_t n) {
  for (size_t k = 0; k < n; ++k) exports.Set(table[k].name, Napi::Function::New(env, table[k].fn, table[k].name));
}

}  // namespace tts
