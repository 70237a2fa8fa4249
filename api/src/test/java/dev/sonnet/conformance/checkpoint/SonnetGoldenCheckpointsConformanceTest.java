package dev.sonnet.conformance.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.checkpoint.CheckpointMismatchException;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.RestoreStatus;
import dev.sonnet.checkpoint.SonnetCheckpoints;
import dev.sonnet.metrics.ExponentialMovingAverage;
import dev.sonnet.metrics.Mean;
import dev.sonnet.metrics.Sum;
import dev.sonnet.module.Module;
import dev.sonnet.nets.MLP;
import dev.sonnet.nets.VectorQuantizer;
import dev.sonnet.nets.VectorQuantizerEMA;
import dev.sonnet.nn.BatchNorm;
import dev.sonnet.nn.Bias;
import dev.sonnet.nn.Conv1D;
import dev.sonnet.nn.Conv1DTranspose;
import dev.sonnet.nn.Conv2D;
import dev.sonnet.nn.Conv2DTranspose;
import dev.sonnet.nn.Conv3D;
import dev.sonnet.nn.Conv3DTranspose;
import dev.sonnet.nn.DepthwiseConv2D;
import dev.sonnet.nn.Embed;
import dev.sonnet.nn.GroupNorm;
import dev.sonnet.nn.InstanceNorm;
import dev.sonnet.nn.LayerNorm;
import dev.sonnet.nn.Linear;
import dev.sonnet.nn.MovingAverage;
import dev.sonnet.recurrent.Conv1DLSTM;
import dev.sonnet.recurrent.Conv3DLSTM;
import dev.sonnet.recurrent.GRU;
import dev.sonnet.recurrent.LSTM;
import dev.sonnet.recurrent.RNNCore;
import dev.sonnet.recurrent.TensorState;
import dev.sonnet.recurrent.TrainableState;
import dev.sonnet.recurrent.UnrolledLSTM;
import dev.sonnet.recurrent.VanillaRNN;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sonnet 2's own golden checkpoints (test resources {@code sonnet-goldens/}, copied from Sonnet
 * with its Apache-2.0 notice) restore exactly into this library's modules: each golden's module is
 * built with the configuration of Sonnet's {@code goldens.py} and run on the golden's input spec,
 * and every variable must hold {@code range_like}'s values 0, 1, 2, ... in row-major order, which
 * is what Sonnet assigned before saving. Each golden is restored twice: into a fresh module before
 * its first call (restore-on-create) and into a built one (assigned at once), both strictly.
 *
 * <p>The goldens whose module this library does not have are {@link #PENDING}, each with the
 * reason; the test asserts that every golden folder is either restored or pending, so a new golden
 * cannot be skipped silently.
 */
class SonnetGoldenCheckpointsConformanceTest {
  static final String DIR = "sonnet-goldens/";
  static final String SOURCE_DIR = "api/src/test/resources/" + DIR;

  @TempDir Path dir;

  /**
   * A golden this library restores: the module Sonnet saved, configured as in {@code goldens.py},
   * and the call that builds it on the golden's input spec.
   */
  record Golden(
      String name,
      Supplier<Module> create,
      BiConsumer<Module, Shape> run,
      Shape input,
      AfterRun afterRun) {
    /** The same golden for a module whose run changes its variables (a metric's update). */
    Golden changedByRun(AfterRun expected) {
      return new Golden(name, create, run, input, expected);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * What a variable's element {@code i} holds after one run on ones from its range_like value, for
   * the goldens with side effects (Sonnet's {@code has_side_effects}): a restore before the first
   * call gives the restored values to the run, which then updates them.
   */
  @FunctionalInterface
  interface AfterRun {
    double value(String variable, int i);
  }

  /**
   * {@code snt.ExponentialMovingAverage(0.9)} restored with counter 0 and hidden {@code i}, updated
   * once with 1: counter 1, hidden {@code i - (i - 1) * 0.1}, average {@code hidden / (1 - 0.9)}.
   */
  static final AfterRun EMA_0_9 =
      (v, i) -> {
        double hidden = i - (i - 1) * (1 - 0.9);
        return switch (v.substring(v.lastIndexOf('/') + 1)) {
          case "counter" -> 1;
          case "hidden" -> hidden;
          case "average" -> hidden / (1 - 0.9);
          default -> throw new AssertionError(v);
        };
      };

  /** The goldens whose module does not exist here, with the reason. */
  static final Map<String, String> PENDING =
      Map.of(
          "base_batch_norm_1x2x2x3",
          "Sonnet's BaseBatchNorm takes the moving statistics as objects given to it (here"
              + " goldens.py's FooMetric, which has no variables), so its checkpoint holds only"
              + " scale and offset; this library's BatchNorm always owns its moving averages, so no"
              + " module here has exactly these two variables",
          "base_batch_norm_scale_offset_1x2x2x3",
          "as base_batch_norm_1x2x2x3: BaseBatchNorm with variable-free FooMetric statistics",
          "cross_replica_batch_norm_1x2x2x3",
          "snt.distribute.CrossReplicaBatchNorm is not in this library (it also takes"
              + " FooMetric statistics, so it saves only scale and offset)",
          "dropout",
          "this golden's Dropout holds its rate in a tf.Variable (_rate); this library's Dropout"
              + " takes the rate as a setting and has no variables");

  static Stream<Golden> goldens() {
    return Stream.of(
        layer("linear_1x1", () -> new Linear(1), 128, 1),
        layer("linear_nobias_1x1", () -> Linear.builder(1).withBias(false).build(), 1, 1),
        layer("conv1d_3x3_2x2", () -> new Conv1D(3, 3), 1, 2, 2),
        layer("conv2d_3x3_2x2", () -> new Conv2D(3, 3), 1, 2, 2, 2),
        layer("conv3d_3x3_2x2", () -> new Conv3D(3, 3), 1, 2, 2, 2, 2),
        layer("conv1d_transpose_3x3_2x2", () -> new Conv1DTranspose(3, 3), 1, 2, 2),
        layer("conv2d_transpose_3x3_2x2", () -> new Conv2DTranspose(3, 3), 1, 2, 2, 2),
        layer("conv3d_transpose_3x3_2x2", () -> new Conv3DTranspose(3, 3), 1, 2, 2, 2, 2),
        layer("depthwise_conv2d_3x3_2x2", () -> DepthwiseConv2D.builder(3).build(), 1, 2, 2, 2),
        layer("mlp_3x4x5_1x3", () -> new MLP(new int[] {3, 4, 5}), 1, 3),
        layer("mlp_nobias_3x4x5_1x3", () -> MLP.builder(3, 4, 5).withBias(false).build(), 1, 3),
        layer("layer_norm_1_1x3_2", () -> new LayerNorm(new int[] {1}, true, true), 1, 3, 2),
        layer("instance_norm_1_1x3_2", () -> new InstanceNorm(true, true), 1, 3, 2),
        layer("group_norm_2_1x3x4", () -> new GroupNorm(2), 1, 3, 4),
        golden(
            "batch_norm_1x2x2x3",
            () -> new BatchNorm(true, true),
            (m, s) -> ((BatchNorm) m).call(ones(s), false, true),
            1,
            2,
            2,
            3),
        golden(
            "batch_norm_scale_offset_1x2x2x3",
            () -> new BatchNorm(true, true),
            (m, s) -> ((BatchNorm) m).call(ones(s), false, true),
            1,
            2,
            2,
            3),
        golden(
                "ema_2",
                () -> new ExponentialMovingAverage(0.9),
                (m, s) -> ((ExponentialMovingAverage) m).update(ones(s)),
                2)
            .changedByRun(EMA_0_9),
        golden(
                "ema_2",
                () -> new MovingAverage(0.9),
                (m, s) -> ((MovingAverage) m).update(ones(s)),
                2)
            .changedByRun(EMA_0_9),
        golden("mean_2x2", Mean::new, (m, s) -> ((Mean) m).update(ones(s)), 2, 2)
            .changedByRun((v, i) -> v.endsWith("count") ? 1 : i + 1),
        golden("sum_2x2", Sum::new, (m, s) -> ((Sum) m).update(ones(s)), 2, 2)
            .changedByRun((v, i) -> i + 1),
        layer("bias_3x3x3", Bias::new, 1, 3, 3, 3),
        golden(
            "embed_100_100",
            () -> new Embed(100, 100),
            (m, s) -> ((Embed) m).call(Tensor.zeros(DType.INT32, s)),
            10),
        golden(
            "vqvae",
            () -> new VectorQuantizer(4, 6, 0.25),
            (m, s) -> ((VectorQuantizer) m).call(ones(s), true),
            2,
            3,
            4),
        golden(
            "vqvae_ema_eval",
            () -> new VectorQuantizerEMA(3, 4, 0.5, 0.9),
            (m, s) -> ((VectorQuantizerEMA) m).call(ones(s), false),
            2,
            3),
        core("lstm_1", () -> new LSTM(1), 1, 128),
        core("gru_1", () -> new GRU(1), 1, 128),
        core("vanilla_rnn_8", () -> new VanillaRNN(8), 1, 128),
        core("conv1d_lstm_3x3_2x2", () -> new Conv1DLSTM(new int[] {2, 2}, 3, 3), 1, 2, 2),
        core(
            "conv3d_lstm_3x3_2x2",
            () -> new Conv3DLSTM(new int[] {2, 2, 2, 2}, 3, 3),
            1,
            2,
            2,
            2,
            2),
        golden(
            "unrolled_lstm_1",
            () -> new UnrolledLSTM(1),
            (m, s) -> {
              UnrolledLSTM u = (UnrolledLSTM) m;
              u.call(ones(s), u.initialState(s.dim(1), DType.FLOAT32));
            },
            1,
            1,
            128),
        golden(
            "trainable_state",
            () -> TrainableState.of(new TensorState(Tensor.zeros(DType.FLOAT32, 1))),
            (m, s) -> ((TrainableState) m).call(1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void goldenRestoresExactly_beforeTheFirstCall(Golden g) throws IOException {
    Module m = g.create().get();
    RestoreStatus status = SonnetCheckpoints.restore(m, copy(g.name()));
    g.run().accept(m, g.input());
    status.assertConsumed();
    if (g.afterRun() == null) {
      assertRangeLike(m, g.name());
    } else {
      assertAfterRun(m, g);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldens")
  void goldenRestoresExactly_intoABuiltModule(Golden g) throws IOException {
    Module m = g.create().get();
    g.run().accept(m, g.input());
    RestoreStatus status = SonnetCheckpoints.restore(m, copy(g.name()));
    status.assertConsumed();
    assertThat(status.restored()).hasSize(m.variables().size());
    assertRangeLike(m, g.name());
  }

  @Test
  void aModuleOfAnotherShape_isRefusedWholly_andKeepsItsValues() throws IOException {
    Linear wide = new Linear(2);
    wide.call(ones(Shape.of(3, 1)));
    float[] before = wide.variables().get(1).peek().toFloatArray();
    Path prefix = copy("linear_1x1");
    assertThatThrownBy(() -> SonnetCheckpoints.restore(wide, prefix))
        .isInstanceOf(CheckpointMismatchException.class)
        .hasMessageContaining("checkpoint-1")
        .hasMessageContaining("linear/w")
        .hasMessageContaining("f32[1, 1]")
        .hasMessageContaining("f32[1, 2]");
    assertThat(wide.variables().get(1).peek().toFloatArray()).containsExactly(before);
  }

  @Test
  void namingMapsSonnetPathsToThisLibrarysVariables() {
    MLP mlp = new MLP(new int[] {3, 4});
    var naming = SonnetCheckpoints.naming(mlp, "module");
    assertThat(naming.apply("module/_layers/1/w")).isEqualTo("mlp/linear_1/w");
    assertThat(naming.apply("optimizer/step")).isNull();
    assertThat(SonnetCheckpoints.variablePath(VanillaRNN.class, "_hidden_to_hidden/w"))
        .isEqualTo("w_h");
    assertThat(SonnetCheckpoints.variablePath(BatchNorm.class, "moving_mean/_counter"))
        .isEqualTo("moving_mean/counter");
    assertThat(SonnetCheckpoints.variablePath(Mean.class, "sum")).isEqualTo("sum/sum");
  }

  @Test
  void restoringAnObjectTheCheckpointDoesNotHave_reportsEveryVariableMissing() throws IOException {
    Linear linear = new Linear(1);
    linear.call(ones(Shape.of(2, 1)));
    Path prefix = copy("linear_1x1");
    assertThatThrownBy(
            () ->
                SonnetCheckpoints.restore(
                    linear, prefix, "model", dev.sonnet.checkpoint.RestoreOptions.strict()))
        .isInstanceOf(CheckpointMismatchException.class)
        .hasMessageContaining("linear/w")
        .hasMessageContaining("linear/b");
  }

  @Test
  void everyGolden_isRestoredOrPendingWithAReason() throws IOException {
    TreeSet<String> folders = new TreeSet<>();
    try (Stream<Path> s = Files.list(sourceDir())) {
      s.filter(Files::isDirectory).forEach(p -> folders.add(p.getFileName().toString()));
    }
    TreeSet<String> covered = new TreeSet<>(PENDING.keySet());
    goldens().forEach(g -> covered.add(g.name()));
    assertThat(covered).isEqualTo(folders);
    assertThat(folders).hasSize(34);
    assertThat(PENDING.keySet())
        .containsExactlyInAnyOrder(
            "base_batch_norm_1x2x2x3",
            "base_batch_norm_scale_offset_1x2x2x3",
            "cross_replica_batch_norm_1x2x2x3",
            "dropout");
    goldens().forEach(g -> assertThat(PENDING).doesNotContainKey(g.name()));
    PENDING.values().forEach(reason -> assertThat(reason).hasSizeGreaterThan(40));
  }

  /** Every variable of {@code m} holds 0, 1, 2, ... in row-major order, in its dtype. */
  static void assertRangeLike(Module m, String golden) {
    assertThat(m.variables()).as(golden).isNotEmpty();
    for (Variable v : m.variables()) {
      HostArray a = HostArray.of(v.peek());
      int n = a.size();
      switch (a.dtype()) {
        case FLOAT32 -> {
          float[] f = a.floats();
          for (int i = 0; i < n; i++) {
            assertThat(f[i]).as("%s %s[%d]", golden, v.name(), i).isEqualTo((float) i);
          }
        }
        case INT64 -> {
          long[] l = a.longs();
          for (int i = 0; i < n; i++) {
            assertThat(l[i]).as("%s %s[%d]", golden, v.name(), i).isEqualTo(i);
          }
        }
        default -> throw new AssertionError(golden + ": unexpected dtype of " + v);
      }
    }
  }

  /**
   * Every variable holds what one run on ones makes of its range_like value. The update is a few
   * float32 operations on values below 100, each rounding by at most half an ulp (6e-8 relative),
   * so 1e-6 relative is far above rounding and far below any wrong formula (which is off by 0.1 or
   * more).
   */
  static void assertAfterRun(Module m, Golden g) {
    for (Variable v : m.variables()) {
      HostArray a = HostArray.of(v.peek().cast(DType.FLOAT64));
      double[] d = a.doubles();
      for (int i = 0; i < d.length; i++) {
        double expected = g.afterRun().value(v.name(), i);
        assertThat(d[i])
            .as("%s %s[%d] after one run", g.name(), v.name(), i)
            .isCloseTo(
                expected,
                org.assertj.core.data.Offset.offset(1e-6 * Math.max(1, Math.abs(expected))));
      }
    }
  }

  /** Copies golden {@code name} out of the test resources; returns its checkpoint prefix. */
  Path copy(String name) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(name));
    List<String> files = new ArrayList<>();
    files.add("checkpoint-1.index");
    files.add("checkpoint-1.data-00000-of-00001");
    files.add("checkpoint-1.data-00000-of-00002");
    files.add("checkpoint-1.data-00001-of-00002");
    int copied = 0;
    for (String f : files) {
      try (InputStream in = getClass().getResourceAsStream("/" + DIR + name + "/" + f)) {
        if (in != null) {
          Files.copy(in, folder.resolve(f));
          copied++;
        }
      }
    }
    assertThat(copied).as("files of golden %s", name).isGreaterThanOrEqualTo(2);
    return folder.resolve("checkpoint-1");
  }

  private static Tensor ones(Shape s) {
    return Tensor.ones(DType.FLOAT32, s);
  }

  private static Golden layer(String name, Supplier<Module> create, int... input) {
    return golden(name, create, (m, s) -> ((dev.sonnet.module.Layer) m).call(ones(s)), input);
  }

  private static Golden core(String name, Supplier<Module> create, int... input) {
    return golden(
        name,
        create,
        (m, s) -> {
          RNNCore<?> c = (RNNCore<?>) m;
          callCore(c, ones(s));
        },
        input);
  }

  private static <S extends dev.sonnet.recurrent.State<S>> void callCore(RNNCore<S> c, Tensor x) {
    c.call(x, c.initialState(x.dim(0), DType.FLOAT32));
  }

  private static Golden golden(
      String name, Supplier<Module> create, BiConsumer<Module, Shape> run, int... input) {
    return new Golden(name, create, run, Shape.of(input), null);
  }

  private static Path sourceDir() {
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("api/src/test/resources"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "cannot find api/src/test/resources above " + Paths.get("").toAbsolutePath());
    }
    return p.resolve(SOURCE_DIR);
  }
}
