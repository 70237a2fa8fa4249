// Reductions, compiled once per dtype (T). Floats accumulate in double where the device has it
// (so float32 sums round once, as on the CPU), integers in long (wrapping like Java).
// Kind codes: 0 SUM, 1 PROD, 2 MAX, 3 MIN (OpenClReductions.code).
//
// The host merges axes into a kept part (kshape/kstride: one output element per index) and a
// reduced part (rshape/rstride), each of at most eight axes.

#ifdef FLOATING
#if defined(IS_F64) || defined(HAS_FP64)
typedef double ACC;
#else
typedef float ACC;
#endif
#define ACC_INF ((ACC) INFINITY)

// Java's Math.max / Math.min: NaN wins, +0 > -0.
inline ACC jmax(ACC a, ACC b) {
  if (isnan(a) || isnan(b)) return a + b;
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}
inline ACC jmin(ACC a, ACC b) {
  if (isnan(a) || isnan(b)) return a + b;
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}

inline ACC identity(int kind) {
  switch (kind) {
    case 0: return 0;
    case 1: return 1;
    case 2: return -ACC_INF;
  }
  return ACC_INF;
}

inline ACC combine(int kind, ACC a, ACC v) {
  switch (kind) {
    case 0: return a + v;
    case 1: return a * v;
    case 2: return jmax(a, v);
  }
  return jmin(a, v);
}

inline T finish(ACC a) {
  return (T) a;
}
#else
typedef long ACC;

inline ACC identity(int kind) {
  switch (kind) {
    case 0: return 0;
    case 1: return 1;
    case 2: return LONG_MIN;
  }
  return LONG_MAX;
}

inline ACC combine(int kind, ACC a, ACC v) {
  switch (kind) {
    case 0: return (long) ((ulong) a + (ulong) v);
    case 1: return (long) ((ulong) a * (ulong) v);
    case 2: return max(a, v);
  }
  return min(a, v);
}

inline T finish(ACC a) {
#ifdef IS_BOOL
  return a != 0;
#elif defined(IS_I32)
  return (int) (uint) (ulong) a;
#else
  return a;
#endif
}
#endif

// One work-item per output element; the innermost reduced axis (rInner elements apart by
// rInnerStride) is the inner loop, the other reduced axes (rshape, rank rrank) the outer one.
__kernel void reduce_serial(__global const T* x, __global T* out, int nOut, int8 kshape,
    long8 kstride, int krank, int8 rshape, long8 rstride, int rrank, int rOuter, int rInner,
    long rInnerStride, int kind) {
  int o = get_global_id(0);
  if (o >= nOut) return;
  long base = dot8(coords8(o, kshape, krank), kstride);
  ACC acc = identity(kind);
  for (int ro = 0; ro < rOuter; ro++) {
    long off = base + (rrank == 0 ? 0 : dot8(coords8(ro, rshape, rrank), rstride));
    for (int ri = 0; ri < rInner; ri++) {
      acc = combine(kind, acc, (ACC) x[off + ri * rInnerStride]);
    }
  }
  out[o] = finish(acc);
}

// One work-group of LS work-items per output element: each item folds a strided share of the
// reduced elements, then the group combines its partial results in local memory.
__kernel __attribute__((reqd_work_group_size(LS, 1, 1)))
void reduce_group(__global const T* x, __global T* out, int8 kshape, long8 kstride, int krank,
    int8 rshape, long8 rstride, int rrank, int count, int kind) {
  __local ACC partial[LS];
  int o = get_group_id(0);
  int lid = get_local_id(0);
  long base = dot8(coords8(o, kshape, krank), kstride);
  ACC acc = identity(kind);
  if (rrank == 1) {
    long s = rstride.s7;
    for (int r = lid; r < count; r += LS) {
      acc = combine(kind, acc, (ACC) x[base + r * s]);
    }
  } else {
    for (int r = lid; r < count; r += LS) {
      acc = combine(kind, acc, (ACC) x[base + dot8(coords8(r, rshape, rrank), rstride)]);
    }
  }
  partial[lid] = acc;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int s = LS / 2; s > 0; s >>= 1) {
    if (lid < s) partial[lid] = combine(kind, partial[lid], partial[lid + s]);
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lid == 0) out[o] = finish(partial[0]);
}

// ARGMAX (isMax = 1) or ARGMIN of x viewed as [outer, axis, inner]: the first index of the
// extreme value; a NaN is the extreme and the first NaN wins, as in NumPy.
__kernel void arg_reduce(__global const T* x, __global long* out, int outer, int axis,
    int inner, int isMax) {
  int e = get_global_id(0);
  if (e >= outer * inner) return;
  int o = e / inner;
  int i = e - o * inner;
  long base = (long) o * axis * inner + i;
  T best = x[base];
  long at = 0;
  for (int j = 1; j < axis; j++) {
    T v = x[base + (long) j * inner];
#ifdef FLOATING
    bool better = !isnan(best) && (isnan(v) || (isMax ? v > best : v < best));
#else
    bool better = isMax ? v > best : v < best;
#endif
    if (better) {
      best = v;
      at = j;
    }
  }
  out[e] = at;
}
