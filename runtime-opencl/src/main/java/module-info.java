/** The OpenCL backend, through JOCL (an automatic module named {@code jocl}). */
module dev.sonnet.runtime.opencl {
  requires dev.sonnet.api;
  requires jocl;
  requires static com.google.auto.service;

  exports dev.sonnet.runtime.opencl;

  provides dev.sonnet.backend.BackendProvider with
      dev.sonnet.runtime.opencl.OpenClBackendProvider;
}
