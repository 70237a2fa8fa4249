package dev.sonnet.conformance.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.sonnet.autodiff.GradientTape;
import dev.sonnet.checkpoint.Checkpoint;
import dev.sonnet.checkpoint.CheckpointException;
import dev.sonnet.checkpoint.CheckpointFormatException;
import dev.sonnet.checkpoint.CheckpointMismatchException;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.checkpoint.RestoreOptions;
import dev.sonnet.checkpoint.RestoreStatus;
import dev.sonnet.checkpoint.SafeTensors;
import dev.sonnet.checkpoint.SafeTensorsFile;
import dev.sonnet.module.Layer;
import dev.sonnet.module.Module;
import dev.sonnet.module.Sequential;
import dev.sonnet.optimizers.Adam;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.HalfFloats;
import dev.sonnet.tensor.Rng;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import dev.sonnet.tensor.Variable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checkpoints of modules on a real backend: per module, save, overwrite with ones, restore and
 * compare values and outputs; restore into a fresh instance; restore-on-create; plus strictness,
 * the checked-in golden file, a file written by PyTorch, and optimizer state.
 */
class CheckpointConformanceTest {
  @TempDir Path dir;

  /** A module to test and an input for it. */
  record Case(String name, Supplier<Module> create, Shape input) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> modules() {
    return Stream.of(
            new Case("CkLinear", () -> new CkLinear(3), Shape.of(2, 4)),
            new Case("CkMlp", () -> new CkMlp(5, 2), Shape.of(2, 3)),
            new Case("CkEveryDType", () -> new CkEveryDType("every"), Shape.of(1, 3)),
            new Case(
                "Sequential",
                () -> new Sequential(new CkLinear(4), new CkLinear(2)),
                Shape.of(3, 2)))
        .map(Arguments::of);
  }

  // ---- per module --------------------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("modules")
  void restore_afterOverwritingWithOnes_givesBackValuesAndOutputs(Case c) {
    Module m = c.create().get();
    Tensor x = input(c.input());
    call(m, x);
    scramble(m, 1);
    Map<String, HostArray> before = values(m);
    float[] out = call(m, x).toFloatArray();
    Path p = dir.resolve("m.safetensors");
    Checkpoint checkpoint = Checkpoint.of(m);
    checkpoint.save(p);
    for (Variable v : m.variables()) {
      v.assign(Tensor.ones(v.dtype(), v.shape()));
    }

    RestoreStatus status = checkpoint.restore(p).assertConsumed();

    assertThat(values(m)).isEqualTo(before);
    assertThat(call(m, x).toFloatArray()).containsExactly(out);
    assertThat(status.restored()).containsExactlyElementsOf(before.keySet());
  }

  @ParameterizedTest
  @MethodSource("modules")
  void restore_intoAFreshInstance_givesTheSameOutputs(Case c) {
    Module original = c.create().get();
    Tensor x = input(c.input());
    call(original, x);
    scramble(original, 2);
    Path p = dir.resolve("m.safetensors");
    Checkpoint.of(original).save(p);
    Module fresh = c.create().get();
    call(fresh, x);

    Checkpoint.of(fresh).restore(p).assertConsumed();

    assertThat(values(fresh)).isEqualTo(values(original));
    assertThat(call(fresh, x).toFloatArray()).containsExactly(call(original, x).toFloatArray());
  }

  @ParameterizedTest
  @MethodSource("modules")
  void restore_beforeVariablesExist_assignsEachWhenItIsCreated(Case c) {
    Module original = c.create().get();
    Tensor x = input(c.input());
    call(original, x);
    scramble(original, 3);
    Path p = dir.resolve("m.safetensors");
    Checkpoint.of(original).save(p);
    Module fresh = c.create().get();

    RestoreStatus status = Checkpoint.of(fresh).restore(p);

    assertThat(status.pending()).containsExactlyInAnyOrderElementsOf(values(original).keySet());
    assertThat(status.isConsumed()).isFalse();
    float[] out = call(fresh, x).toFloatArray();
    status.assertConsumed();
    assertThat(status.pending()).isEmpty();
    assertThat(values(fresh)).isEqualTo(values(original));
    assertThat(out).containsExactly(call(original, x).toFloatArray());
  }

  // ---- strictness --------------------------------------------------------------------------

  @Test
  void restore_failsOnShapeMismatch_reportsEveryProblem_leavesVariablesUntouched() {
    CkMlp saved = new CkMlp(5, 2, "mlp");
    call(saved, input(Shape.of(1, 3)));
    Path p = dir.resolve("mlp.safetensors");
    Checkpoint.of(saved).add("extra", new Rng(1)).save(p);
    CkMlp other = new CkMlp(6, 2, "mlp"); // hidden size differs: three shapes change
    call(other, input(Shape.of(1, 3)));
    Variable unsaved = new Variable("unsaved", Tensor.zeros(DType.FLOAT32, 2), true);
    Map<String, HostArray> before = values(other);

    assertThatThrownBy(() -> Checkpoint.of(other).add(unsaved).restore(p))
        .isInstanceOf(CheckpointMismatchException.class)
        .hasMessageContaining(
            "mlp.safetensors does not match what it is restored into"
                + " (5 problems); nothing was restored.")
        .hasMessageContaining("missing from the file (1): [unsaved]")
        .hasMessageContaining(
            "in the file, but no variable of that name exists in the model" + " (1): [extra]")
        .hasMessageContaining("mlp/linear/w: the file has f32[3, 5], the variable is f32[3, 6]")
        .hasMessageContaining("RestoreOptions.nonStrict()")
        .satisfies(
            e -> {
              CheckpointMismatchException m = (CheckpointMismatchException) e;
              assertThat(m.mismatched())
                  .extracting(CheckpointMismatchException.Mismatch::name)
                  .containsExactly("mlp/linear/b", "mlp/linear/w", "mlp/linear_1/w");
            });
    assertThat(values(other)).isEqualTo(before);
  }

  @Test
  void restore_nonStrict_restoresWhatMatchesAndReportsTheRest() {
    CkMlp saved = new CkMlp(5, 2, "mlp");
    call(saved, input(Shape.of(1, 3)));
    scramble(saved, 4);
    Path p = dir.resolve("mlp.safetensors");
    Checkpoint.of(saved).save(p);
    CkMlp other = new CkMlp(6, 2, "mlp");
    call(other, input(Shape.of(1, 3)));

    RestoreStatus status = Checkpoint.of(other).restore(p, RestoreOptions.nonStrict());

    assertThat(status.restored()).containsExactly("mlp/linear_1/b");
    assertThat(status.mismatched()).hasSize(3);
    assertThat(HostArray.of(other.second.b.peek())).isEqualTo(HostArray.of(saved.second.b.peek()));
    assertThatThrownBy(status::assertConsumed)
        .isInstanceOf(CheckpointMismatchException.class)
        .hasMessageContaining("wrong shape or dtype (3)");
  }

  @Test
  void restoreOnCreate_withAValueOfTheWrongShape_failsTheBuildNamingTheVariable() {
    CkLinear saved = new CkLinear(3, "lin");
    call(saved, input(Shape.of(1, 4)));
    Path p = dir.resolve("lin.safetensors");
    Checkpoint.of(saved).save(p);
    CkLinear fresh = new CkLinear(3, "lin");
    Checkpoint.of(fresh).restore(p);

    assertThatThrownBy(() -> fresh.call(input(Shape.of(1, 5))))
        .isInstanceOf(CheckpointMismatchException.class)
        .hasMessageContaining("lin/w: the file has f32[4, 3], the variable is f32[5, 3]");
  }

  @Test
  void assertConsumed_beforeTheFirstCall_saysWhichValuesWaitAndWhy() {
    CkLinear saved = new CkLinear(3, "lin");
    call(saved, input(Shape.of(1, 4)));
    Path p = dir.resolve("lin.safetensors");
    Checkpoint.of(saved).save(p);

    RestoreStatus status = Checkpoint.of(new CkLinear(3, "lin")).restore(p);

    assertThatThrownBy(status::assertConsumed)
        .isInstanceOf(CheckpointMismatchException.class)
        .hasMessageContaining("not created yet (2):")
        .hasMessageContaining(
            "CkLinear 'lin' has not been built yet; its variables are created"
                + " by its first call: [lin/b, lin/w]")
        .hasMessageContaining("Call assertConsumed() once every module is built")
        .hasMessageNotContaining("in the file, but no variable");
  }

  @Test
  void save_failsWhenTwoVariablesShareAName() {
    CkLinear a = new CkLinear(2);
    CkLinear b = new CkLinear(2);
    call(a, input(Shape.of(1, 2)));
    call(b, input(Shape.of(1, 2)));

    assertThatThrownBy(() -> Checkpoint.of(a, b).save(dir.resolve("x.safetensors")))
        .isInstanceOf(CheckpointException.class)
        .hasMessageContaining(
            "\"ck_linear/b\" by CkLinear 'ck_linear' and by CkLinear" + " 'ck_linear'")
        .hasMessageContaining("give one of the modules its own name");
  }

  @Test
  void restore_refusesALaterFormatVersion() {
    Path p = dir.resolve("future.safetensors");
    SafeTensors.write(
        p,
        Map.of(),
        Map.of("format", Checkpoint.FORMAT, "format_version", "2", "writer", "sonnet-java 9"));

    assertThatThrownBy(() -> Checkpoint.of().restore(p))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("checkpoint format version 2 by sonnet-java 9");
  }

  @Test
  void restore_ofADamagedFile_changesNothing() throws IOException {
    CkLinear m = new CkLinear(3, "lin");
    call(m, input(Shape.of(1, 4)));
    Path p = dir.resolve("lin.safetensors");
    Checkpoint.of(m).save(p);
    byte[] bytes = Files.readAllBytes(p);
    Files.write(p, java.util.Arrays.copyOf(bytes, bytes.length - 3));
    scramble(m, 5);
    Map<String, HostArray> before = values(m);

    assertThatThrownBy(() -> Checkpoint.of(m).restore(p))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("lin.safetensors");
    assertThat(values(m)).isEqualTo(before);
  }

  @Test
  void restore_failingOnALaterTensor_assignsNoEarlierOne() throws IOException {
    CkEveryDType m = new CkEveryDType("every");
    call(m, input(Shape.of(1, 3)));
    scramble(m, 6);
    Path p = dir.resolve("every.safetensors");
    Checkpoint.of(m).save(p);
    long maskAt;
    try (SafeTensorsFile f = SafeTensors.open(p)) {
      assertThat(f.entries().get(0).name()).isEqualTo("every/count"); // read before the mask
      maskAt =
          Files.size(p)
              - f.entries().stream().mapToLong(SafeTensorsFile.Entry::end).max().orElseThrow()
              + f.entry("every/mask").begin();
    }
    byte[] bytes = Files.readAllBytes(p);
    bytes[(int) maskAt] = 7; // a bool that is neither 0 nor 1: caught only when read
    Files.write(p, bytes);
    for (Variable v : m.variables()) {
      v.assign(Tensor.ones(v.dtype(), v.shape()));
    }
    Map<String, HostArray> before = values(m);

    assertThatThrownBy(() -> Checkpoint.of(m).restore(p))
        .isInstanceOf(CheckpointFormatException.class)
        .hasMessageContaining("bool tensor \"every/mask\" holds the byte 7 at element 0");
    assertThat(values(m)).isEqualTo(before);
  }

  // ---- goldens and other tools -------------------------------------------------------------

  @Test
  void golden_v1_restoresToKnownValues() throws IOException {
    CkEveryDType m = new CkEveryDType("golden");
    call(m, input(Shape.of(1, 3)));

    Checkpoint.of(m).restore(resource("golden_v1.safetensors")).assertConsumed();

    assertThat(values(m)).isEqualTo(rangeLike(m));
  }

  @Test
  void save_writesTheSameEntriesAndBytesAsTheGolden() throws IOException {
    CkEveryDType m = new CkEveryDType("golden");
    call(m, input(Shape.of(1, 3)));
    rangeLike(m).forEach((name, value) -> variable(m, name).assign(value.toTensor()));
    Path p = dir.resolve("saved.safetensors");

    Checkpoint.of(m).save(p);

    try (SafeTensorsFile golden = SafeTensors.open(resource("golden_v1.safetensors"));
        SafeTensorsFile saved = SafeTensors.open(p)) {
      assertThat(saved.entries())
          .map(Object::toString)
          .containsExactlyElementsOf(golden.entries().stream().map(Object::toString).toList());
      for (SafeTensorsFile.Entry e : golden.entries()) {
        assertThat(saved.read(e.name())).isEqualTo(golden.read(e));
      }
      assertThat(saved.metadata())
          .containsEntry("format", "sonnet-checkpoint")
          .containsEntry("format_version", "1")
          .containsEntry("writer", "sonnet-java");
    }
  }

  @Test
  void torchFile_restoresWithRenamingAndTransposing_andReproducesTorchOutputs() throws IOException {
    Path file = resource("torch_mlp.safetensors");
    Map<String, String> names =
        Map.of(
            "0.weight",
            "mlp/linear/w",
            "0.bias",
            "mlp/linear/b",
            "2.weight",
            "mlp/linear_1/w",
            "2.bias",
            "mlp/linear_1/b");
    CkMlp mlp = new CkMlp(4, 2, "mlp");

    RestoreStatus status =
        Checkpoint.of(mlp)
            .restore(
                file,
                RestoreOptions.strict()
                    .renaming(names::get)
                    .transposing(name -> name.endsWith(".weight")));

    HostArray x;
    HostArray expected;
    try (SafeTensorsFile f = SafeTensors.open(file)) {
      x = f.read("reference.input");
      expected = f.read("reference.output");
    }
    float[] y = mlp.call(x.toTensor()).toFloatArray();
    status.assertConsumed();
    assertThat(status.skipped()).containsExactly("reference.input", "reference.output");
    assertThat(y).containsExactly(expected.floats(), within(1e-5f));
  }

  // ---- optimizers, metrics, generators -----------------------------------------------------

  @Test
  void restore_ofModelAndAdam_resumesTrainingExactly() {
    Tensor x = input(Shape.of(4, 3));
    Tensor target = Tensor.of(new float[] {1, -1, 0.5f, 0, 0.25f, 2, -0.5f, 1}, 4, 2);
    CkMlp model = new CkMlp(5, 2, "mlp");
    Adam adam = new Adam(0.01);
    for (int i = 0; i < 3; i++) {
      trainStep(model, adam, x, target);
    }
    Path p = dir.resolve("train.safetensors");
    Checkpoint.of(model, adam).save(p);
    for (int i = 0; i < 2; i++) {
      trainStep(model, adam, x, target);
    }

    CkMlp model2 = new CkMlp(5, 2, "mlp");
    Adam adam2 = new Adam(0.01);
    RestoreStatus status = Checkpoint.of(model2, adam2).restore(p);
    for (int i = 0; i < 2; i++) {
      trainStep(model2, adam2, x, target);
    }

    status.assertConsumed();
    assertThat(status.restored())
        .contains("adam/step", "adam/m/mlp/linear/b", "adam/v/mlp/linear_1/w");
    assertThat(adam2.step()).isEqualTo(5);
    assertThat(values(model2)).isEqualTo(values(model));
    assertThat(values(adam2)).isEqualTo(values(adam));
  }

  @Test
  void save_includesMetricsAndGenerators() {
    var mean = new dev.sonnet.metrics.Mean("loss_mean");
    mean.update(Tensor.scalar(2f));
    mean.update(Tensor.scalar(4f));
    Rng rng = new Rng(11);
    rng.nextLong();
    Path p = dir.resolve("state.safetensors");
    Checkpoint.of(mean).add("data_rng", rng).save(p);

    var mean2 = new dev.sonnet.metrics.Mean("loss_mean");
    Rng rng2 = new Rng(0);
    RestoreStatus status = Checkpoint.of(mean2).add("data_rng", rng2).restore(p);
    mean2.update(Tensor.scalar(6f));

    status.assertConsumed();
    assertThat(mean2.count()).isEqualTo(3);
    assertThat(mean2.value().floatValue()).isEqualTo(4f);
    assertThat(rng2.nextLong()).isEqualTo(rng.nextLong());
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static void trainStep(CkMlp model, Adam adam, Tensor x, Tensor target) {
    try (GradientTape tape = GradientTape.open()) {
      Tensor loss = model.call(x).sub(target).square().mean();
      List<Variable> params = model.trainableVariables();
      adam.apply(tape.gradient(loss, params), params);
    }
  }

  private static Tensor input(Shape shape) {
    float[] v = new float[shape.intSize()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.sin(i + 1);
    }
    return Tensor.of(v, shape.dims());
  }

  private static Tensor call(Module m, Tensor x) {
    return ((Layer) m).call(x);
  }

  private static Map<String, HostArray> values(Module m) {
    Map<String, HostArray> out = new LinkedHashMap<>();
    for (Variable v : m.variables()) {
      out.put(v.name(), HostArray.of(v.peek()));
    }
    return out;
  }

  private static Variable variable(Module m, String name) {
    return m.variables().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
  }

  /** Gives every variable values no initializer would: random, in its dtype. */
  private static void scramble(Module m, long seed) {
    Rng rng = new Rng(seed);
    for (Variable v : m.variables()) {
      v.assign(Tensor.randomUniform(rng, DType.FLOAT32, v.shape(), -3, 3).cast(v.dtype()));
    }
  }

  /** 1, 2, 3, ... in each variable's dtype (bool: true, false, ...), as make_files.py writes. */
  private static Map<String, HostArray> rangeLike(Module m) {
    Map<String, HostArray> out = new LinkedHashMap<>();
    for (Variable v : m.variables()) {
      int n = v.shape().intSize();
      HostArray a =
          switch (v.dtype()) {
            case FLOAT32 -> {
              float[] d = new float[n];
              for (int i = 0; i < n; i++) {
                d[i] = i + 1;
              }
              yield HostArray.of(d, v.shape());
            }
            case FLOAT64 -> {
              double[] d = new double[n];
              for (int i = 0; i < n; i++) {
                d[i] = i + 1;
              }
              yield HostArray.of(d, v.shape());
            }
            case INT32 -> {
              int[] d = new int[n];
              for (int i = 0; i < n; i++) {
                d[i] = i + 1;
              }
              yield HostArray.of(d, v.shape());
            }
            case INT64 -> {
              long[] d = new long[n];
              for (int i = 0; i < n; i++) {
                d[i] = i + 1;
              }
              yield HostArray.of(d, v.shape());
            }
            case BOOL -> {
              boolean[] d = new boolean[n];
              for (int i = 0; i < n; i++) {
                d[i] = i % 2 == 0;
              }
              yield HostArray.of(d, v.shape());
            }
            case BFLOAT16, FLOAT16 -> {
              short[] d = new short[n];
              for (int i = 0; i < n; i++) {
                d[i] = HalfFloats.toBits(v.dtype(), i + 1);
              }
              yield HostArray.ofBits(v.dtype(), d, v.shape());
            }
          };
      out.put(v.name(), a);
    }
    return out;
  }

  /** A checked-in file from the test resources, copied out of the (test) jar. */
  private Path resource(String name) throws IOException {
    Path p = dir.resolve(name);
    try (InputStream in =
        CheckpointConformanceTest.class.getResourceAsStream("/checkpoint/" + name)) {
      assertThat(in).as("test resource checkpoint/" + name).isNotNull();
      Files.copy(in, p);
    }
    return p;
  }
}
