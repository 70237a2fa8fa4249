package dev.sonnet.backend;

/**
 * Optional capability: upload raw unsigned bytes (image pixels) straight into a float32 buffer,
 * converting and scaling on the way, so 8-bit images never pass through a Java loop in user code or
 * an intermediate {@code float[]}. {@link dev.sonnet.tensor.Tensor#ofUnsignedBytes} looks for it
 * with {@code instanceof} and converts on the host otherwise, with the same arithmetic.
 */
public interface UnsignedByteUpload {
  /**
   * A new FLOAT32 buffer of {@code length} elements with {@code out[i] = (data[offset + i] & 0xff)
   * * scale + shift}, computed in float32 as written (a product, then a sum; no fused
   * multiply-add), so every backend gives the same bits. The caller has checked the range.
   */
  DeviceBuffer uploadUnsignedBytes(byte[] data, int offset, int length, float scale, float shift);
}
