package dev.sonnet.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RngTest {

  @Test
  void sameSeed_givesSameSequence() {
    Rng a = new Rng(7);
    Rng b = new Rng(7);
    for (int i = 0; i < 100; i++) {
      assertThat(a.nextLong()).isEqualTo(b.nextLong());
    }
  }

  @Test
  void restoredState_continuesTheSequence() {
    Rng a = new Rng(7);
    a.nextGaussian();
    Rng b = new Rng(0).restore(a.state());
    assertThat(b.nextDouble()).isEqualTo(a.nextDouble());
  }

  @Test
  void firstOutputOfSeedZero_isTheSplitMix64ReferenceValue() {
    // SplitMix64 with seed 0: first output 0xE220A8397B1DCDAF (published test vector).
    assertThat(new Rng(0).nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
  }

  @Test
  void gaussian_hasUnitMomentsWithinSamplingError() {
    Rng rng = new Rng(3);
    int n = 200_000;
    double sum = 0;
    double sumSq = 0;
    for (int i = 0; i < n; i++) {
      double z = rng.nextGaussian();
      sum += z;
      sumSq += z * z;
    }
    double mean = sum / n;
    double var = sumSq / n - mean * mean;
    // Standard errors: mean 1/sqrt(n) ~ 0.0022, variance sqrt(2/n) ~ 0.0032; allow 5 of them.
    assertThat(mean).isBetween(-0.011, 0.011);
    assertThat(var).isBetween(1 - 0.016, 1 + 0.016);
  }

  @Test
  void truncatedGaussian_staysWithinTwoSigma() {
    Rng rng = new Rng(11);
    for (int i = 0; i < 50_000; i++) {
      assertThat(Math.abs(rng.nextTruncatedGaussian())).isLessThanOrEqualTo(2.0);
    }
  }

  @Test
  void uniformInt_staysInBound() {
    Rng rng = new Rng(5);
    for (int i = 0; i < 10_000; i++) {
      assertThat(rng.nextInt(7)).isBetween(0, 6);
    }
  }
}
