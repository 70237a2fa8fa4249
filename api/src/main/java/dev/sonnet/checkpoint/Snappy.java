package dev.sonnet.checkpoint;

/**
 * A decoder of Snappy's raw block format, which LevelDB tables (the index of a TensorFlow
 * checkpoint) use to compress their blocks. Hostile input is refused, never trusted: the declared
 * length is checked against {@code maxLength} before the output is allocated, every literal and
 * copy is checked against the input and output bounds, and a copy must reach back into what was
 * already written. Problems are returned as a message ({@link Result#problem}) for the caller to
 * put into its own error naming the file.
 */
final class Snappy {
  private Snappy() {}

  /** The decoded bytes, or the problem that stopped decoding. */
  record Result(byte[] bytes, String problem) {}

  static Result decompress(byte[] in, int from, int to, int maxLength) {
    int[] at = {from};
    long declared = dev.sonnet.utils.ProtoReader.varint(in, at, to);
    if (declared < 0) {
      return fail("its length prefix is not a valid varint");
    }
    if (declared > maxLength) {
      return fail("it declares " + declared + " decompressed bytes, more than " + maxLength);
    }
    byte[] out = new byte[(int) declared];
    int o = 0;
    int p = at[0];
    while (p < to) {
      int tag = in[p++] & 0xFF;
      int kind = tag & 3;
      if (kind == 0) {
        int len = tag >>> 2;
        if (len >= 60) {
          int extra = len - 59;
          if (to - p < extra) {
            return fail("a literal's length runs past the end of the block");
          }
          long l = 0;
          for (int i = 0; i < extra; i++) {
            l |= (long) (in[p + i] & 0xFF) << (8 * i);
          }
          p += extra;
          if (l >= Integer.MAX_VALUE) {
            return fail("a literal of " + (l + 1) + " bytes");
          }
          len = (int) l;
        }
        len += 1;
        if (len > to - p || len > out.length - o) {
          return fail("a literal of " + len + " bytes runs past the end of its input or output");
        }
        System.arraycopy(in, p, out, o, len);
        p += len;
        o += len;
        continue;
      }
      int len;
      int offset;
      if (kind == 1) {
        if (to - p < 1) {
          return fail("a copy's offset runs past the end of the block");
        }
        len = 4 + ((tag >>> 2) & 7);
        offset = (tag >>> 5) << 8 | (in[p++] & 0xFF);
      } else {
        int n = kind == 2 ? 2 : 4;
        if (to - p < n) {
          return fail("a copy's offset runs past the end of the block");
        }
        len = 1 + (tag >>> 2);
        long off = 0;
        for (int i = 0; i < n; i++) {
          off |= (long) (in[p + i] & 0xFF) << (8 * i);
        }
        p += n;
        if (off > Integer.MAX_VALUE) {
          return fail("a copy's offset " + off + " is out of range");
        }
        offset = (int) off;
      }
      if (offset == 0 || offset > o) {
        return fail("a copy reaches back " + offset + " bytes, but " + o + " were written");
      }
      if (len > out.length - o) {
        return fail("a copy of " + len + " bytes runs past the declared length " + out.length);
      }
      for (int i = 0; i < len; i++) {
        out[o + i] = out[o - offset + i];
      }
      o += len;
    }
    if (o != out.length) {
      return fail("it decodes to " + o + " bytes, but declares " + out.length);
    }
    return new Result(out, null);
  }

  private static Result fail(String problem) {
    return new Result(null, "Snappy block: " + problem);
  }
}
