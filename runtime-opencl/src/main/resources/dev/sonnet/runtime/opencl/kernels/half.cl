// 16-bit floats: stored as raw bits, converted to and from float32 (the only kernels that read or
// write them; every other operation runs on float32). Rounding to 16 bits is to nearest, ties to
// even, as on the CPU runtime. IEEE half uses the core vload_half / vstore_half_rte functions,
// which need no cl_khr_fp16; bfloat16 is float32's upper 16 bits.

__kernel void bf16_to_f32(__global const ushort* x, __global float* out, int n) {
  int i = get_global_id(0);
  if (i < n) out[i] = as_float(((uint) x[i]) << 16);
}

__kernel void f32_to_bf16(__global const float* x, __global ushort* out, int n) {
  int i = get_global_id(0);
  if (i >= n) return;
  uint u = as_uint(x[i]);
  if ((u & 0x7fffffffu) > 0x7f800000u) {
    out[i] = (ushort) ((u >> 16) | 0x40u);  // NaN stays a (quiet) NaN with its sign
  } else {
    out[i] = (ushort) ((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
  }
}

__kernel void f16_to_f32(__global const half* x, __global float* out, int n) {
  int i = get_global_id(0);
  if (i < n) out[i] = vload_half(i, x);
}

__kernel void f32_to_f16(__global const float* x, __global half* out, int n) {
  int i = get_global_id(0);
  if (i < n) vstore_half_rte(x[i], i, out);
}
