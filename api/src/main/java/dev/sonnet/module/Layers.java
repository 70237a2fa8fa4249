package dev.sonnet.module;

import dev.sonnet.tensor.Tensor;
import java.util.Objects;

/**
 * Named stateless layers, for {@link Sequential} and for module arguments such as an MLP's
 * activation. Each prints as its name in a repr ({@code relu}), and two instances with the same
 * name are equal, so they can serve as defaults that the repr leaves out.
 */
public final class Layers {
  private static final Layer RELU = named("relu", Tensor::relu);
  private static final Layer TANH = named("tanh", Tensor::tanh);
  private static final Layer SIGMOID = named("sigmoid", Tensor::sigmoid);
  private static final Layer GELU = named("gelu", Tensor::gelu);
  private static final Layer IDENTITY = named("identity", x -> x);

  private static final java.util.List<Layer> LIBRARY =
      java.util.List.of(RELU, TANH, SIGMOID, GELU, IDENTITY);

  private Layers() {}

  /**
   * The name of {@code layer} if it is one of this class's functions (compared by identity, so a
   * user's {@code named("relu", ...)} is not mistaken for it), else null. For configurations.
   */
  static String libraryName(Layer layer) {
    for (Layer l : LIBRARY) {
      if (l == layer) {
        return l.toString();
      }
    }
    return null;
  }

  /** The function {@link #libraryName} calls {@code name}, or null. */
  static Layer byLibraryName(String name) {
    for (Layer l : LIBRARY) {
      if (l.toString().equals(name)) {
        return l;
      }
    }
    return null;
  }

  /** The names of this class's functions. */
  static java.util.List<String> libraryNames() {
    return LIBRARY.stream().map(Layer::toString).toList();
  }

  /** {@code max(x, 0)}. */
  public static Layer relu() {
    return RELU;
  }

  /** Hyperbolic tangent. */
  public static Layer tanh() {
    return TANH;
  }

  /** Logistic sigmoid. */
  public static Layer sigmoid() {
    return SIGMOID;
  }

  /** Gaussian error linear unit. */
  public static Layer gelu() {
    return GELU;
  }

  /** Returns its input. */
  public static Layer identity() {
    return IDENTITY;
  }

  /**
   * {@code function} with a name for reprs. Not a module: it has no scope and no variables; use
   * {@link FunctionModule#wrap(String, Layer)} for a function that should be a named module.
   */
  public static Layer named(String name, Layer function) {
    return new Named(
        Objects.requireNonNull(name, "name"), Objects.requireNonNull(function, "function"));
  }

  private record Named(String name, Layer function) implements Layer {
    @Override
    public Tensor call(Tensor x) {
      return function.call(x);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Named n && n.name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
