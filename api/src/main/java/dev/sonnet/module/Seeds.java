package dev.sonnet.module;

import java.util.HashMap;
import java.util.Map;

/**
 * The global seed of variable initialization, Sonnet's {@code tf.random.set_seed} / PyTorch's
 * {@code torch.manual_seed}.
 *
 * <p>Each variable's initializer draws from its own generator, seeded from three things: the global
 * seed, the variable's path ({@code mlp/linear_1/w}) and how many variables with that path this
 * thread created before it (since the global seed was last set). So:
 *
 * <ul>
 *   <li>two modules created separately get different weights even when they share a name (two
 *       top-level {@code new Linear(3)} are both {@code linear}): the second {@code linear/w} is
 *       the path's second creation;
 *   <li>the same program with the same global seed gets the same weights on every run and every
 *       backend (random numbers are drawn on the host), whatever else it creates in between under
 *       other paths;
 *   <li>{@code setGlobalSeed(s)} again starts over, on every thread: modules created after it get
 *       the same weights as those created after the previous {@code setGlobalSeed(s)}, as {@code
 *       torch.manual_seed} does;
 *   <li>the counts are per thread, so replicas that each build the same model on a thread of their
 *       own (data-parallel training) start from the same weights, whatever order the threads run
 *       in.
 * </ul>
 *
 * <p>The default global seed is {@code 0}. An initializer given its own seed ({@link
 * dev.sonnet.initializers.Initializer#seeded(long)}) ignores all of this and gives the same values
 * wherever it is used, like a Keras initializer with a seed. The first creation of each path under
 * the default seed keeps the values earlier versions gave it, so existing programs and goldens
 * start from the same weights. Dropout and data shuffling take explicit seeds of their own.
 */
public final class Seeds {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  private static final long PATH_SEED = 0x5EED_50AA_E7L;
  private static final Object LOCK = new Object();

  /** This thread's creations per path, valid while its generation is the current one. */
  private static final class Creations {
    long generation = -1;
    final Map<String, Integer> byPath = new HashMap<>();
  }

  private static final ThreadLocal<Creations> CREATIONS = ThreadLocal.withInitial(Creations::new);
  private static long global;
  private static long generation;

  private Seeds() {}

  /**
   * Sets the global seed and forgets how many variables were created under each path, so what the
   * program creates from here on is initialized as after any other call with the same seed.
   */
  public static void setGlobalSeed(long seed) {
    synchronized (LOCK) {
      global = seed;
      generation++;
    }
  }

  /** The global seed: the last one set, or {@code 0}. */
  public static long globalSeed() {
    synchronized (LOCK) {
      return global;
    }
  }

  /**
   * The seed of the initializer of the variable being created at {@code path}; counts the creation.
   */
  static long forNewVariable(String path) {
    long seed;
    long current;
    synchronized (LOCK) {
      seed = global;
      current = generation;
    }
    Creations mine = CREATIONS.get();
    if (mine.generation != current) {
      mine.byPath.clear();
      mine.generation = current;
    }
    int earlier = mine.byPath.merge(path, 1, Integer::sum) - 1;
    return combine(pathHash(path), seed, earlier);
  }

  /**
   * {@code pathHash} unchanged for the default seed's first creation (mix(0) is 0), otherwise
   * scrambled by both the global seed and the creation count.
   */
  static long combine(long pathHash, long globalSeed, int earlier) {
    return pathHash ^ mix(globalSeed) ^ mix(earlier * GOLDEN_GAMMA);
  }

  /** FNV-1a over the path's characters, from a fixed basis. */
  static long pathHash(String path) {
    long h = PATH_SEED;
    for (int i = 0; i < path.length(); i++) {
      h = (h ^ path.charAt(i)) * 0x100000001B3L;
    }
    return h;
  }

  /** SplitMix64's finalizer: a bijection with {@code mix(0) == 0}. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
