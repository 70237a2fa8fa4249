package dev.sonnet.backend;

/**
 * An optional capability of a {@link Backend}: one optimizer step for one parameter in a single
 * pass over memory (read the parameter, its gradient and its slots once, write the new values
 * once), instead of the five to fifteen elementwise kernels, each with its own output, that the
 * optimizer's formula takes when written with tensor operations.
 *
 * <p><b>Semantics.</b> Every rule is the optimizer's formula evaluated element by element in the
 * buffers' dtype, in the order the optimizers of {@code dev.sonnet.optimizers} write it, each
 * scalar hyper-parameter first converted to that dtype (as a tensor operation with a scalar
 * converts it). Each step is one IEEE operation (multiply, add, subtract, divide, square root), so
 * the result is bit-for-bit that of the unfused operations where the backend's own kernels are
 * correctly rounded; the one exception is {@code rsqrt}, computed as {@code 1 / sqrt(x)} in the
 * dtype (two roundings, as the CPU vector kernel does on full vectors; the CPU scalar reference,
 * and the vector kernel's scalar tail, round once from double, so the two may differ by one unit in
 * the last place of the factor there). With {@code lr}, {@code g} the gradient and {@code p} the
 * parameter:
 *
 * <ul>
 *   <li>{@link Rule#SGD}, hyper {@code [lr]}, slots none: {@code p' = p - g * lr}
 *   <li>{@link Rule#MOMENTUM}, hyper {@code [lr, mu]}, slots {@code [a]}: {@code a' = a * mu + g},
 *       {@code p' = p - a' * lr}
 *   <li>{@link Rule#NESTEROV}, hyper {@code [lr, mu]}, slots {@code [a]}: {@code a' = a * mu + g},
 *       {@code p' = p - (a' * mu + g) * lr}
 *   <li>{@link Rule#ADAM}, hyper {@code [lr, b1, 1 - b1, b2, 1 - b2, c1, c2, eps]} (c1, c2 the bias
 *       corrections {@code 1 - b^t}), slots {@code [m, v]}: {@code m' = m * b1 + g * (1 - b1)},
 *       {@code v' = v * b2 + (g * g) * (1 - b2)}, {@code p' = p - ((m' / c1) * lr) / (sqrt(v' / c2)
 *       + eps)}
 *   <li>{@link Rule#RMSPROP}, hyper {@code [lr, d, 1 - d, mu, eps]}, slots {@code [ms, mom]}:
 *       {@code ms' = ms * d + (g * g) * (1 - d)}, {@code mom' = mom * mu + (g * lr) * rsqrt(ms' +
 *       eps)}, {@code p' = p - mom'}
 *   <li>{@link Rule#RMSPROP_CENTERED}, same hyper, slots {@code [ms, mom, mg]}: also {@code mg' =
 *       mg * d + g * (1 - d)}, and {@code ms' - mg' * mg'} replaces {@code ms'} under the {@code
 *       rsqrt}
 * </ul>
 *
 * <p>{@code in} is {@code [p, g, slots...]} and {@code out} {@code [p', slots'...]} in the order
 * above; all dense, {@code size} elements, one floating dtype. Outputs are fresh buffers (from
 * {@link Backend#allocateUninitialized}), never inputs. A backend may decline (return false, having
 * written nothing); the caller then runs the formula with ordinary kernels, which is also how a
 * graph exporter describes the step.
 */
public interface FusedUpdate {

  /** The update formulas; see the class comment for each one's hyper-parameters and slots. */
  enum Rule {
    SGD(1, 0),
    MOMENTUM(2, 1),
    NESTEROV(2, 1),
    ADAM(8, 2),
    RMSPROP(5, 2),
    RMSPROP_CENTERED(5, 3);

    private final int hyperParameters;
    private final int slots;

    Rule(int hyperParameters, int slots) {
      this.hyperParameters = hyperParameters;
      this.slots = slots;
    }

    /** How many scalars the rule takes. */
    public int hyperParameters() {
      return hyperParameters;
    }

    /** How many slot buffers (besides the parameter and its gradient) it reads and writes. */
    public int slots() {
      return slots;
    }
  }

  /**
   * Runs {@code rule} over {@code size} elements.
   *
   * @return true when every output has been written; false when declined, nothing written
   */
  boolean fusedUpdate(Rule rule, double[] hyper, DeviceBuffer[] in, DeviceBuffer[] out, long size);
}
