// Creation, element-wise arithmetic, comparisons, reductions and linear algebra.
#include "common.h"

#include <torch/csrc/autograd/custom_function.h>

#include <cstring>

namespace tts {
namespace {

at::TensorOptions optsFor(const Napi::CallbackInfo& info, size_t i) {
  return at::TensorOptions().dtype(parseDType(info.Env(), argString(info, i, "float32")));
}

// ---------- creation ----------

template <typename TA>
at::Tensor copyIn(const Napi::TypedArray& ta, const std::vector<int64_t>& shape, at::ScalarType dt) {
  auto arr = ta.As<TA>();
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dt));
  if (static_cast<int64_t>(arr.ElementLength()) != t.numel()) {
    throw std::runtime_error("data has " + std::to_string(arr.ElementLength()) + " elements but shape holds " + std::to_string(t.numel()));
  }
  if (t.numel() > 0) std::memcpy(t.data_ptr(), arr.Data(), arr.ByteLength());
  return t;
}

// fromArray(typedArray, shape, dtype?) — copies the data.
TTS_OP(FromArray, "fromArray", {
  if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(env, "fromArray: argument 0 must be a typed array");
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  std::vector<int64_t> shape = argIntList(info, 1);
  switch (ta.TypedArrayType()) {
    case napi_float32_array: TTS_RET(copyIn<Napi::Float32Array>(ta, shape, at::kFloat));
    case napi_float64_array: TTS_RET(copyIn<Napi::Float64Array>(ta, shape, at::kDouble));
    case napi_bigint64_array: TTS_RET(copyIn<Napi::BigInt64Array>(ta, shape, at::kLong));
    case napi_int32_array: TTS_RET(copyIn<Napi::Int32Array>(ta, shape, at::kInt));
    case napi_uint8_array: {
      bool asBool = argString(info, 2, "uint8") == "bool";
      TTS_RET(copyIn<Napi::Uint8Array>(ta, shape, asBool ? at::kBool : at::kByte));
    }
    default: throw Napi::TypeError::New(env, "fromArray: unsupported typed array (use Float32Array, Float64Array, BigInt64Array, Int32Array or Uint8Array)");
  }
})
TTS_OP(Zeros, "zeros", { TTS_RET(at::zeros(argIntList(info, 0), optsFor(info, 1))) })
TTS_OP(Ones, "ones", { TTS_RET(at::ones(argIntList(info, 0), optsFor(info, 1))) })
TTS_OP(Full, "full", { TTS_RET(at::full(argIntList(info, 0), argScalar(info, 1), optsFor(info, 2))) })
TTS_OP(ScalarTensor, "scalarTensor", { TTS_RET(at::scalar_tensor(argScalar(info, 0), optsFor(info, 1))) })
TTS_OP(Arange, "arange", { TTS_RET(at::arange(argScalar(info, 0), argScalar(info, 1), argScalar(info, 2), optsFor(info, 3))) })
TTS_OP(Linspace, "linspace", { TTS_RET(at::linspace(argScalar(info, 0), argScalar(info, 1), argInt(info, 2), optsFor(info, 3))) })
TTS_OP(Eye, "eye", { TTS_RET(at::eye(argInt(info, 0), optsFor(info, 1))) })
TTS_OP(Rand, "rand", { TTS_RET(at::rand(argIntList(info, 0), optsFor(info, 1))) })
TTS_OP(Randn, "randn", { TTS_RET(at::randn(argIntList(info, 0), optsFor(info, 1))) })
TTS_OP(Randint, "randint", { TTS_RET(at::randint(argInt(info, 0), argInt(info, 1), argIntList(info, 2), at::TensorOptions().dtype(at::kLong))) })
TTS_OP(Randperm, "randperm", { TTS_RET(at::randperm(argInt(info, 0), at::TensorOptions().dtype(at::kLong))) })
TTS_OP(Bernoulli, "bernoulli", { TTS_RET(at::bernoulli(argTensor(info, 0))) })
TTS_OP(ZerosLike, "zerosLike", { TTS_RET(at::zeros_like(argTensor(info, 0))) })
TTS_OP(OnesLike, "onesLike", { TTS_RET(at::ones_like(argTensor(info, 0))) })
TTS_OP(RandnLike, "randnLike", { TTS_RET(at::randn_like(argTensor(info, 0))) })

// ---------- unary ----------
#define TTS_UNARY(Name, opname, call) TTS_OP(Name, opname, { const at::Tensor& x = argTensor(info, 0); TTS_RET(call) })
TTS_UNARY(Neg, "neg", at::neg(x))
TTS_UNARY(Abs, "abs", at::abs(x))
TTS_UNARY(Exp, "exp", at::exp(x))
TTS_UNARY(Log, "log", at::log(x))
TTS_UNARY(Log1p, "log1p", at::log1p(x))
TTS_UNARY(Log10, "log10", at::log10(x))
TTS_UNARY(Sqrt, "sqrt", at::sqrt(x))
TTS_UNARY(Rsqrt, "rsqrt", at::rsqrt(x))
TTS_UNARY(Square, "square", at::square(x))
TTS_UNARY(Reciprocal, "reciprocal", at::reciprocal(x))
TTS_UNARY(Sin, "sin", at::sin(x))
TTS_UNARY(Cos, "cos", at::cos(x))
TTS_UNARY(Tanh, "tanh", at::tanh(x))
TTS_UNARY(Sigmoid, "sigmoid", at::sigmoid(x))
TTS_UNARY(Relu, "relu", at::relu(x))
TTS_UNARY(Selu, "selu", at::selu(x))
TTS_UNARY(Silu, "silu", at::silu(x))
TTS_UNARY(Softplus, "softplus", at::softplus(x))
TTS_UNARY(Erf, "erf", at::erf(x))
TTS_UNARY(Sign, "sign", at::sign(x))
TTS_UNARY(Floor, "floor", at::floor(x))
TTS_UNARY(Ceil, "ceil", at::ceil(x))
TTS_UNARY(Round, "round", at::round(x))
TTS_UNARY(LogicalNot, "logicalNot", at::logical_not(x))
TTS_UNARY(IsNan, "isnan", at::isnan(x))
TTS_UNARY(IsFinite, "isfinite", at::isfinite(x))
// GELU whose backward hands the kernel a contiguous gradient. libtorch 1.13's CPU kernel for the
// exact (erf) GELU backward reads a strided gradient wrongly (garbage values, at times ±1e30 or NaN),
// e.g. whenever a transpose follows the GELU, as in wav2vec 2.0's feature encoder; the tanh form
// and the forward are correct. test/engine/strided-grad.test.ts checks every element-wise op.
struct GeluContiguousGrad : public torch::autograd::Function<GeluContiguousGrad> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const std::string& approximate) {
    ctx->save_for_backward({x});
    ctx->saved_data["approximate"] = approximate;
    return at::gelu(x, approximate);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    const at::Tensor x = ctx->get_saved_variables()[0];
    const std::string approximate = ctx->saved_data["approximate"].toStringRef();
    return {at::gelu_backward(grads[0].contiguous(), x, approximate), at::Tensor()};
  }
};

TTS_OP(Gelu, "gelu", {
  const at::Tensor& x = argTensor(info, 0);
  const std::string approximate = argString(info, 1, "none");
  if (x.requires_grad() && at::GradMode::is_enabled()) TTS_RET(GeluContiguousGrad::apply(x, approximate));
  TTS_RET(at::gelu(x, approximate));
})
TTS_OP(LeakyRelu, "leakyRelu", { TTS_RET(at::leaky_relu(argTensor(info, 0), argDouble(info, 1, 0.01))) })
TTS_OP(Elu, "elu", { TTS_RET(at::elu(argTensor(info, 0), argDouble(info, 1, 1.0))) })

// ---------- binary (second operand: tensor or JS number, promoted like a Python scalar) ----------
#define TTS_BINARY(Name, opname, fn)                                              \
  TTS_OP(Name, opname, {                                                          \
    const at::Tensor& a = argTensor(info, 0);                                     \
    if (isTensorArg(info, 1)) TTS_RET(fn(a, argTensor(info, 1)));                 \
    TTS_RET(fn(a, argScalar(info, 1)));                                           \
  })
TTS_BINARY(Add, "add", at::add)
TTS_BINARY(Sub, "sub", at::sub)
TTS_BINARY(Mul, "mul", at::mul)
TTS_BINARY(Div, "div", at::div)
TTS_BINARY(Pow, "pow", at::pow)
TTS_BINARY(Remainder, "remainder", at::remainder)
TTS_BINARY(Eq, "eq", at::eq)
TTS_BINARY(Ne, "ne", at::ne)
TTS_BINARY(Lt, "lt", at::lt)
TTS_BINARY(Le, "le", at::le)
TTS_BINARY(Gt, "gt", at::gt)
TTS_BINARY(Ge, "ge", at::ge)
TTS_OP(Maximum, "maximum", {
  const at::Tensor& a = argTensor(info, 0);
  if (isTensorArg(info, 1)) TTS_RET(at::maximum(a, argTensor(info, 1)));
  TTS_RET(at::clamp_min(a, argScalar(info, 1)));
})
TTS_OP(Minimum, "minimum", {
  const at::Tensor& a = argTensor(info, 0);
  if (isTensorArg(info, 1)) TTS_RET(at::minimum(a, argTensor(info, 1)));
  TTS_RET(at::clamp_max(a, argScalar(info, 1)));
})
TTS_OP(LogicalAnd, "logicalAnd", { TTS_RET(at::logical_and(argTensor(info, 0), argTensor(info, 1))) })
TTS_OP(LogicalOr, "logicalOr", { TTS_RET(at::logical_or(argTensor(info, 0), argTensor(info, 1))) })
TTS_OP(Clamp, "clamp", {
  c10::optional<at::Scalar> lo, hi;
  if (!isMissing(info, 1)) lo = argScalar(info, 1);
  if (!isMissing(info, 2)) hi = argScalar(info, 2);
  TTS_RET(at::clamp(argTensor(info, 0), lo, hi));
})
TTS_OP(Where, "where", {
  const at::Tensor& c = argTensor(info, 0);
  bool ta = isTensorArg(info, 1), tb = isTensorArg(info, 2);
  if (ta && tb) TTS_RET(at::where(c, argTensor(info, 1), argTensor(info, 2)));
  if (ta) TTS_RET(at::where(c, argTensor(info, 1), argScalar(info, 2)));
  if (tb) TTS_RET(at::where(c, argScalar(info, 1), argTensor(info, 2)));
  TTS_RET(at::where(c, argScalar(info, 1), argScalar(info, 2)));
})
TTS_OP(MaskedFill, "maskedFill", {
  const at::Tensor& mask = argTensor(info, 1);
  if (mask.scalar_type() != at::kBool) throw std::runtime_error("mask must be a bool tensor, got " + dtypeName(mask.scalar_type()));
  TTS_RET(at::masked_fill(argTensor(info, 0), mask, argScalar(info, 2)));
})

// ---------- in-place (used by optimizers, running statistics and initializers) ----------
TTS_OP(AddInPlace, "add_", {
  at::Tensor& a = argTensor(info, 0);
  at::Scalar alpha = isMissing(info, 2) ? at::Scalar(int64_t{1}) : argScalar(info, 2);
  if (isTensorArg(info, 1)) a.add_(argTensor(info, 1), alpha);
  else a.add_(argScalar(info, 1), alpha);
  return info[0];
})
TTS_OP(MulInPlace, "mul_", {
  at::Tensor& a = argTensor(info, 0);
  if (isTensorArg(info, 1)) a.mul_(argTensor(info, 1));
  else a.mul_(argScalar(info, 1));
  return info[0];
})
TTS_OP(CopyInPlace, "copy_", {
  argTensor(info, 0).copy_(argTensor(info, 1));
  return info[0];
})
TTS_OP(FillInPlace, "fill_", {
  argTensor(info, 0).fill_(argScalar(info, 1));
  return info[0];
})
TTS_OP(ZeroInPlace, "zero_", {
  argTensor(info, 0).zero_();
  return info[0];
})
TTS_OP(UniformInPlace, "uniform_", {
  argTensor(info, 0).uniform_(argDouble(info, 1), argDouble(info, 2));
  return info[0];
})
TTS_OP(NormalInPlace, "normal_", {
  argTensor(info, 0).normal_(argDouble(info, 1, 0.0), argDouble(info, 2, 1.0));
  return info[0];
})

// ---------- reductions (dims: omitted/null = all) ----------
#define TTS_REDUCE(Name, opname, fn)                                              \
  TTS_OP(Name, opname, {                                                          \
    const at::Tensor& x = argTensor(info, 0);                                     \
    if (isMissing(info, 1)) TTS_RET(fn(x));                                       \
    TTS_RET(fn(x, argIntList(info, 1), argBool(info, 2, false)));                 \
  })
TTS_REDUCE(Sum, "sum", at::sum)
TTS_REDUCE(Mean, "mean", at::mean)
TTS_REDUCE(Amax, "amax", at::amax)
TTS_REDUCE(Amin, "amin", at::amin)
TTS_OP(Logsumexp, "logsumexp", { TTS_RET(at::logsumexp(argTensor(info, 0), argIntList(info, 1), argBool(info, 2, false))) })
TTS_OP(Var, "var", {
  const at::Tensor& x = argTensor(info, 0);
  bool unbiased = argBool(info, 2, true);
  if (isMissing(info, 1)) TTS_RET(at::var(x, unbiased));
  TTS_RET(at::var(x, at::IntArrayRef(argIntList(info, 1)), unbiased, argBool(info, 3, false)));
})
TTS_OP(Std, "std", {
  const at::Tensor& x = argTensor(info, 0);
  bool unbiased = argBool(info, 2, true);
  if (isMissing(info, 1)) TTS_RET(at::std(x, unbiased));
  TTS_RET(at::std(x, at::IntArrayRef(argIntList(info, 1)), unbiased, argBool(info, 3, false)));
})
TTS_OP(Argmax, "argmax", { TTS_RET(at::argmax(argTensor(info, 0), argOptInt(info, 1), argBool(info, 2, false))) })
TTS_OP(Argmin, "argmin", { TTS_RET(at::argmin(argTensor(info, 0), argOptInt(info, 1), argBool(info, 2, false))) })
TTS_OP(MaxDim, "maxDim", {
  auto r = at::max(argTensor(info, 0), argInt(info, 1), argBool(info, 2, false));
  return wrapList(env, {std::get<0>(r), std::get<1>(r)});
})
TTS_OP(MinDim, "minDim", {
  auto r = at::min(argTensor(info, 0), argInt(info, 1), argBool(info, 2, false));
  return wrapList(env, {std::get<0>(r), std::get<1>(r)});
})
TTS_OP(Norm, "norm", {
  const at::Tensor& x = argTensor(info, 0);
  at::Scalar p = isMissing(info, 1) ? at::Scalar(2.0) : argScalar(info, 1);
  if (isMissing(info, 2)) TTS_RET(at::norm(x, p));
  TTS_RET(at::norm(x, p, argIntList(info, 2), argBool(info, 3, false)));
})
TTS_OP(Cumsum, "cumsum", { TTS_RET(at::cumsum(argTensor(info, 0), argInt(info, 1))) })
TTS_OP(All, "all", { TTS_RET(at::all(argTensor(info, 0))) })
TTS_OP(Any, "any", { TTS_RET(at::any(argTensor(info, 0))) })
TTS_OP(Topk, "topk", {
  auto r = at::topk(argTensor(info, 0), argInt(info, 1), argInt(info, 2, -1), argBool(info, 3, true), argBool(info, 4, true));
  return wrapList(env, {std::get<0>(r), std::get<1>(r)});
})
TTS_OP(Sort, "sort", {
  auto r = at::sort(argTensor(info, 0), argInt(info, 1, -1), argBool(info, 2, false));
  return wrapList(env, {std::get<0>(r), std::get<1>(r)});
})

// ---------- linear algebra ----------
TTS_OP(Matmul, "matmul", { TTS_RET(at::matmul(argTensor(info, 0), argTensor(info, 1))) })
TTS_OP(Linear, "linear", { TTS_RET(at::linear(argTensor(info, 0), argTensor(info, 1), argOptTensor(info, 2))) })
TTS_OP(Einsum, "einsum", { TTS_RET(at::einsum(argString(info, 0, ""), argTensorList(info, 1))) })
TTS_OP(Outer, "outer", { TTS_RET(at::outer(argTensor(info, 0), argTensor(info, 1))) })

const OpEntry kOps[] = {
    {"fromArray", FromArray}, {"zeros", Zeros}, {"ones", Ones}, {"full", Full}, {"scalarTensor", ScalarTensor},
    {"arange", Arange}, {"linspace", Linspace}, {"eye", Eye}, {"rand", Rand}, {"randn", Randn}, {"randint", Randint},
    {"randperm", Randperm}, {"bernoulli", Bernoulli}, {"zerosLike", ZerosLike}, {"onesLike", OnesLike},
    {"randnLike", RandnLike},
    {"neg", Neg}, {"abs", Abs}, {"exp", Exp}, {"log", Log}, {"log1p", Log1p}, {"log10", Log10}, {"sqrt", Sqrt},
    {"rsqrt", Rsqrt}, {"square", Square}, {"reciprocal", Reciprocal}, {"sin", Sin}, {"cos", Cos}, {"tanh", Tanh},
    {"sigmoid", Sigmoid}, {"relu", Relu}, {"selu", Selu}, {"silu", Silu}, {"softplus", Softplus}, {"erf", Erf},
    {"sign", Sign}, {"floor", Floor}, {"ceil", Ceil}, {"round", Round}, {"logicalNot", LogicalNot}, {"isnan", IsNan},
    {"isfinite", IsFinite}, {"gelu", Gelu}, {"leakyRelu", LeakyRelu}, {"elu", Elu},
    {"add", Add}, {"sub", Sub}, {"mul", Mul}, {"div", Div}, {"pow", Pow}, {"remainder", Remainder}, {"eq", Eq},
    {"ne", Ne}, {"lt", Lt}, {"le", Le}, {"gt", Gt}, {"ge", Ge}, {"maximum", Maximum}, {"minimum", Minimum},
    {"logicalAnd", LogicalAnd}, {"logicalOr", LogicalOr}, {"clamp", Clamp}, {"where", Where}, {"maskedFill", MaskedFill},
    {"add_", AddInPlace}, {"mul_", MulInPlace}, {"copy_", CopyInPlace}, {"fill_", FillInPlace}, {"zero_", ZeroInPlace},
    {"uniform_", UniformInPlace}, {"normal_", NormalInPlace},
    {"sum", Sum}, {"mean", Mean}, {"amax", Amax}, {"amin", Amin}, {"logsumexp", Logsumexp}, {"var", Var}, {"std", Std},
    {"argmax", Argmax}, {"argmin", Argmin}, {"maxDim", MaxDim}, {"minDim", MinDim}, {"norm", Norm}, {"cumsum", Cumsum},
    {"all", All}, {"any", Any}, {"topk", Topk}, {"sort", Sort},
    {"matmul", Matmul}, {"linear", Linear}, {"einsum", Einsum}, {"outer", Outer},
};

}  // namespace

void initMathOps(Napi::Env env, Napi::Object exports) { registerOps(env, exports, kOps, sizeof(kOps) / sizeof(kOps[0])); }

}  // namespace tts
