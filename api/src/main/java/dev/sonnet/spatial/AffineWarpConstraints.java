package dev.sonnet.spatial;

import java.util.Arrays;

/**
 * Which entries of an affine warp are fixed, and to what (Sonnet 1's {@code
 * snt.AffineWarpConstraints}): an {@code N x (N + 1)} matrix whose entries are either free
 * (learned, read from the warper's input) or constants. For 2-D, the matrix is {@code [[a, b, tx],
 * [c, d, ty]]}: {@code x' = a x + b y + tx}, {@code y' = c x + d y + ty} in normalized coordinates.
 *
 * <p>The free entries are read from the warper's input in row-major order. Immutable.
 *
 * <pre>{@code
 * var shift = AffineWarpConstraints.noShear2d().combineWith(AffineWarpConstraints.scale2d(1.0, 1.0));
 * // only tx and ty are free: a translation
 * }</pre>
 */
public final class AffineWarpConstraints {
  /** Each entry: a fixed value, or null where free. */
  private final Double[][] entries;

  /**
   * Constraints from an {@code N x (N + 1)} matrix of fixed values, null where free.
   *
   * @throws IllegalArgumentException if the matrix is not {@code N x (N + 1)} with {@code N >= 1}
   */
  public AffineWarpConstraints(Double[][] constraints) {
    if (constraints == null || constraints.length == 0) {
      throw new IllegalArgumentException("AffineWarpConstraints: need an N x (N + 1) matrix");
    }
    int n = constraints.length;
    Double[][] copy = new Double[n][];
    for (int i = 0; i < n; i++) {
      if (constraints[i] == null || constraints[i].length != n + 1) {
        throw new IllegalArgumentException(
            "AffineWarpConstraints: the input must define an Nx(N+1) matrix of constraints; row "
                + i
                + " of "
                + n
                + " is "
                + Arrays.toString(constraints[i]));
      }
      copy[i] = constraints[i].clone();
    }
    this.entries = copy;
  }

  /** Every entry free: a general affine warp of {@code numDim} dimensions. */
  public static AffineWarpConstraints noConstraints(int numDim) {
    if (numDim < 1) {
      throw new IllegalArgumentException("AffineWarpConstraints: numDim must be >= 1");
    }
    return new AffineWarpConstraints(new Double[numDim][numDim + 1]);
  }

  /** {@code tx} and {@code ty} fixed (null leaves one free). */
  public static AffineWarpConstraints translation2d(Double x, Double y) {
    return new AffineWarpConstraints(new Double[][] {{null, null, x}, {null, null, y}});
  }

  /** The 3-D translation fixed (null leaves one free). */
  public static AffineWarpConstraints translation3d(Double x, Double y, Double z) {
    return new AffineWarpConstraints(
        new Double[][] {{null, null, null, x}, {null, null, null, y}, {null, null, null, z}});
  }

  /** The diagonal ({@code a}, {@code d}) fixed. */
  public static AffineWarpConstraints scale2d(Double x, Double y) {
    return new AffineWarpConstraints(new Double[][] {{x, null, null}, {null, y, null}});
  }

  /** The 3-D diagonal fixed. */
  public static AffineWarpConstraints scale3d(Double x, Double y, Double z) {
    return new AffineWarpConstraints(
        new Double[][] {{x, null, null, null}, {null, y, null, null}, {null, null, z, null}});
  }

  /** The off-diagonal ({@code b}, {@code c}) fixed. */
  public static AffineWarpConstraints shear2d(Double x, Double y) {
    return new AffineWarpConstraints(new Double[][] {{null, x, null}, {y, null, null}});
  }

  /** No shear: {@code b = c = 0}. */
  public static AffineWarpConstraints noShear2d() {
    return shear2d(0.0, 0.0);
  }

  /** No 3-D shear: every off-diagonal entry of the linear part 0. */
  public static AffineWarpConstraints noShear3d() {
    return new AffineWarpConstraints(
        new Double[][] {{null, 0.0, 0.0, null}, {0.0, null, 0.0, null}, {0.0, 0.0, null, null}});
  }

  /**
   * Both sets of constraints: an entry fixed in either is fixed.
   *
   * @throws IllegalArgumentException if the dimensions differ or an entry is fixed to two values
   */
  public AffineWarpConstraints combineWith(AffineWarpConstraints other) {
    if (other.numDim() != numDim()) {
      throw new IllegalArgumentException(
          "AffineWarpConstraints: cannot combine "
              + numDim()
              + "-D and "
              + other.numDim()
              + "-D constraints");
    }
    Double[][] out = new Double[numDim()][numDim() + 1];
    for (int i = 0; i < out.length; i++) {
      for (int j = 0; j < out[i].length; j++) {
        Double a = entries[i][j];
        Double b = other.entries[i][j];
        if (a != null && b != null && !a.equals(b)) {
          throw new IllegalArgumentException(
              "AffineWarpConstraints: incompatible set of constraints provided: entry ["
                  + i
                  + "]["
                  + j
                  + "] is fixed to "
                  + a
                  + " and to "
                  + b);
        }
        out[i][j] = a != null ? a : b;
      }
    }
    return new AffineWarpConstraints(out);
  }

  /** The number of dimensions {@code N}. */
  public int numDim() {
    return entries.length;
  }

  /** How many entries are free: the size of the warper's input per example. */
  public int numFreeParams() {
    int n = 0;
    for (Double[] row : entries) {
      for (Double d : row) {
        n += d == null ? 1 : 0;
      }
    }
    return n;
  }

  /** Entry {@code [row][col]}: its fixed value, or null where free. */
  public Double get(int row, int col) {
    return entries[row][col];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AffineWarpConstraints c && Arrays.deepEquals(entries, c.entries);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(entries);
  }

  /** Like {@code AffineWarpConstraints[[null, 0.0, null], [0.0, null, null]]}. */
  @Override
  public String toString() {
    return "AffineWarpConstraints" + Arrays.deepToString(entries);
  }
}
