package dev.sonnet.runtime.opencl;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sonnet.backend.BackendProvider;
import dev.sonnet.backend.Backends;
import java.util.Random;

/** The backend under test, skipping (with the provider's reason) where OpenCL is unavailable. */
final class OpenClFixtures {
  private OpenClFixtures() {}

  static OpenClBackend backend() {
    BackendProvider.Availability a = new OpenClBackendProvider().availability();
    assumeTrue(a.available(), () -> "OpenCL unavailable: " + a.reason());
    return (OpenClBackend) Backends.get(OpenClBackendProvider.NAME);
  }

  static float[] floats(long seed, int n) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }

  static double[] doubles(long seed, int n) {
    Random r = new Random(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextDouble() * 2 - 1;
    }
    return v;
  }
}
