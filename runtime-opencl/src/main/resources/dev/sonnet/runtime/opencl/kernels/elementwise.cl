// Typed elementwise kernels: unary, binary (flat and strided), comparisons, casts, scatter-add.
// Compiled once per dtype: T is the storage type; IS_F32 / IS_F64 / IS_I32 / IS_I64 / IS_BOOL.
// Kind codes match OpenClElementwise.unaryCode / binaryCode.
//
// Float32 transcendental functions are evaluated in double where the device has it (HAS_FP64)
// and rounded once, as the CPU runtime does; NaN and signed-zero rules follow Java's Math.

#define U_NEG 0
#define U_ABS 1
#define U_EXP 2
#define U_LOG 3
#define U_LOG1P 4
#define U_SQRT 5
#define U_RSQRT 6
#define U_SQUARE 7
#define U_TANH 8
#define U_SIGMOID 9
#define U_RELU 10
#define U_GELU 11
#define U_SOFTPLUS 12
#define U_SIGN 13
#define U_SIN 14
#define U_COS 15
#define U_RECIPROCAL 16
#define U_NORMAL_CDF 17
#define U_LOGICAL_NOT 18

#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MAXIMUM 5
#define B_MINIMUM 6
#define B_EQUAL 7
#define B_NOT_EQUAL 8
#define B_LESS 9
#define B_LESS_EQUAL 10
#define B_GREATER 11
#define B_GREATER_EQUAL 12
#define B_LOGICAL_AND 13
#define B_LOGICAL_OR 14

#ifdef FLOATING
#if defined(IS_F64) || defined(HAS_FP64)
typedef double C;
#else
typedef float C;
#endif

// Java's Math.max / Math.min: NaN wins, +0 > -0.
inline T jmax(T a, T b) {
  if (isnan(a) || isnan(b)) return a + b;
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}
inline T jmin(T a, T b) {
  if (isnan(a) || isnan(b)) return a + b;
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}

// Java's Math.pow where it differs from C's: a NaN exponent gives NaN, and |x| == 1 with an
// infinite exponent gives NaN.
inline C jpow(C x, C y) {
  if (isnan(y)) return y;
  if (fabs(x) == (C) 1 && isinf(y)) return (C) NAN;
  return pow(x, y);
}

inline C normal_cdf(C x) {
  return (C) 0.5 * erfc(-x * (C) 0.70710678118654752440);
}

inline C sigmoid_c(C x) {
  if (x >= 0) return (C) 1 / ((C) 1 + exp(-x));
  C e = exp(x);
  return e / ((C) 1 + e);
}

inline T unary_op(int kind, T v) {
  C x = (C) v;
  switch (kind) {
    case U_NEG: return -v;
    case U_ABS: return fabs(v);
    case U_EXP: return (T) exp(x);
    case U_LOG: return (T) log(x);
    case U_LOG1P: return (T) log1p(x);
    case U_SQRT: return (T) sqrt(x);
    case U_RSQRT: return (T) ((C) 1 / sqrt(x));
    case U_SQUARE: return v * v;
    case U_TANH: return (T) tanh(x);
    case U_SIGMOID: return (T) sigmoid_c(x);
    case U_RELU: return v > 0 ? v : (isnan(v) ? v : (T) 0);
    case U_GELU: return (T) (x * normal_cdf(x));
    case U_SOFTPLUS: return (T) (fmax(x, (C) 0) + log1p(exp(-fabs(x))));
    case U_SIGN: return v > 0 ? (T) 1 : (v < 0 ? (T) -1 : v);
    case U_SIN: return (T) sin(x);
    case U_COS: return (T) cos(x);
    case U_RECIPROCAL: return (T) 1 / v;
    case U_NORMAL_CDF: return (T) normal_cdf(x);
  }
  return v;
}

inline T arith(int kind, T a, T b) {
  switch (kind) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return (T) jpow((C) a, (C) b);
    case B_MAXIMUM: return jmax(a, b);
    case B_MINIMUM: return jmin(a, b);
  }
  return a;
}
#endif

#if defined(IS_I32) || defined(IS_I64)
// Integer arithmetic wraps like Java's: done in the unsigned type, where overflow is defined.
inline T unary_op(int kind, T v) {
  switch (kind) {
    case U_NEG: return (T) (-(UT) v);
    case U_ABS: return v < 0 ? (T) (-(UT) v) : v;
    case U_SQUARE: return (T) ((UT) v * (UT) v);
    case U_SIGN: return (T) ((v > 0) - (v < 0));
  }
  return v;
}

inline T arith(int kind, T a, T b) {
  switch (kind) {
    case B_ADD: return (T) ((UT) a + (UT) b);
    case B_SUB: return (T) ((UT) a - (UT) b);
    case B_MUL: return (T) ((UT) a * (UT) b);
    // The host rejects zero divisors before launching; MIN / -1 wraps as in Java.
    case B_DIV: return b == 0 ? (T) 0 : (b == -1 ? (T) (-(UT) a) : a / b);
    case B_MAXIMUM: return max(a, b);
    case B_MINIMUM: return min(a, b);
  }
  return a;
}
#endif

#ifdef IS_BOOL
inline T unary_op(int kind, T v) {
  return (T) (v == 0);
}
#endif

// Comparisons (every dtype) and logical kinds (bool), giving 0 or 1.
inline uchar compare(int kind, T a, T b) {
  switch (kind) {
    case B_EQUAL: return a == b;
    case B_NOT_EQUAL: return a != b;
    case B_LESS: return a < b;
    case B_LESS_EQUAL: return a <= b;
    case B_GREATER: return a > b;
    case B_GREATER_EQUAL: return a >= b;
    case B_LOGICAL_AND: return (a != 0) && (b != 0);
    case B_LOGICAL_OR: return (a != 0) || (b != 0);
  }
  return 0;
}

__kernel void unary(__global const T* x, __global T* out, int n, int kind) {
  int i = get_global_id(0);
  if (i < n) out[i] = unary_op(kind, x[i]);
}

#ifndef IS_BOOL
__kernel void binary_flat(__global const T* a, long ao, long as, __global const T* b, long bo,
    long bs, __global T* out, long oo, int n, int kind) {
  int i = get_global_id(0);
  if (i < n) out[oo + i] = arith(kind, a[ao + i * as], b[bo + i * bs]);
}

__kernel void binary_strided(__global const T* a, long ao, long8 ast, __global const T* b,
    long bo, long8 bst, __global T* out, long oo, int n, int8 shape, int rank, int kind) {
  int i = get_global_id(0);
  if (i >= n) return;
  long8 c = coords8(i, shape, rank);
  out[oo + i] = arith(kind, a[ao + dot8(c, ast)], b[bo + dot8(c, bst)]);
}

// out[o, a, i] += updates[o, j, i] for every j with indices[j] == a, in index order. The host
// inverts the indices into rowStart (axisSize + 1 entries) and perm, so no two work-items write
// one element and the result is deterministic.
__kernel void scatter_add(__global const T* updates, __global T* out,
    __global const int* rowStart, __global const int* perm, int outer, int axisSize, int inner,
    int n) {
  int e = get_global_id(0);
  if (e >= outer * axisSize * inner) return;
  int i = e % inner;
  int t = e / inner;
  int a = t % axisSize;
  int o = t / axisSize;
  int begin = rowStart[a];
  int end = rowStart[a + 1];
  if (begin == end) return;
  T acc = out[e];
  for (int p = begin; p < end; p++) {
    int j = perm[p];
#ifdef FLOATING
    acc = acc + updates[((long) o * n + j) * inner + i];
#else
    acc = (T) ((UT) acc + (UT) updates[((long) o * n + j) * inner + i]);
#endif
  }
  out[e] = acc;
}
#endif

__kernel void compare_flat(__global const T* a, long ao, long as, __global const T* b, long bo,
    long bs, __global uchar* out, long oo, int n, int kind) {
  int i = get_global_id(0);
  if (i < n) out[oo + i] = compare(kind, a[ao + i * as], b[bo + i * bs]);
}

__kernel void compare_strided(__global const T* a, long ao, long8 ast, __global const T* b,
    long bo, long8 bst, __global uchar* out, long oo, int n, int8 shape, int rank, int kind) {
  int i = get_global_id(0);
  if (i >= n) return;
  long8 c = coords8(i, shape, rank);
  out[oo + i] = compare(kind, a[ao + dot8(c, ast)], b[bo + dot8(c, bst)]);
}

// Casts from T, as Java's casts: float to integer truncates, saturates and maps NaN to 0; integer
// narrowing keeps the low bits; every conversion to a float rounds to nearest; nonzero is true.
__kernel void cast_to_f32(__global const T* x, __global float* out, int n) {
  int i = get_global_id(0);
  if (i < n) out[i] = convert_float(x[i]);
}

#ifdef HAS_FP64
__kernel void cast_to_f64(__global const T* x, __global double* out, int n) {
  int i = get_global_id(0);
  if (i < n) out[i] = convert_double(x[i]);
}
#endif

__kernel void cast_to_i32(__global const T* x, __global int* out, int n) {
  int i = get_global_id(0);
  if (i >= n) return;
#ifdef FLOATING
  out[i] = convert_int_sat_rtz(x[i]);
#elif defined(IS_I64)
  out[i] = (int) (uint) (ulong) x[i];
#else
  out[i] = (int) x[i];
#endif
}

__kernel void cast_to_i64(__global const T* x, __global long* out, int n) {
  int i = get_global_id(0);
  if (i >= n) return;
#ifdef FLOATING
  out[i] = convert_long_sat_rtz(x[i]);
#else
  out[i] = (long) x[i];
#endif
}

__kernel void cast_to_bool(__global const T* x, __global uchar* out, int n) {
  int i = get_global_id(0);
  if (i < n) out[i] = x[i] != 0;
}
