package dev.sonnet.module;

import dev.sonnet.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Applies layers in order, each to the previous one's output: modules and plain functions alike.
 *
 * <pre>{@code
 * var mlp = new Sequential(new Linear(1024), Layers.relu(), new Linear(10));
 * Tensor logits = mlp.call(x);
 * }</pre>
 *
 * <p>The layers stay where they were constructed (a module passed in is shared, not adopted), but
 * top-level ones are numbered among themselves, so the example's variables are {@code linear/b,
 * linear/w, linear_1/b, linear_1/w}. It has no variables of its own.
 */
public final class Sequential extends Module implements Layer {
  private final List<Layer> layers;

  /** The layers, applied first to last. */
  public Sequential(Layer... layers) {
    this(null, Arrays.asList(layers));
  }

  /**
   * The layers, applied first to last: {@code Sequential.of(new Linear(1024), Tensor::relu, new
   * Linear(10))}. Same as the constructor; reads better in nested definitions.
   */
  public static Sequential of(Layer... layers) {
    return new Sequential(layers);
  }

  /** The layers, applied first to last. */
  public Sequential(List<? extends Layer> layers) {
    this(null, layers);
  }

  /** The layers, applied first to last, in a module named {@code name}. */
  @SuppressWarnings("this-escape")
  public Sequential(String name, List<? extends Layer> layers) {
    super(name);
    this.layers = List.copyOf(layers);
    numberTopLevelMembers(this.layers);
  }

  /** The layers, first to last. */
  public List<Layer> layers() {
    return layers;
  }

  @Override
  public Tensor call(Tensor x) {
    if (ModulePaths.on()) {
      CallTrail.enter(this, 0);
    }
    Tensor out = x;
    for (int i = 0, n = layers.size(); i < n; i++) {
      Layer layer = layers.get(i);
      if (i + 1 < n
          && layer instanceof ActivationFusing fusing
          && isActivation(layers.get(i + 1))) {
        // Linear followed by relu: one fused op (bit-for-bit the two calls).
        out = fusing.callThenActivate(out, layers.get(++i));
      } else {
        out = layer.call(out);
      }
    }
    return out;
  }

  /** The library's ReLU: the one activation a layer may fuse today. */
  private static boolean isActivation(Layer next) {
    return next == Layers.relu();
  }

  @Override
  void visitParams(ModuleMeta.ParamVisitor visitor) {}

  @Override
  void visitChildren(ModuleMeta.ChildVisitor visitor) {
    for (int i = 0; i < layers.size(); i++) {
      visitor.child("layers", Integer.toString(i), layers.get(i));
    }
  }

  @Override
  Repr repr() {
    Repr r = Repr.of("Sequential");
    for (Layer layer : layers) {
      r.positional(layer);
    }
    if (explicitName() != null) {
      r.arg("name", explicitName());
    }
    return r;
  }
}
