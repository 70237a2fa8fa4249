package dev.sonnet.runtime.opencl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;

import dev.sonnet.runtime.opencl.OpenClSettings.DeviceType;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Choosing a device from the settings, on a made-up machine with a CPU platform listed before a GPU
 * one (no OpenCL calls are made), and the status-code names of {@link ClErrors}.
 */
class DeviceChoiceTest {
  private static final DeviceCatalog.Entry POCL =
      new DeviceCatalog.Entry(
          0, "Portable Computing Language", null, "pthread-skylake", CL_DEVICE_TYPE_CPU, null);
  private static final DeviceCatalog.Entry NVIDIA =
      new DeviceCatalog.Entry(
          1, "NVIDIA CUDA", null, "NVIDIA H100 80GB HBM3", CL_DEVICE_TYPE_GPU, null);
  private static final DeviceCatalog.Entry SECOND_GPU =
      new DeviceCatalog.Entry(1, "NVIDIA CUDA", null, "NVIDIA A10", CL_DEVICE_TYPE_GPU, null);
  private static final DeviceCatalog MACHINE = DeviceCatalog.of(List.of(POCL, NVIDIA, SECOND_GPU));
  private static final DeviceCatalog CPU_ONLY = DeviceCatalog.of(List.of(POCL));

  @Test
  void byDefault_theFirstGpuIsChosen_evenWhenACpuPlatformComesFirst() {
    assertThat(MACHINE.choose(settings(null, null, DeviceType.GPU)).entry()).isEqualTo(NVIDIA);
  }

  @Test
  void byDefault_aCpuOnlyMachineIsRefused_sayingHowToAskForTheCpu() {
    DeviceCatalog.Choice c = CPU_ONLY.choose(settings(null, null, DeviceType.GPU));
    assertThat(c.entry()).isNull();
    assertThat(c.refusal())
        .contains("no OpenCL device matches device type gpu")
        .contains("[0] Portable Computing Language / pthread-skylake (CPU)")
        .contains("-Dsonnet.opencl.deviceType=cpu")
        .contains("SONNET_OPENCL_DEVICE_TYPE=cpu");
  }

  @Test
  void typeAny_prefersAGpu_andFallsBackToTheCpu() {
    assertThat(MACHINE.choose(settings(null, null, DeviceType.ANY)).entry()).isEqualTo(NVIDIA);
    assertThat(CPU_ONLY.choose(settings(null, null, DeviceType.ANY)).entry()).isEqualTo(POCL);
  }

  @Test
  void device_isAnIndexAmongMatches_orANameSubstring() {
    assertThat(MACHINE.choose(settings(null, "1", DeviceType.GPU)).entry()).isEqualTo(SECOND_GPU);
    assertThat(MACHINE.choose(settings(null, "a10", DeviceType.ANY)).entry()).isEqualTo(SECOND_GPU);
    assertThat(MACHINE.choose(settings(null, "2", DeviceType.GPU)).refusal())
        .contains("device index 2")
        .contains("2 device(s) match");
    assertThat(MACHINE.choose(settings(null, "radeon", DeviceType.ANY)).refusal())
        .contains("no OpenCL device name contains 'radeon'")
        .contains("NVIDIA A10");
  }

  @Test
  void platform_isAnIndexOrANameSubstring() {
    assertThat(MACHINE.choose(settings("portable", null, DeviceType.ANY)).entry()).isEqualTo(POCL);
    assertThat(MACHINE.choose(settings("0", null, DeviceType.CPU)).entry()).isEqualTo(POCL);
    assertThat(MACHINE.choose(settings("0", null, DeviceType.GPU)).refusal())
        .contains("on platform '0'");
  }

  @Test
  void noPlatformAtAll_isRefusedNamingWhatToInstall() {
    assertThat(DeviceCatalog.of(List.of()).choose(settings(null, null, DeviceType.ANY)).refusal())
        .contains("no OpenCL platform")
        .contains("pocl-opencl-icd");
  }

  @Test
  void unknownDeviceType_isAnErrorListingTheValidOnes() {
    assertThatThrownBy(() -> OpenClSettings.parseType("fpga"))
        .isInstanceOf(OpenClException.class)
        .hasMessageContaining("'fpga'")
        .hasMessageContaining("gpu, cpu, accelerator or any");
  }

  @Test
  void statusCodes_areNamed_withTheFailedCall() {
    assertThat(ClErrors.describe("clEnqueueNDRangeKernel", -5))
        .isEqualTo("clEnqueueNDRangeKernel failed: CL_OUT_OF_RESOURCES (-5)");
    assertThat(ClErrors.name(-11)).isEqualTo("CL_BUILD_PROGRAM_FAILURE");
    assertThat(ClErrors.name(-54)).isEqualTo("CL_INVALID_WORK_GROUP_SIZE");
    assertThat(ClErrors.name(-1001)).isEqualTo("CL_PLATFORM_NOT_FOUND_KHR");
    assertThat(ClErrors.name(-9999)).isEqualTo("UNKNOWN_OPENCL_STATUS");
    assertThatThrownBy(() -> ClErrors.check(-4, "clCreateBuffer"))
        .isInstanceOf(OpenClException.class)
        .hasMessageContaining("clCreateBuffer failed: CL_MEM_OBJECT_ALLOCATION_FAILURE (-4)")
        .hasMessageContaining("release tensors");
  }

  private static OpenClSettings settings(String platform, String device, DeviceType type) {
    return new OpenClSettings(platform, device, type);
  }
}
