package dev.sonnet.data;

import dev.sonnet.tensor.DType;
import dev.sonnet.tensor.Shape;
import dev.sonnet.tensor.Tensor;
import java.util.Arrays;

/**
 * One named field of an {@link ArrayDataset}: a host array holding every example's value, each
 * example a dense row-major block of {@link #exampleShape()}. A batch of {@code n} examples becomes
 * one tensor of shape {@code [n, exampleShape...]}.
 *
 * <p>Three kinds: {@link #floats float32}, {@link #ints int32} (class labels, token ids) and {@link
 * #unsignedBytes unsigned bytes}, which stay bytes on the host (a quarter of the memory) and become
 * float32 {@code (b & 0xff) * scale + shift} as the backend uploads a batch ({@link
 * Tensor#ofUnsignedBytes}), so raw images never pass through a Java loop per pixel.
 */
public final class Column {
  /** How the values are stored on the host. */
  enum Kind {
    FLOAT32,
    INT32,
    UNSIGNED_BYTE
  }

  /** {@code 1 / 255}: bytes to {@code [0, 1]}, as torchvision's {@code ToTensor}. */
  public static final float DEFAULT_BYTE_SCALE = 1f / 255f;

  private final String name;
  private final Kind kind;
  private final Object data;
  private final int[] exampleShape;
  private final int exampleSize;
  private final int count;
  private final float scale;
  private final float shift;

  private Column(
      String name,
      Kind kind,
      Object data,
      int length,
      int[] exampleShape,
      float scale,
      float shift) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("Column: a column needs a non-blank name");
    }
    this.name = name;
    this.kind = kind;
    this.data = data;
    this.exampleShape = exampleShape.clone();
    long size = 1;
    for (int d : exampleShape) {
      if (d < 1) {
        throw new IllegalArgumentException(
            "Column '"
                + name
                + "': every dimension of the example shape must be >= 1, got "
                + Arrays.toString(exampleShape));
      }
      size *= d;
    }
    if (size > Integer.MAX_VALUE || length % size != 0) {
      throw new IllegalArgumentException(
          "Column '"
              + name
              + "': "
              + length
              + " values do not split into examples of shape "
              + Arrays.toString(exampleShape)
              + " ("
              + size
              + " values each)");
    }
    this.exampleSize = (int) size;
    this.count = (int) (length / size);
    this.scale = scale;
    this.shift = shift;
  }

  /** Float32 values, {@code data.length / prod(exampleShape)} examples; the array is copied. */
  public static Column floats(String name, float[] data, int... exampleShape) {
    return new Column(name, Kind.FLOAT32, data.clone(), data.length, exampleShape, 1, 0);
  }

  /**
   * Int32 values (labels, ids); a scalar per example when {@code exampleShape} is empty. Copied.
   */
  public static Column ints(String name, int[] data, int... exampleShape) {
    return new Column(name, Kind.INT32, data.clone(), data.length, exampleShape, 1, 0);
  }

  /**
   * Unsigned bytes (8-bit pixels) that batches deliver as float32 {@code (b & 0xff) / 255}, in
   * {@code [0, 1]}; {@link #scaled} picks another range. The array is copied.
   */
  public static Column unsignedBytes(String name, byte[] data, int... exampleShape) {
    return wrapBytes(name, data.clone(), exampleShape);
  }

  /** As {@link #unsignedBytes}, without the copy: for loaders that own the array. */
  static Column wrapBytes(String name, byte[] data, int... exampleShape) {
    return new Column(
        name, Kind.UNSIGNED_BYTE, data, data.length, exampleShape, DEFAULT_BYTE_SCALE, 0);
  }

  /** As {@link #ints}, without the copy. */
  static Column wrapInts(String name, int[] data, int... exampleShape) {
    return new Column(name, Kind.INT32, data, data.length, exampleShape, 1, 0);
  }

  /** As {@link #floats}, without the copy. */
  static Column wrapFloats(String name, float[] data, int... exampleShape) {
    return new Column(name, Kind.FLOAT32, data, data.length, exampleShape, 1, 0);
  }

  /**
   * This byte column delivering {@code (b & 0xff) * scale + shift} instead: {@code scaled(2 / 255f,
   * -1)} gives {@code [-1, 1]}. The bytes are shared, not copied.
   */
  public Column scaled(float scale, float shift) {
    if (kind != Kind.UNSIGNED_BYTE) {
      throw new IllegalArgumentException(
          "Column '"
              + name
              + "' holds "
              + dtype()
              + " values; scaled(scale, shift) applies to unsigned-byte columns only");
    }
    if (!Float.isFinite(scale) || !Float.isFinite(shift)) {
      throw new IllegalArgumentException(
          "Column '" + name + "': scale and shift must be finite, got " + scale + ", " + shift);
    }
    byte[] bytes = (byte[]) data;
    return new Column(name, kind, bytes, bytes.length, exampleShape, scale, shift);
  }

  public String name() {
    return name;
  }

  /** Number of examples. */
  public int count() {
    return count;
  }

  /** The shape of one example, e.g. {@code [28, 28, 1]}; empty for a scalar per example. */
  public int[] exampleShape() {
    return exampleShape.clone();
  }

  /** The dtype of the tensors this column gives: float32 for bytes, which are converted. */
  public DType dtype() {
    return kind == Kind.INT32 ? DType.INT32 : DType.FLOAT32;
  }

  /** For byte columns: the factor of {@code (b & 0xff) * scale + shift}; 1 otherwise. */
  public float scale() {
    return scale;
  }

  /** For byte columns: the offset of {@code (b & 0xff) * scale + shift}; 0 otherwise. */
  public float shift() {
    return shift;
  }

  Kind kind() {
    return kind;
  }

  /** Examples {@code indices[0 .. n)} copied row by row into one new host array. */
  Object gather(int[] indices, int n) {
    Object out =
        switch (kind) {
          case FLOAT32 -> new float[n * exampleSize];
          case INT32 -> new int[n * exampleSize];
          case UNSIGNED_BYTE -> new byte[n * exampleSize];
        };
    for (int i = 0; i < n; i++) {
      System.arraycopy(data, indices[i] * exampleSize, out, i * exampleSize, exampleSize);
    }
    return out;
  }

  /** The tensor {@code [n, exampleShape...]} of a host array made by {@link #gather}. */
  Tensor toTensor(Object host, int n) {
    int[] shape = new int[exampleShape.length + 1];
    shape[0] = n;
    System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
    return switch (kind) {
      case FLOAT32 -> Tensor.of((float[]) host, shape);
      case INT32 -> Tensor.of((int[]) host, shape);
      case UNSIGNED_BYTE -> Tensor.ofUnsignedBytes((byte[]) host, 0, scale, shift, shape);
    };
  }

  /** One example's values as floats (bytes converted as batches are). */
  float[] floatsOf(int index) {
    float[] out = new float[exampleSize];
    int base = index * exampleSize;
    switch (kind) {
      case FLOAT32 -> System.arraycopy(data, base, out, 0, exampleSize);
      case INT32 -> {
        int[] d = (int[]) data;
        for (int i = 0; i < exampleSize; i++) {
          out[i] = d[base + i];
        }
      }
      case UNSIGNED_BYTE -> {
        byte[] d = (byte[]) data;
        for (int i = 0; i < exampleSize; i++) {
          out[i] = (d[base + i] & 0xff) * scale + shift;
        }
      }
    }
    return out;
  }

  /** One int32 example's values. */
  int[] intsOf(int index) {
    if (kind != Kind.INT32) {
      throw new IllegalArgumentException(
          "Column '" + name + "' holds " + dtype() + " values, not int32; read it with floats()");
    }
    return Arrays.copyOfRange((int[]) data, index * exampleSize, (index + 1) * exampleSize);
  }

  @Override
  public String toString() {
    String type =
        kind == Kind.UNSIGNED_BYTE
            ? "u8->f32 (x * " + scale + " + " + shift + ")"
            : dtype().shortName();
    return name + ": " + type + Shape.of(exampleShape) + " x " + count;
  }
}
