/** The CPU backend: Java arrays as device memory, Vector API kernels. */
module dev.sonnet.runtime.cpu {
  requires dev.sonnet.api;
  requires jdk.incubator.vector;
  requires static java.management;
  requires static jdk.management;
  requires static com.google.auto.service;

  exports dev.sonnet.runtime.cpu;

  provides dev.sonnet.backend.BackendProvider with
      dev.sonnet.runtime.cpu.CpuBackendProvider;
}
