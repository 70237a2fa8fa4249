package dev.sonnet.runtime.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.BackendProvider;
import dev.sonnet.backend.Backends;
import org.junit.jupiter.api.Test;

/**
 * Whether OpenCL is there. Where it must be (CI sets {@value #REQUIRED_ENV}), its absence fails the
 * build, so that a machine without PoCL cannot pass by skipping the whole suite.
 */
class OpenClAvailabilityTest {
  /** Environment variable that makes a missing OpenCL device a failure instead of a skip. */
  static final String REQUIRED_ENV = "SONNET_REQUIRE_OPENCL";

  @Test
  void openCl_isAvailable_whereTheBuildRequiresIt() {
    String required = System.getenv(REQUIRED_ENV);
    assumeTrue(
        required != null && !required.isBlank() && !"false".equals(required),
        REQUIRED_ENV + " is not set: OpenCL is optional on this machine");
    BackendProvider.Availability a = new OpenClBackendProvider().availability();
    assertThat(a.available()).as("OpenCL availability: %s", a.reason()).isTrue();
  }

  @Test
  void forcedBackend_isTheOpenClOne_onTheChosenDevice() {
    Backend be = OpenClFixtures.backend();
    assertThat(be.name()).isEqualTo("opencl");
    assertThat(Backends.get("opencl")).isSameAs(be);
    assertThat(be.deviceName()).startsWith("OpenCL: ");
  }

  @Test
  void provider_withAnUnknownDeviceName_isUnavailable_listingTheDevices() {
    String old = System.getProperty(OpenClSettings.DEVICE_PROPERTY);
    System.setProperty(OpenClSettings.DEVICE_PROPERTY, "no-such-device-xyz");
    try {
      BackendProvider.Availability a = new OpenClBackendProvider().availability();
      assertThat(a.available()).isFalse();
      assertThat(a.reason())
          .satisfiesAnyOf(
              r -> assertThat(r).contains("no OpenCL device name contains 'no-such-device-xyz'"),
              r -> assertThat(r).contains("no OpenCL"));
    } finally {
      if (old == null) {
        System.clearProperty(OpenClSettings.DEVICE_PROPERTY);
      } else {
        System.setProperty(OpenClSettings.DEVICE_PROPERTY, old);
      }
    }
  }
}
