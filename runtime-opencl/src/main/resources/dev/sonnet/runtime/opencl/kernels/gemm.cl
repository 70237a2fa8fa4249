// Batched, strided matrix products C = op(A) op(B) (+ C), compiled per float dtype T and per
// tile configuration: TSM x TSN outputs per work-group, TSK-deep slices of A and B staged in local
// memory, and WPTM x WPTN outputs per work-item held in registers. See GemmSpec for the operands.

#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)

#if defined(IS_F64) || defined(HAS_FP64)
typedef double SACC;
#else
typedef float SACC;
#endif

// op(A)[m, k] and op(B)[k, n] of one batch item.
#define A_AT(m, k) (transA ? a[(long) (k) * lda + (m)] : a[(long) (m) * lda + (k)])
#define B_AT(k, n) (transB ? b[(long) (n) * ldb + (k)] : b[(long) (k) * ldb + (n)])

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define T4 CAT(T, 4)

// Four consecutive elements at p, as a vector load when all four lie inside the matrix (vload4
// needs only element alignment); zero beyond the `left` elements that do, or when !rowInside.
inline T4 load4(__global const T* p, bool rowInside, int left) {
  if (!rowInside || left <= 0) return (T4) (0);
  if (left >= 4) return vload4(0, p);
  T4 v = (T4) (0);
  v.s0 = p[0];
  if (left > 1) v.s1 = p[1];
  if (left > 2) v.s2 = p[2];
  return v;
}

// One work-item per output element, accumulating in double where the device has it: exact to
// one rounding like the CPU reference. For products too small to fill tiles.
__kernel void gemm_small(__global const T* A, __global const T* B, __global T* C, int batch,
    int M, int N, int K, int transA, long aOff, int lda, long aBs, int transB, long bOff, int ldb,
    long bBs, long cOff, int ldc, long cBs, int accumulate) {
  int e = get_global_id(0);
  if (e >= batch * M * N) return;
  int j = e % N;
  int t = e / N;
  int i = t % M;
  int item = t / M;
  __global const T* a = A + aOff + item * aBs;
  __global const T* b = B + bOff + item * bBs;
  SACC acc = 0;
  for (int p = 0; p < K; p++) {
    acc += (SACC) A_AT(i, p) * (SACC) B_AT(p, j);
  }
  long ci = cOff + item * cBs + (long) i * ldc + j;
  C[ci] = accumulate ? (T) ((SACC) C[ci] + acc) : (T) acc;
}

__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void gemm_tiled(__global const T* A, __global const T* B, __global T* C, int M, int N, int K,
    int transA, long aOff, int lda, long aBs, int transB, long bOff, int ldb, long bBs,
    long cOff, int ldc, long cBs, int accumulate) {
  __local T As[TSK][TSM];
  __local T Bs[TSK][TSN];
  const int tn = get_local_id(0);
  const int tm = get_local_id(1);
  const int tid = tm * RTSN + tn;
  const int n0 = get_group_id(0) * TSN;
  const int m0 = get_group_id(1) * TSM;
  const int item = get_global_id(2);
  __global const T* a = A + aOff + item * aBs;
  __global const T* b = B + bOff + item * bBs;

  T acc[WPTM][WPTN];
  for (int wm = 0; wm < WPTM; wm++) {
    for (int wn = 0; wn < WPTN; wn++) {
      acc[wm][wn] = 0;
    }
  }

  for (int k0 = 0; k0 < K; k0 += TSK) {
    // Stage the tiles four elements at a time along each operand's contiguous direction (k for
    // A and n for B when not transposed), so consecutive work-items read consecutive addresses.
    for (int v = tid; v < TSK * TSM / 4; v += RTSM * RTSN) {
      int run = transA ? TSM / 4 : TSK / 4;
      int c = (v % run) * 4;
      int o = v / run;
      int gc = transA ? m0 + c : k0 + c;
      int go = transA ? k0 + o : m0 + o;
      T4 val = load4(a + (long) go * lda + gc, go < (transA ? K : M), (transA ? M : K) - gc);
      if (transA) {
        As[o][c] = val.s0; As[o][c + 1] = val.s1; As[o][c + 2] = val.s2; As[o][c + 3] = val.s3;
      } else {
        As[c][o] = val.s0; As[c + 1][o] = val.s1; As[c + 2][o] = val.s2; As[c + 3][o] = val.s3;
      }
    }
    for (int v = tid; v < TSK * TSN / 4; v += RTSM * RTSN) {
      int run = transB ? TSK / 4 : TSN / 4;
      int c = (v % run) * 4;
      int o = v / run;
      int gc = transB ? k0 + c : n0 + c;
      int go = transB ? n0 + o : k0 + o;
      T4 val = load4(b + (long) go * ldb + gc, go < (transB ? N : K), (transB ? K : N) - gc);
      if (transB) {
        Bs[c][o] = val.s0; Bs[c + 1][o] = val.s1; Bs[c + 2][o] = val.s2; Bs[c + 3][o] = val.s3;
      } else {
        Bs[o][c] = val.s0; Bs[o][c + 1] = val.s1; Bs[o][c + 2] = val.s2; Bs[o][c + 3] = val.s3;
      }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = 0; k < TSK; k++) {
      T ra[WPTM];
      T rb[WPTN];
      for (int wm = 0; wm < WPTM; wm++) {
        ra[wm] = As[k][tm + wm * RTSM];
      }
      for (int wn = 0; wn < WPTN; wn++) {
        rb[wn] = Bs[k][tn + wn * RTSN];
      }
      for (int wm = 0; wm < WPTM; wm++) {
        for (int wn = 0; wn < WPTN; wn++) {
          acc[wm][wn] = fma(ra[wm], rb[wn], acc[wm][wn]);
        }
      }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }

  __global T* c = C + cOff + item * cBs;
  for (int wm = 0; wm < WPTM; wm++) {
    int gm = m0 + tm + wm * RTSM;
    if (gm >= M) continue;
    for (int wn = 0; wn < WPTN; wn++) {
      int gn = n0 + tn + wn * RTSN;
      if (gn < N) {
        long ci = (long) gm * ldc + gn;
        c[ci] = accumulate ? c[ci] + acc[wm][wn] : acc[wm][wn];
      }
    }
  }
}
