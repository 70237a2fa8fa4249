// Shared by every program of the Sonnet OpenCL runtime (prefixed to each .cl file).
//
// Elementwise results must match the CPU runtime's Java arithmetic, so contraction of a*b+c into
// fma is off (kernels that want fma, such as gemm, call it explicitly).
#pragma OPENCL FP_CONTRACT OFF
#ifdef HAS_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

#if defined(IS_F32) || defined(IS_F64)
#define FLOATING 1
#endif

// Strided layouts of up to eight axes: shape as int8 (padded with 1 in front), strides as long8.
// coords8 splits the linear index i into coordinates over the last `rank` axes.
inline long8 coords8(uint i, int8 sh, int rank) {
  long8 c = (long8)(0);
  uint q;
  if (rank <= 1) { c.s7 = i; return c; }
  q = i / (uint) sh.s7; c.s7 = i - q * (uint) sh.s7; i = q;
  if (rank == 2) { c.s6 = i; return c; }
  q = i / (uint) sh.s6; c.s6 = i - q * (uint) sh.s6; i = q;
  if (rank == 3) { c.s5 = i; return c; }
  q = i / (uint) sh.s5; c.s5 = i - q * (uint) sh.s5; i = q;
  if (rank == 4) { c.s4 = i; return c; }
  q = i / (uint) sh.s4; c.s4 = i - q * (uint) sh.s4; i = q;
  if (rank == 5) { c.s3 = i; return c; }
  q = i / (uint) sh.s3; c.s3 = i - q * (uint) sh.s3; i = q;
  if (rank == 6) { c.s2 = i; return c; }
  q = i / (uint) sh.s2; c.s2 = i - q * (uint) sh.s2; i = q;
  if (rank == 7) { c.s1 = i; return c; }
  q = i / (uint) sh.s1; c.s1 = i - q * (uint) sh.s1; c.s0 = q;
  return c;
}

inline long dot8(long8 c, long8 s) {
  long8 p = c * s;
  return p.s0 + p.s1 + p.s2 + p.s3 + p.s4 + p.s5 + p.s6 + p.s7;
}
