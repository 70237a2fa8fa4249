package dev.sonnet.runtime.opencl;

import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;

import java.util.HashMap;
import java.util.Map;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * One {@code .cl} resource compiled for one device with one set of build options, and the kernel
 * objects made from it (created on first use and reused). A failed build throws with the compiler's
 * log in the message.
 */
final class KernelProgram {
  private final String label;
  private final cl_program program;
  private final Map<String, cl_kernel> kernels = new HashMap<>();

  private KernelProgram(String label, cl_program program) {
    this.label = label;
    this.program = program;
  }

  /** Compiles {@code source} (named {@code label} in errors) for {@code device}. */
  static KernelProgram build(OpenClDevice device, String label, String source, String options) {
    int[] err = new int[1];
    cl_program program =
        CL.clCreateProgramWithSource(
            device.context(), 1, new String[] {source}, new long[] {source.length()}, err);
    ClErrors.check(err[0], "clCreateProgramWithSource(" + label + ")");
    int status =
        CL.clBuildProgram(
            program, 1, new org.jocl.cl_device_id[] {device.id()}, options, null, null);
    if (status != 0) {
      String log = buildLog(device, program);
      CL.clReleaseProgram(program);
      throw new OpenClException(
          "Compiling OpenCL kernels "
              + label
              + " for "
              + device.describe()
              + " failed: "
              + ClErrors.describe("clBuildProgram", status)
              + "\nBuild options: "
              + options
              + "\nBuild log:\n"
              + log,
          status);
    }
    return new KernelProgram(label, program);
  }

  /** The kernel named {@code name}; callers serialise use of it (arguments are state). */
  cl_kernel kernel(String name) {
    synchronized (kernels) {
      cl_kernel k = kernels.get(name);
      if (k == null) {
        int[] err = new int[1];
        k = CL.clCreateKernel(program, name, err);
        ClErrors.check(err[0], "clCreateKernel(" + name + " in " + label + ")");
        kernels.put(name, k);
      }
      return k;
    }
  }

  String label() {
    return label;
  }

  private static String buildLog(OpenClDevice device, cl_program program) {
    long[] size = new long[1];
    if (CL.clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, 0, null, size) != 0) {
      return "(no build log available)";
    }
    byte[] bytes = new byte[(int) size[0]];
    CL.clGetProgramBuildInfo(
        program, device.id(), CL_PROGRAM_BUILD_LOG, bytes.length, Pointer.to(bytes), null);
    int n = 0;
    while (n < bytes.length && bytes[n] != 0) {
      n++;
    }
    return new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8).strip();
  }
}
