package dev.sonnet.backend;

/**
 * A strided, batched matrix product {@code C[i] = op(A[i]) @ op(B[i]) (+ C[i] if accumulate)} for
 * {@code i < batch}, in the vocabulary of BLAS: {@code op(A)} is {@code m x k}, {@code op(B)} is
 * {@code k x n}, {@code C} is {@code m x n}; every matrix is row-major with its own leading
 * dimension (distance between rows) and batch stride (distance between batch items; 0 repeats one
 * matrix for every item, which is how broadcasting is expressed). Offsets and strides count
 * elements.
 *
 * <p>{@code transA} means A is stored {@code k x m} (so element (r, c) of op(A) is at {@code
 * aOffset + c * lda + r}); likewise {@code transB}.
 */
public record GemmSpec(
    int batch,
    int m,
    int n,
    int k,
    boolean transA,
    long aOffset,
    int lda,
    long aBatchStride,
    boolean transB,
    long bOffset,
    int ldb,
    long bBatchStride,
    long cOffset,
    int ldc,
    long cBatchStride,
    boolean accumulate) {

  /** A dense, untransposed, non-accumulating product of row-major operands. */
  public static GemmSpec dense(
      int batch, int m, int n, int k, long aBatchStride, long bBatchStride) {
    return new GemmSpec(
        batch,
        m,
        n,
        k,
        false,
        0,
        k,
        aBatchStride,
        false,
        0,
        n,
        bBatchStride,
        0,
        n,
        (long) m * n,
        false);
  }

  /** Floating-point operations performed: {@code 2 * batch * m * n * k}. */
  public double flops() {
    return 2.0 * batch * m * n * k;
  }
}
