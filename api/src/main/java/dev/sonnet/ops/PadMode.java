package dev.sonnet.ops;

/** How {@link ShapeOps#pad} fills the border, as NumPy's and TensorFlow's pad modes. */
public enum PadMode {
  /** A constant value. */
  CONSTANT,
  /**
   * Mirror without repeating the edge: {@code [1,2,3]} padded by 2 gives {@code 3,2,[1,2,3],2,1}.
   */
  REFLECT,
  /** Mirror repeating the edge: {@code [1,2,3]} padded by 2 gives {@code 2,1,[1,2,3],3,2}. */
  SYMMETRIC
}
