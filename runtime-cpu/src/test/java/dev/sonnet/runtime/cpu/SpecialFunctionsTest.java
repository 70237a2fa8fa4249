package dev.sonnet.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Checks erf, erfc and the normal CDF against 40-digit values (computed with mpmath). */
class SpecialFunctionsTest {
  /** The documented accuracy: a few ulps relative, on both sides of the method switch. */
  private static final double REL = 4e-15;

  @ParameterizedTest
  @CsvSource({
    "0.0, 0.0, 1.0",
    "1e-10, 1.1283791670955125739e-10, 0.99999999988716208329",
    "0.1, 0.1124629160182848922, 0.8875370839817151078",
    "0.5, 0.52049987781304653768, 0.47950012218695346232",
    "1, 0.84270079294971486934, 0.15729920705028513066",
    "1.5, 0.96610514647531072707, 0.033894853524689272933",
    "2, 0.99532226501895273416, 0.0046777349810472658379",
    "2.4, 0.99931148610335492143, 0.00068851389664507856974",
    "2.6, 0.9997639655834706508, 0.00023603441652934920399",
    "3, 0.99997790950300141456, 0.000022090496998585441373",
    "4, 0.99999998458274209972, 1.5417257900280018852e-8",
    "5, 0.99999999999846254021, 1.5374597944280348502e-12",
    "6, 0.99999999999999997848, 2.1519736712498913117e-17",
    "-0.7, -0.67780119383741847298, 1.677801193837418473",
    "-3.5, -0.99999925690162765859, 1.9999992569016276586"
  })
  void erfAndErfc_matchHighPrecisionValues(double x, double erf, double erfc) {
    assertThat(SpecialFunctions.erf(x)).isCloseTo(erf, within(Math.abs(erf) * REL));
    assertThat(SpecialFunctions.erfc(x)).isCloseTo(erfc, within(Math.abs(erfc) * REL));
  }

  @ParameterizedTest
  @CsvSource({
    "-30, 4.9067139271481870595e-198",
    "-10, 7.619853024160526066e-24",
    "-5, 2.8665157187919391167e-7",
    "-1, 0.15865525393145705141",
    "0, 0.5",
    "0.5, 0.69146246127401310364",
    "3, 0.99865010196836990547"
  })
  void normalCdf_keepsRelativeAccuracyInTheLeftTail(double x, double expected) {
    // Looser than erfc itself: x / sqrt(2) rounds once, which moves exp(-x^2/2) by ~x^2 ulps.
    assertThat(SpecialFunctions.normalCdf(x))
        .isCloseTo(expected, within(expected * (REL + x * x * 2.3e-16)));
  }

  @Test
  void erf_handlesInfinitiesAndNaN() {
    assertThat(SpecialFunctions.erf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
    assertThat(SpecialFunctions.erf(Double.NEGATIVE_INFINITY)).isEqualTo(-1.0);
    assertThat(SpecialFunctions.erfc(Double.POSITIVE_INFINITY)).isEqualTo(0.0);
    assertThat(SpecialFunctions.erfc(Double.NEGATIVE_INFINITY)).isEqualTo(2.0);
    assertThat(SpecialFunctions.erf(Double.NaN)).isNaN();
    assertThat(SpecialFunctions.gelu(Double.NaN)).isNaN();
  }

  @Test
  void erf_isOddAndMonotoneAcrossTheMethodSwitch() {
    double prev = -1;
    for (double x = -4; x <= 4; x += 1.0 / 64) {
      double v = SpecialFunctions.erf(x);
      assertThat(v).isGreaterThanOrEqualTo(prev);
      assertThat(SpecialFunctions.erf(-x)).isEqualTo(-v);
      prev = v;
    }
  }
}
