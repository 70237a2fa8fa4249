package dev.sonnet.samples.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.checkpoint.CheckpointException;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.SafeTensors;
import dev.sonnet.checkpoint.TorchStateDict;
import dev.sonnet.module.Layers;
import dev.sonnet.module.Sequential;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Linear;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TorchStateDict} files read by an independent reader outside the JVM: Python with NumPy
 * parses the safetensors bytes itself (8-byte header length, JSON header, little-endian data) and
 * runs each model the way PyTorch defines its layers ({@code y = x W^T + b}, cross-correlation with
 * OIHW filters on NCHW input), then compares with our output.
 *
 * <p>Where {@code /usr/bin/python3} or NumPy is missing the test is skipped, except under CI
 * ({@code SONNET_CI} or {@code SONNET_REQUIRE_OPENCL} set, as {@code .ci/run} does after installing
 * {@code python3-numpy}), where it fails.
 */
class TorchStateDictTest {
  @TempDir Path dir;

  /**
   * NumPy computes in float64 from our float32 weights; ours accumulates at most 27 float32
   * products of magnitude below 10, so the difference is a few float32 roundings of values below
   * about 30: well under 1e-4.
   */
  private static final String READER =
      """
      import json, struct, sys
      import numpy as np

      def load(path):
          with open(path, "rb") as f:
              data = f.read()
          n = struct.unpack("<Q", data[:8])[0]
          header = json.loads(data[8:8 + n])
          header.pop("__metadata__", None)
          body = data[8 + n:]
          out = {}
          for name, e in header.items():
              assert e["dtype"] == "F32", (name, e["dtype"])
              b, end = e["data_offsets"]
              out[name] = np.frombuffer(body[b:end], dtype="<f4").reshape(e["shape"]).astype(np.float64)
          return out

      def conv2d_nchw(x, w, b, pad):
          # PyTorch's Conv2d: cross-correlation, weight [out, in, kh, kw], stride 1.
          x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
          n, c, h, wd = x.shape
          o, _, kh, kw = w.shape
          y = np.zeros((n, o, h - kh + 1, wd - kw + 1))
          for i in range(y.shape[2]):
              for j in range(y.shape[3]):
                  patch = x[:, :, i:i + kh, j:j + kw]
                  y[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
          return y + b[None, :, None, None]

      state = load(sys.argv[1])
      io = load(sys.argv[2])
      kind = sys.argv[3]
      if kind == "mlp":
          assert sorted(state) == ["0.bias", "0.weight", "2.bias", "2.weight"], sorted(state)
          assert state["0.weight"].shape == (5, 6) and state["2.weight"].shape == (3, 5)
          h = np.maximum(io["x"] @ state["0.weight"].T + state["0.bias"], 0)
          y = h @ state["2.weight"].T + state["2.bias"]
      else:
          assert sorted(state) == ["0.bias", "0.weight"], sorted(state)
          assert state["0.weight"].shape == (4, 3, 3, 3), state["0.weight"].shape
          x = io["x"].transpose(0, 3, 1, 2)            # ours is NHWC, PyTorch's NCHW
          y = conv2d_nchw(x, state["0.weight"], state["0.bias"], 1).transpose(0, 2, 3, 1)
      diff = float(np.max(np.abs(y - io["y"])))
      print("max abs diff", diff)
      sys.exit(0 if diff < 1e-4 else 1)
      """;

  @Test
  void anMlp_asAPyTorchSequential() throws Exception {
    Sequential mlp = Sequential.of(new Linear(5), Layers.relu(), new Linear(3));
    check(mlp, uniform(new Rng(1), 4, 6), "mlp");
  }

  @Test
  void aConv2D_withOihwFilters() throws Exception {
    Sequential conv = Sequential.of(new Conv2D(4, 3));
    check(conv, uniform(new Rng(2), 2, 5, 5, 3), "conv");
  }

  @Test
  void aModuleWithoutAPyTorchLayout_isAnErrorNamingIt() {
    BatchNorm norm = BatchNorm.builder(true, true).build();
    norm.call(uniform(new Rng(3), 4, 3), true);

    assertThatThrownBy(() -> TorchStateDict.of(norm))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining("BatchNorm 'batch_norm' holds variables")
        .hasMessageContaining("supported: Linear");
  }

  private void check(Sequential model, Tensor x, String kind) throws Exception {
    model.call(x);
    // Random non-zero biases, so a bias written under the wrong name or layout shows.
    for (var v : model.trainableVariables()) {
      if (v.name().endsWith("/b")) {
        v.assign(uniform(new Rng(v.name().length()), v.shape().dims()));
      }
    }
    Tensor y = model.call(x);
    Path state = dir.resolve(kind + "_torch.safetensors");
    TorchStateDict.save(model, state);
    Path io = dir.resolve(kind + "_io.safetensors");
    Map<String, HostArray> tensors = new LinkedHashMap<>();
    tensors.put("x", HostArray.of(x));
    tensors.put("y", HostArray.of(y));
    SafeTensors.write(io, tensors, Map.of());

    Path script = dir.resolve("read_state_dict.py");
    Files.writeString(script, READER);
    Path python = Path.of("/usr/bin/python3");
    requireTool(Files.isExecutable(python), "/usr/bin/python3 is missing");
    requireTool(
        run(List.of(python.toString(), "-c", "import numpy")).exit == 0,
        "NumPy is missing (Debian: apt-get install python3-numpy)");
    Result r =
        run(List.of(python.toString(), script.toString(), state.toString(), io.toString(), kind));
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("max abs diff");
  }

  private static Tensor uniform(Rng rng, int... shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    float[] data = new float[n];
    for (int i = 0; i < n; i++) {
      data[i] = (float) (2 * rng.nextDouble() - 1);
    }
    return Tensor.of(data, shape);
  }

  private static void requireTool(boolean present, String why) {
    boolean ci =
        System.getenv("SONNET_CI") != null || System.getenv("SONNET_REQUIRE_OPENCL") != null;
    if (ci) {
      assertThat(present).as(why + "; CI installs python3-numpy (.ci/run)").isTrue();
    } else {
      Assumptions.assumeTrue(present, why);
    }
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
