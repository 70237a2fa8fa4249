package dev.sonnet.distribute;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Test data and the plain-loop reference of the ring's summation order. */
final class RingReference {
  private RingReference() {}

  /** Rank {@code rank}'s values: distinct, of mixed signs and magnitudes, reproducible. */
  static float[] data(int rank, int length) {
    float[] a = new float[length];
    for (int i = 0; i < length; i++) {
      a[i] = (float) (Math.sin(rank * 7919.0 + i * 0.37) * Math.pow(10, (i + rank) % 5 - 2));
    }
    return a;
  }

  static double[] doubles(int rank, int length) {
    double[] a = new double[length];
    for (int i = 0; i < length; i++) {
      a[i] = Math.cos(rank * 104729.0 + i * 0.11) * Math.pow(10, (i * 3 + rank) % 7 - 3);
    }
    return a;
  }

  /**
   * The ring's result, element by element: chunk {@code c} (elements {@code [L c / n, L (c + 1) /
   * n)}) starts as rank {@code c}'s value and each following rank around the ring adds its own
   * value to the running sum ({@code x_{c+k} + v}); MEAN divides the sum by {@code n}.
   */
  static float[] expected(int world, int length, boolean mean) {
    float[][] x = new float[world][];
    for (int r = 0; r < world; r++) {
      x[r] = data(r, length);
    }
    float[] out = new float[length];
    for (int c = 0; c < world; c++) {
      int lo = (int) ((long) length * c / world);
      int hi = (int) ((long) length * (c + 1) / world);
      for (int i = lo; i < hi; i++) {
        float v = x[c][i];
        for (int k = 1; k < world; k++) {
          v = x[(c + k) % world][i] + v;
        }
        out[i] = mean ? v / world : v;
      }
    }
    return out;
  }

  static double[] expectedDoubles(int world, int length) {
    double[][] x = new double[world][];
    for (int r = 0; r < world; r++) {
      x[r] = doubles(r, length);
    }
    double[] out = new double[length];
    for (int c = 0; c < world; c++) {
      int lo = (int) ((long) length * c / world);
      int hi = (int) ((long) length * (c + 1) / world);
      for (int i = lo; i < hi; i++) {
        double v = x[c][i];
        for (int k = 1; k < world; k++) {
          v = x[(c + k) % world][i] + v;
        }
        out[i] = v;
      }
    }
    return out;
  }

  static InetSocketAddress loopback() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  static List<InetSocketAddress> addresses(List<RingCollectives.Endpoint> endpoints) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (RingCollectives.Endpoint e : endpoints) {
      out.add(e.address());
    }
    return out;
  }
}
