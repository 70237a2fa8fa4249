package dev.sonnet.export;

import dev.sonnet.backend.Backend;
import dev.sonnet.backend.Backends;
import dev.sonnet.checkpoint.HostArray;
import dev.sonnet.module.ModulePaths;
import dev.sonnet.ops.Dispatch;
import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.HalfFloats;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records a {@link TensorFunction} into a {@link GraphFunction}: a graph of the operations it runs,
 * for inputs of the given {@link TensorSpec}s, reading the variables it reads (captured, not
 * frozen).
 *
 * <pre>{@code
 * GraphFunction inference =
 *     Tracing.trace(TensorFunction.of(mlp::call), TensorSpec.of(FLOAT32, -1, 784));
 * Tensor y = inference.call(x);       // any batch size
 * }</pre>
 *
 * <p><b>How.</b> Every op runs through {@link Dispatch}, so a tracer is an {@link
 * dev.sonnet.ops.OpRecorder}: the function runs eagerly on sample inputs (values in [-1, 1]; zeros
 * for integers) and each dispatched op becomes a node. The values do not matter, since a traced
 * function may not look at them.
 *
 * <p><b>Unknown dimensions.</b> Ops carry sizes their callers computed from concrete shapes (a
 * {@code Flatten}'s reshape to {@code [batch, 3136]}, an RNN's zero state {@code [batch, 128]}); a
 * graph recorded at one batch size would hold that size and fail, or silently compute garbage, at
 * another. So the function is traced at several sizes: once at base sizes ({@code batch = 2}, the
 * next symbol 3, ...) to build the modules, once more at the base sizes, once with each symbol
 * changed alone (3, 4, ...), and once with all changed (4, 5, ...). The graphs must have the same
 * structure; each size that differs between them is fitted to a {@link DimExpr} ({@code coefficient
 * * product of symbols + constant}) from the single-symbol runs and checked against the all-changed
 * run. A size that follows no such expression, or a structure that changes with a size (a Java loop
 * over the batch, over a sequence length), is a {@link TraceException} naming the op and module.
 *
 * <p><b>What fails.</b> Reading the values of a tensor computed from the inputs or variables
 * ({@code item()}, {@code toFloatArray()}), assigning a variable, and any op with no graph form
 * (gradient primitives), each naming the op and the module path (found through {@link
 * ModulePaths}).
 */
public final class Tracing {
  private Tracing() {}

  /** Traces {@code function} on the default backend. */
  public static GraphFunction trace(TensorFunction function, TensorSpec... specs) {
    return trace(Backends.getDefault(), function, specs);
  }

  /**
   * Traces {@code function} with sample inputs on {@code backend} (where the function's variables
   * live).
   *
   * @throws TraceException if the function does something a graph cannot hold
   * @throws IllegalArgumentException if no spec is given or an unknown dimension's symbol is used
   *     at two axes of different known sizes
   */
  public static GraphFunction trace(Backend backend, TensorFunction function, TensorSpec... specs) {
    if (specs.length == 0) {
      throw new IllegalArgumentException("Tracing.trace: give one TensorSpec per function input");
    }
    TensorSpec[] named = new TensorSpec[specs.length];
    List<String> symbols = new ArrayList<>();
    for (int i = 0; i < specs.length; i++) {
      named[i] = specs[i].name() == null ? specs[i].named("input" + i) : specs[i];
      for (String s : named[i].symbols()) {
        if (s != null && !symbols.contains(s)) {
          symbols.add(s);
        }
      }
    }
    symbols.sort(null);
    int k = symbols.size();
    // Runs: 0 base, 1..k each symbol changed alone, k + 1 all changed. The run before them, at base
    // sizes, builds the modules (a first call creates variables) and is not kept.
    long[][] sizes = new long[k + 2][k];
    for (int j = 0; j < k; j++) {
      for (int r = 0; r < k + 2; r++) {
        sizes[r][j] = baseSize(j);
      }
      sizes[1 + j][j] = changedSize(j);
      sizes[k + 1][j] = finalSize(j);
    }
    run(backend, function, named, symbols, sizes[0]);
    List<TraceRecorder> runs = new ArrayList<>(k + 2);
    for (int r = 0; r < k + 2; r++) {
      runs.add(run(backend, function, named, symbols, sizes[r]));
    }
    Graph graph = new TraceFitting(symbols, sizes, runs, named).graph();
    return new GraphFunction(graph, runs.get(0).variables);
  }

  /** The base size of the {@code j}-th symbol (in sorted order): 2, 3, 4, ... */
  static long baseSize(int j) {
    return 2 + j;
  }

  /** The size of the {@code j}-th symbol when it is changed alone: 3, 4, 5, ... */
  static long changedSize(int j) {
    return 3 + j;
  }

  /** The size of the {@code j}-th symbol when all are changed: 4, 5, 6, ... */
  static long finalSize(int j) {
    return 4 + j;
  }

  private static TraceRecorder run(
      Backend backend,
      TensorFunction function,
      TensorSpec[] specs,
      List<String> symbols,
      long[] sizes) {
    Map<String, Long> bound = new LinkedHashMap<>();
    for (int j = 0; j < symbols.size(); j++) {
      bound.put(symbols.get(j), sizes[j]);
    }
    TraceRecorder recorder = new TraceRecorder();
    Tensor[] inputs = new Tensor[specs.length];
    for (int i = 0; i < specs.length; i++) {
      Shape shape = specs[i].symbolicShape().evaluate(bound::get);
      inputs[i] = sample(backend, specs[i].dtype(), shape);
      recorder.input(inputs[i]);
    }
    Tensor[] outputs;
    Dispatch.push(recorder);
    try (var follow = ModulePaths.follow()) {
      outputs = function.call(inputs.clone());
      if (outputs == null || outputs.length == 0) {
        throw new TraceException(null, null, "tracing: the function returned no tensors");
      }
      int[] out = new int[outputs.length];
      for (int i = 0; i < outputs.length; i++) {
        if (outputs[i] == null) {
          throw new TraceException(null, null, "tracing: output " + i + " of the function is null");
        }
        out[i] = recorder.valueOf(outputs[i]);
      }
      recorder.outputs = out;
    } catch (TraceException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new TraceException(
          "tracing: the function failed at sizes "
              + bound
              + " (it is traced at several values of each unknown dimension): "
              + e.getMessage(),
          e);
    } finally {
      Dispatch.pop(recorder);
    }
    return recorder;
  }

  /** Deterministic sample values: floats in [-1, 1], integers 0, booleans false. */
  private static Tensor sample(Backend backend, DType dtype, Shape shape) {
    int n = shape.intSize();
    HostArray a =
        switch (dtype) {
          case FLOAT32 -> {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
              v[i] = (float) sampleValue(i);
            }
            yield HostArray.of(v, shape);
          }
          case FLOAT64 -> {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
              v[i] = sampleValue(i);
            }
            yield HostArray.of(v, shape);
          }
          case INT32 -> HostArray.of(new int[n], shape);
          case INT64 -> HostArray.of(new long[n], shape);
          case BOOL -> HostArray.of(new boolean[n], shape);
          case BFLOAT16, FLOAT16 -> {
            short[] v = new short[n];
            for (int i = 0; i < n; i++) {
              v[i] = HalfFloats.toBits(dtype, (float) sampleValue(i));
            }
            yield HostArray.ofBits(dtype, v, shape);
          }
        };
    return a.toTensor(backend);
  }

  private static double sampleValue(int i) {
    return ((i * 7919L) % 17 - 8) / 8.0;
  }
}
