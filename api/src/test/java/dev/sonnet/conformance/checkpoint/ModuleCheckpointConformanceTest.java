package dev.sonnet.conformance.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.RestoreStatus;
import dev.sonnet.checkpoint.SafeTensors;
import dev.sonnet.checkpoint.SafeTensorsFile;
import dev.sonnet.conformance.nn.ModuleGoldens;
import dev.sonnet.conformance.nn.ModuleGoldens.Golden;
import dev.sonnet.metrics.ExponentialMovingAverage;
import dev.sonnet.metrics.Mean;
import dev.sonnet.metrics.Metric;
import dev.sonnet.metrics.Sum;
import dev.sonnet.module.Module;
import dev.sonnet.module.VariableInterceptor;
import dev.sonnet.nn.Linear;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.optimizers.Momentum;
import dev.sonnet.optimizers.Optimizer;
import dev.sonnet.optimizers.RMSProp;
import dev.sonnet.optimizers.SGD;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checkpoint round trip of every module configuration in {@link ModuleGoldens}, and of every
 * optimizer (with the model it trains) and metric, as Sonnet's own checkpoint conformance test
 * does: save, overwrite with ones, restore, compare values and outputs; restore into a fresh
 * instance; restore before the first call (restore-on-create); and checked-in checkpoints of
 * library modules restored to known values.
 *
 * <p>Outputs are compared with a <em>reference</em> instance whose history matches call for call,
 * so modules whose step changes their own state (batch norm in training, moving averages, VQ-EMA,
 * metrics, optimizers) or draws from a generator the checkpoint does not hold (dropout) are
 * compared like any other. For restore-on-create the reference receives the same values through a
 * {@link dev.sonnet.module.VariableInterceptor} of its own, independently of {@link Checkpoint}.
 *
 * <p>The checked-in files under {@code checkpoint/modules/} are written by this class from known
 * values ({@link #known}); to write them after a reviewed change to the format, run with {@code
 * -Dsonnet.goldens.update=true}. A format change should add a new file rather than rewrite one.
 */
class ModuleCheckpointConformanceTest {
  static final String GOLDEN_DIR = "checkpoint/modules/";
  static final String GOLDEN_SOURCE_DIR = "api/src/test/resources/" + GOLDEN_DIR;

  @TempDir Path dir;

  // ---- what is tested ----------------------------------------------------------------------

  /**
   * One instance under test: the modules a checkpoint holds, and one step of it (a forward pass, a
   * training step, a metric update) returning a tensor that depends on its state.
   */
  record Subject(List<Module> modules, Supplier<Tensor> step) {
    Checkpoint checkpoint() {
      return Checkpoint.of(modules.toArray(Module[]::new));
    }

    HostArray run() {
      return HostArray.of(step.get());
    }
  }

  /** A configuration: its class and how to create a fresh instance. */
  record Case(String name, Class<?> type, Supplier<Subject> create) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(moduleCases(), optimizerCases(), metricCases()).flatMap(List::stream);
  }

  static List<Case> moduleCases() {
    List<Case> out = new ArrayList<>();
    for (Golden g : ModuleGoldens.all()) {
      out.add(
          new Case(
              g.name(),
              g.type(),
              () -> {
                Module m = g.create().get();
                Tensor x = ModuleGoldens.input(g.dtype(), g.shape());
                return new Subject(List.of(m), () -> g.forward().apply(m, x));
              }));
    }
    return out;
  }

  static List<Case> optimizerCases() {
    return List.of(
        optimizer("sgd", SGD.class, () -> new SGD(0.1)),
        optimizer("momentum", Momentum.class, () -> new Momentum(0.1, 0.9)),
        optimizer("adam", Adam.class, () -> new Adam(0.1)),
        optimizer("rms_prop", RMSProp.class, () -> new RMSProp(0.1)));
  }

  /** A linear model and the optimizer training it; a step is one update, then the output. */
  static Case optimizer(String name, Class<? extends Optimizer> type, Supplier<Optimizer> create) {
    return new Case(
        name,
        type,
        () -> {
          Linear model = new Linear(2);
          Optimizer optimizer = create.get();
          Tensor x = ModuleGoldens.input(DType.FLOAT32, new int[] {4, 3});
          Tensor target = Tensor.of(new float[] {1, -1, 0.5f, 0, 0.25f, 2, -0.5f, 1}, 4, 2);
          return new Subject(
              List.of(model, optimizer),
              () -> {
                try (GradientTape tape = GradientTape.open()) {
                  Tensor loss = model.call(x).sub(target).square().mean();
                  List<Variable> params = model.trainableVariables();
                  optimizer.apply(tape.gradient(loss, params), params);
                }
                return model.call(x);
              });
        });
  }

  static List<Case> metricCases() {
    return List.of(
        metric("sum", Sum.class, Sum::new),
        metric("mean", Mean.class, Mean::new),
        metric(
            "exponential_moving_average",
            ExponentialMovingAverage.class,
            () -> new ExponentialMovingAverage(0.9)));
  }

  /** A metric; a step folds in one value and reads the statistic. */
  static Case metric(String name, Class<? extends Metric> type, Supplier<Metric> create) {
    return new Case(
        name,
        type,
        () -> {
          Metric metric = create.get();
          Tensor value = Tensor.of(new float[] {0.5f, 1.5f, -2f}, 3);
          return new Subject(List.of(metric), () -> metric.call(value));
        });
  }

  // ---- per configuration -------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void restore_afterOverwritingWithOnes_givesBackValuesAndOutputs(Case c) {
    Subject s = built(c, 1);
    Path p = dir.resolve("s.safetensors");
    s.checkpoint().save(p);
    Map<String, HostArray> saved = values(s);
    for (Variable v : variables(s)) {
      v.assign(Tensor.ones(v.dtype(), v.shape()));
    }

    RestoreStatus status = s.checkpoint().restore(p).assertConsumed();

    assertThat(status.restored()).containsExactlyElementsOf(saved.keySet());
    assertThat(values(s)).isEqualTo(saved);
    Subject reference = built(c, 1);
    assertThat(s.run()).isEqualTo(reference.run());
    assertThat(values(s)).isEqualTo(values(reference));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void restore_intoAFreshInstance_givesTheSameValuesAndOutputs(Case c) {
    Subject original = built(c, 2);
    Path p = dir.resolve("s.safetensors");
    original.checkpoint().save(p);
    Subject fresh = built(c, 0);

    RestoreStatus status = fresh.checkpoint().restore(p).assertConsumed();

    assertThat(status.restored()).containsExactlyElementsOf(values(original).keySet());
    assertThat(values(fresh)).isEqualTo(values(original));
    assertThat(fresh.run()).isEqualTo(original.run());
    assertThat(values(fresh)).isEqualTo(values(original));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void restore_beforeTheFirstCall_createsEveryVariableWithItsSavedValue(Case c) {
    Subject original = built(c, 3);
    Path p = dir.resolve("s.safetensors");
    original.checkpoint().save(p);
    Map<String, HostArray> saved = values(original);
    Subject fresh = c.create().get();
    Subject reference = c.create().get();
    Set<String> given = new HashSet<>();
    VariableInterceptor savedValues =
        spec -> {
          HostArray value = saved.get(spec.path());
          assertThat(value).as("saved value of %s", spec.path()).isNotNull();
          given.add(spec.path());
          return value.toTensor();
        };
    for (Module m : reference.modules()) {
      m.interceptVariables(savedValues);
      m.submodules().forEach(child -> child.interceptVariables(savedValues));
    }

    RestoreStatus status = fresh.checkpoint().restore(p);

    assertThat(status.pending()).containsExactlyInAnyOrderElementsOf(saved.keySet());
    HostArray out = fresh.run();
    status.assertConsumed();
    assertThat(status.pending()).isEmpty();
    assertThat(status.restored()).containsExactlyInAnyOrderElementsOf(saved.keySet());
    assertThat(out).isEqualTo(reference.run());
    assertThat(given).isEqualTo(saved.keySet());
    assertThat(values(fresh)).isEqualTo(values(reference));
  }

  @Test
  void coverage_everyOptimizerAndMetricHasACase() throws Exception {
    Set<Class<?>> covered = new HashSet<>();
    cases().forEach(c -> covered.add(c.type()));
    Set<String> missing = new TreeSet<>();
    List<Class<?>> found = new ArrayList<>();
    for (String pkg : List.of("dev.sonnet.optimizers", "dev.sonnet.metrics")) {
      for (Class<?> c : ModuleGoldens.publicModules(pkg)) {
        found.add(c);
        if (!covered.contains(c)) {
          missing.add(c.getName());
        }
      }
    }
    assertThat(found).as("optimizer and metric classes found by scanning").hasSizeGreaterThan(5);
    assertThat(missing)
        .as(
            "optimizers and metrics without a checkpoint case: add one to"
                + " optimizerCases() or metricCases()")
        .isEmpty();
  }

  // ---- checked-in files of library modules -------------------------------------------------

  /** A checked-in checkpoint: a registry golden with every variable set to {@link #known}. */
  record GoldenFile(
      String golden,
      String file,
      boolean signed,
      Function<Map<String, HostArray>, float[]> expectedOutput) {
    @Override
    public String toString() {
      return golden;
    }
  }

  static Stream<GoldenFile> goldenFiles() {
    return Stream.of(
        new GoldenFile(
            "mlp_3x4x5_1x3",
            "mlp_3x4x5_1x3_v1.safetensors",
            true,
            ModuleCheckpointConformanceTest::mlpReference),
        new GoldenFile(
            "batch_norm_1x2x2x3",
            "batch_norm_1x2x2x3_v1.safetensors",
            false,
            ModuleCheckpointConformanceTest::batchNormReference));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenFiles")
  void goldenFile_restoresToKnownValues_andGivesTheReferenceOutput(GoldenFile f)
      throws IOException {
    Golden g = golden(f.golden());
    Module m = g.create().get();
    Tensor x = ModuleGoldens.input(g.dtype(), g.shape());
    g.forward().apply(m, x);
    Path p = goldenFile(f, m);

    Checkpoint.of(m).restore(p).assertConsumed();

    Map<String, HostArray> expected = knownValues(m, f.signed());
    assertThat(values(List.of(m))).isEqualTo(expected);
    float[] y = g.forward().apply(m, x).toFloatArray();
    assertThat(y).containsExactly(f.expectedOutput().apply(expected), within(1e-5f));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenFiles")
  void goldenFile_restoresBeforeTheFirstCall(GoldenFile f) throws IOException {
    Golden g = golden(f.golden());
    Module built = g.create().get();
    Tensor x = ModuleGoldens.input(g.dtype(), g.shape());
    g.forward().apply(built, x);
    Path p = goldenFile(f, built);
    Module fresh = g.create().get();

    RestoreStatus status = Checkpoint.of(fresh).restore(p);
    float[] y = g.forward().apply(fresh, x).toFloatArray();

    status.assertConsumed();
    Map<String, HostArray> expected = knownValues(fresh, f.signed());
    assertThat(values(List.of(fresh))).isEqualTo(expected);
    assertThat(y).containsExactly(f.expectedOutput().apply(expected), within(1e-5f));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenFiles")
  void save_ofTheKnownValues_writesTheEntriesAndValuesOfTheGoldenFile(GoldenFile f)
      throws IOException {
    Golden g = golden(f.golden());
    Module m = g.create().get();
    g.forward().apply(m, ModuleGoldens.input(g.dtype(), g.shape()));
    Path golden = goldenFile(f, m);
    assign(m, knownValues(m, f.signed()));
    Path p = dir.resolve("saved.safetensors");

    Checkpoint.of(m).save(p);

    try (SafeTensorsFile expected = SafeTensors.open(golden);
        SafeTensorsFile saved = SafeTensors.open(p)) {
      assertThat(saved.entries())
          .map(Object::toString)
          .containsExactlyElementsOf(expected.entries().stream().map(Object::toString).toList());
      for (SafeTensorsFile.Entry e : expected.entries()) {
        assertThat(saved.read(e.name())).as(e.name()).isEqualTo(expected.read(e));
      }
      assertThat(expected.metadata())
          .containsEntry("format", Checkpoint.FORMAT)
          .containsEntry("format_version", "1")
          .containsEntry("writer", Checkpoint.WRITER);
      assertThat(saved.metadata()).isEqualTo(expected.metadata());
    }
  }

  /**
   * The checked-in file of {@code f}, copied out of the test resources; with {@code
   * -Dsonnet.goldens.update=true}, first written from {@code built} set to the known values.
   */
  private Path goldenFile(GoldenFile f, Module built) throws IOException {
    if (Boolean.getBoolean("sonnet.goldens.update")) {
      Map<String, HostArray> before = values(List.of(built));
      assign(built, knownValues(built, f.signed()));
      Path target = sourceDir().resolve(f.file());
      Files.createDirectories(target.getParent());
      Checkpoint.of(built).save(target);
      assign(built, before);
    }
    Path p = dir.resolve(f.file());
    try (InputStream in = getClass().getResourceAsStream("/" + GOLDEN_DIR + f.file())) {
      if (in == null) {
        fail(
            "No checked-in checkpoint "
                + GOLDEN_SOURCE_DIR
                + f.file()
                + " for golden '"
                + f.golden()
                + "'; write it with -Dsonnet.goldens.update=true and review it");
      }
      Files.copy(in, p);
    }
    return p;
  }

  /** The known value of element {@code i}: small multiples of 1/8 (exact in every float type). */
  static double known(int i, boolean signed) {
    int k = (i * 5 + 3) % 11;
    return signed ? (k - 5) * 0.125 : (k + 1) * 0.125;
  }

  /** {@link #known} in every variable of {@code m}; integer variables hold {@code 7 + i}. */
  static Map<String, HostArray> knownValues(Module m, boolean signed) {
    Map<String, HostArray> out = new LinkedHashMap<>();
    for (Variable v : m.variables()) {
      int n = v.shape().intSize();
      HostArray a =
          switch (v.dtype()) {
            case FLOAT32 -> {
              float[] d = new float[n];
              for (int i = 0; i < n; i++) {
                d[i] = (float) known(i, signed);
              }
              yield HostArray.of(d, v.shape());
            }
            case INT64 -> {
              long[] d = new long[n];
              for (int i = 0; i < n; i++) {
                d[i] = 7 + i;
              }
              yield HostArray.of(d, v.shape());
            }
            default ->
                throw new AssertionError("no known values for " + v.dtype() + " yet: " + v.name());
          };
      out.put(v.name(), a);
    }
    return out;
  }

  /** {@code relu(relu(x w0 + b0) w1 + b1) w2 + b2}, in plain double loops. */
  static float[] mlpReference(Map<String, HostArray> v) {
    double[][] h = inputRows(8, 3);
    for (int layer = 0; layer < 3; layer++) {
      HostArray w = v.get("mlp/linear_" + layer + "/w");
      float[] b = v.get("mlp/linear_" + layer + "/b").floats();
      int in = w.shape().dim(0);
      int out = w.shape().dim(1);
      double[][] next = new double[h.length][out];
      for (int r = 0; r < h.length; r++) {
        for (int j = 0; j < out; j++) {
          double sum = b[j];
          for (int i = 0; i < in; i++) {
            sum += h[r][i] * w.floats()[i * out + j];
          }
          next[r][j] = layer < 2 ? Math.max(0, sum) : sum;
        }
      }
      h = next;
    }
    return flatten(h);
  }

  /**
   * The registry's batch norm call uses the batch's statistics ({@code testLocalStats}): {@code (x
   * - mean) / sqrt(variance + 1e-5) * scale + offset} per channel, the variance biased.
   */
  static float[] batchNormReference(Map<String, HostArray> v) {
    double[][] x = inputRows(8 * 2 * 2, 3);
    float[] scale = v.get("batch_norm/scale").floats();
    float[] offset = v.get("batch_norm/offset").floats();
    double[][] y = new double[x.length][3];
    for (int c = 0; c < 3; c++) {
      double mean = 0;
      for (double[] row : x) {
        mean += row[c] / x.length;
      }
      double var = 0;
      for (double[] row : x) {
        var += (row[c] - mean) * (row[c] - mean) / x.length;
      }
      for (int r = 0; r < x.length; r++) {
        y[r][c] = (x[r][c] - mean) / Math.sqrt(var + 1e-5) * scale[c] + offset[c];
      }
    }
    return flatten(y);
  }

  /** {@link ModuleGoldens#input} as rows of {@code cols}, as float32 values. */
  private static double[][] inputRows(int rows, int cols) {
    float[] flat = ModuleGoldens.input(DType.FLOAT32, new int[] {rows, cols}).toFloatArray();
    double[][] out = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        out[r][c] = flat[r * cols + c];
      }
    }
    return out;
  }

  private static float[] flatten(double[][] rows) {
    float[] out = new float[rows.length * rows[0].length];
    int k = 0;
    for (double[] row : rows) {
      for (double d : row) {
        out[k++] = (float) d;
      }
    }
    return out;
  }

  // ---- helpers -----------------------------------------------------------------------------

  /**
   * A fresh instance, stepped once (so every variable exists) and, unless {@code seed} is 0, with
   * every variable then set to values no initializer gives (see {@link #scramble}).
   */
  private static Subject built(Case c, long seed) {
    Subject s = c.create().get();
    s.run();
    if (seed != 0) {
      scramble(s, seed);
    }
    return s;
  }

  /**
   * Sets float variables to uniform values in {@code [0.25, 1.75)} and integer ones (counters) to
   * {@code 2..9} (the cast truncates): never one, and positive, so that variances, counts and
   * second moments stay valid.
   */
  private static void scramble(Subject s, long seed) {
    Rng rng = new Rng(seed);
    for (Variable v : variables(s)) {
      Tensor t =
          v.dtype().isFloating()
              ? Tensor.randomUniform(rng, DType.FLOAT32, v.shape(), 0.25, 1.75)
              : Tensor.randomUniform(rng, DType.FLOAT32, v.shape(), 2, 9.5);
      v.assign(t.cast(v.dtype()));
    }
  }

  private static List<Variable> variables(Subject s) {
    List<Variable> out = new ArrayList<>();
    for (Module m : s.modules()) {
      out.addAll(m.variables());
    }
    return out;
  }

  private static Map<String, HostArray> values(Subject s) {
    return values(s.modules());
  }

  private static Map<String, HostArray> values(List<Module> modules) {
    Map<String, HostArray> out = new LinkedHashMap<>();
    for (Module m : modules) {
      for (Variable v : m.variables()) {
        out.put(v.name(), HostArray.of(v.peek()));
      }
    }
    return out;
  }

  private static void assign(Module m, Map<String, HostArray> values) {
    for (Variable v : m.variables()) {
      v.assign(values.get(v.name()).toTensor());
    }
  }

  private static Golden golden(String name) {
    return ModuleGoldens.all().stream()
        .filter(g -> g.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no golden named " + name));
  }

  /** The checked-in checkpoints folder, found upwards from the working directory. */
  private static Path sourceDir() {
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("api/src/test/resources"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException(
          "cannot find api/src/test/resources above " + Paths.get("").toAbsolutePath());
    }
    return p.resolve(GOLDEN_SOURCE_DIR);
  }
}
