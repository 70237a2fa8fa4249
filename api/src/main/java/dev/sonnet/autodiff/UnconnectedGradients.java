package dev.sonnet.autodiff;

/** What {@link GradientTape#gradient} returns for a source the target does not depend on. */
public enum UnconnectedGradients {
  /** A tensor of zeros shaped like the source (the default: results are never null). */
  ZERO,
  /** {@code null}, to tell "unconnected" apart from "zero gradient". */
  NONE
}
