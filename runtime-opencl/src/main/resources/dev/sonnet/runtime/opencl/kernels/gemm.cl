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
    // Stage the tiles; consecutive work-items read consecutive addresses of either layout.
    for (int l = tid; l < TSK * TSM; l += RTSM * RTSN) {
      int kk = transA ? l / TSM : l % TSK;
      int mm = transA ? l % TSM : l / TSK;
      int gm = m0 + mm;
      int gk = k0 + kk;
      As[kk][mm] = (gm < M && gk < K) ? A_AT(gm, gk) : (T) 0;
    }
    for (int l = tid; l < TSK * TSN; l += RTSM * RTSN) {
      int kk = transB ? l % TSK : l / TSN;
      int nn = transB ? l / TSK : l % TSN;
      int gn = n0 + nn;
      int gk = k0 + kk;
      Bs[kk][nn] = (gn < N && gk < K) ? B_AT(gk, gn) : (T) 0;
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
