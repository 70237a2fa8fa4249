package dev.sonnet.samples.modules;

import dev.sonnet.module.Module;
import dev.sonnet.tensor.Tensor;

/**
 * The Sonnet 1 FAQ's {@code UsefulModule}: an operation with many configuration arguments turned
 * into a module, so the configuration is set once and the object passed around. Arguments equal to
 * their {@code DEFAULT_} constant are left out of the repr: {@code new UsefulModule()} prints
 * {@code UsefulModule()}.
 */
public final class UsefulModule extends Module {
  /**
   * Clip the result to [-1, 1] by default: the operation is usually followed by a tanh-range input.
   */
  public static final boolean DEFAULT_USE_CLIPPING = true;

  /** Keep NaNs by default: replacing them hides bugs upstream. */
  public static final boolean DEFAULT_REMOVE_NANS = false;

  /** The FAQ's default. */
  public static final String DEFAULT_SOLVE_AGI = "maybe";

  final boolean useClipping;
  final boolean removeNans;
  final String solveAgi;

  /** All defaults. */
  public UsefulModule() {
    this(DEFAULT_USE_CLIPPING, DEFAULT_REMOVE_NANS, DEFAULT_SOLVE_AGI, null);
  }

  /** Every argument but the name, which is {@code useful_module}. */
  public UsefulModule(boolean useClipping, boolean removeNans, String solveAgi) {
    this(useClipping, removeNans, solveAgi, null);
  }

  /** Every argument, named {@code name} (null for {@code useful_module}). */
  public UsefulModule(boolean useClipping, boolean removeNans, String solveAgi, String name) {
    super(name);
    this.useClipping = useClipping;
    this.removeNans = removeNans;
    this.solveAgi = solveAgi;
  }

  /** {@code a + b}, NaNs replaced by 0 if asked, clipped to [-1, 1] if asked. */
  public Tensor call(Tensor inputA, Tensor inputB) {
    Tensor out = inputA.add(inputB);
    if (removeNans) {
      out = out.notEqual(out).where(out.zerosLike(), out);
    }
    if (useClipping) {
      out = out.clip(-1, 1);
    }
    return out;
  }
}
