// Kernels that move elements without looking at them, compiled once per element width: E is
// uchar, uint or ulong. Strided copy (transpose, slice, concat, broadcast, pad), where, gather.

__kernel void copy_flat(__global const E* src, long so, long ss, __global E* dst, long d0,
    long ds, int n) {
  int i = get_global_id(0);
  if (i < n) dst[d0 + i * ds] = src[so + i * ss];
}

__kernel void copy_strided(__global const E* src, long so, long8 sst, __global E* dst, long d0,
    long8 dst8, int n, int8 shape, int rank) {
  int i = get_global_id(0);
  if (i >= n) return;
  long8 c = coords8(i, shape, rank);
  dst[d0 + dot8(c, dst8)] = src[so + dot8(c, sst)];
}

__kernel void where_flat(__global const uchar* cond, long co, long cs, __global const E* a,
    long ao, long as, __global const E* b, long bo, long bs, __global E* out, long oo, int n) {
  int i = get_global_id(0);
  if (i < n) out[oo + i] = cond[co + i * cs] ? a[ao + i * as] : b[bo + i * bs];
}

__kernel void where_strided(__global const uchar* cond, long co, long8 cst, __global const E* a,
    long ao, long8 ast, __global const E* b, long bo, long8 bst, __global E* out, long oo, int n,
    int8 shape, int rank) {
  int i = get_global_id(0);
  if (i >= n) return;
  long8 c = coords8(i, shape, rank);
  out[oo + i] = cond[co + dot8(c, cst)] ? a[ao + dot8(c, ast)] : b[bo + dot8(c, bst)];
}

// out[o, j, i] = x[o, indices[j], i]; the host has checked every index against axisSize.
__kernel void gather_i32(__global const E* x, __global const int* indices, __global E* out,
    int outer, int axisSize, int inner, int n) {
  int e = get_global_id(0);
  if (e >= outer * n * inner) return;
  int i = e % inner;
  int t = e / inner;
  int j = t % n;
  int o = t / n;
  out[e] = x[((long) o * axisSize + indices[j]) * inner + i];
}

__kernel void gather_i64(__global const E* x, __global const long* indices, __global E* out,
    int outer, int axisSize, int inner, int n) {
  int e = get_global_id(0);
  if (e >= outer * n * inner) return;
  int i = e % inner;
  int t = e / inner;
  int j = t % n;
  int o = t / n;
  out[e] = x[((long) o * axisSize + indices[j]) * inner + i];
}
