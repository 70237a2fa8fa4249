// Convolution unfolding and pooling over channels-last images, compiled per float dtype T.
// The geometry, widened to three spatial axes (missing leading axes have size 1), arrives as
//   g = (batch, channels, groups, cg, in0, in1, in2, k0, k1, k2, s0, s1, s2, d0, d1, d2)
//   h = (p0, p1, p2, out0, out1, out2, -, -)
// Every kernel gathers (one work-item per element it writes), so nothing needs atomics, and
// sums run in the CPU reference's order.

#define GEOMETRY \
  const int batch = g.s0, C = g.s1, groups = g.s2, cg = g.s3; \
  const int in0 = g.s4, in1 = g.s5, in2 = g.s6; \
  const int k0 = g.s7, k1 = g.s8, k2 = g.s9; \
  const int s0 = g.sa, s1 = g.sb, s2 = g.sc; \
  const int d0 = g.sd, d1 = g.se, d2 = g.sf; \
  const int p0 = h.s0, p1 = h.s1, p2 = h.s2; \
  const int out0 = h.s3, out1 = h.s4, out2 = h.s5; \
  const int outVolume = out0 * out1 * out2; \
  const int rows = batch * outVolume; \
  const int width = k0 * k1 * k2 * cg;

// The output coordinate whose window puts offset j on input coordinate i, or -1.
inline int window_of(int i, int j, int p, int d, int s, int out) {
  int t = i + p - j * d;
  if (t < 0 || t % s != 0) return -1;
  t /= s;
  return t < out ? t : -1;
}

// How many offsets j < k put start + j * d inside [0, in).
inline int inside(int start, int k, int d, int in) {
  int count = 0;
  for (int j = 0; j < k; j++) {
    int i = start + j * d;
    count += (i >= 0 && i < in);
  }
  return count;
}

// cols[g, r, col] = x[window element] or 0 in the padding.
__kernel void im2col(__global const T* x, __global T* cols, int16 g, int8 h, int total) {
  GEOMETRY
  int e = get_global_id(0);
  if (e >= total) return;
  int col = e % width;
  int t = e / width;
  int r = t % rows;
  int grp = t / rows;
  int n = r / outVolume;
  int o = r % outVolume;
  int o0 = o / (out1 * out2);
  int o1 = o / out2 % out1;
  int o2 = o % out2;
  int k = col / cg;
  int c = col % cg;
  int j0 = k / (k1 * k2);
  int j1 = k / k2 % k1;
  int j2 = k % k2;
  int i0 = o0 * s0 - p0 + j0 * d0;
  int i1 = o1 * s1 - p1 + j1 * d1;
  int i2 = o2 * s2 - p2 + j2 * d2;
  T v = 0;
  if (i0 >= 0 && i0 < in0 && i1 >= 0 && i1 < in1 && i2 >= 0 && i2 < in2) {
    v = x[((((long) n * in0 + i0) * in1 + i1) * in2 + i2) * C + grp * cg + c];
  }
  cols[e] = v;
}

// x[n, i, ch] += every cols entry that im2col copied from it, in increasing output position.
__kernel void col2im(__global const T* cols, __global T* x, int16 g, int8 h, int total) {
  GEOMETRY
  int e = get_global_id(0);
  if (e >= total) return;
  int ch = e % C;
  int t = e / C;
  int i2 = t % in2;
  t /= in2;
  int i1 = t % in1;
  t /= in1;
  int i0 = t % in0;
  int n = t / in0;
  int grp = ch / cg;
  int c = ch % cg;
  T acc = x[e];
  for (int j0 = k0 - 1; j0 >= 0; j0--) {
    int o0 = window_of(i0, j0, p0, d0, s0, out0);
    if (o0 < 0) continue;
    for (int j1 = k1 - 1; j1 >= 0; j1--) {
      int o1 = window_of(i1, j1, p1, d1, s1, out1);
      if (o1 < 0) continue;
      for (int j2 = k2 - 1; j2 >= 0; j2--) {
        int o2 = window_of(i2, j2, p2, d2, s2, out2);
        if (o2 < 0) continue;
        int r = n * outVolume + (o0 * out1 + o1) * out2 + o2;
        int col = ((j0 * k1 + j1) * k2 + j2) * cg + c;
        acc += cols[((long) grp * rows + r) * width + col];
      }
    }
  }
  x[e] = acc;
}

// out[r, ch]: the max (first of equals) or the mean over the window's in-input positions.
__kernel void pool(__global const T* x, __global T* out, int16 g, int8 h, int isMax, int total) {
  GEOMETRY
  int e = get_global_id(0);
  if (e >= total) return;
  int ch = e % C;
  int r = e / C;
  int n = r / outVolume;
  int o = r % outVolume;
  int b0 = (o / (out1 * out2)) * s0 - p0;
  int b1 = (o / out2 % out1) * s1 - p1;
  int b2 = (o % out2) * s2 - p2;
  T acc = 0;
  int count = 0;
  for (int j0 = 0; j0 < k0; j0++) {
    int i0 = b0 + j0 * d0;
    if (i0 < 0 || i0 >= in0) continue;
    for (int j1 = 0; j1 < k1; j1++) {
      int i1 = b1 + j1 * d1;
      if (i1 < 0 || i1 >= in1) continue;
      for (int j2 = 0; j2 < k2; j2++) {
        int i2 = b2 + j2 * d2;
        if (i2 < 0 || i2 >= in2) continue;
        T v = x[((((long) n * in0 + i0) * in1 + i1) * in2 + i2) * C + ch];
        if (!isMax) {
          acc += v;
        } else if (count == 0 || v > acc) {
          acc = v;
        }
        count++;
      }
    }
  }
  out[e] = count == 0 ? (T) 0 : (isMax ? acc : acc / (T) count);
}

// gradIn[n, i, ch] (overwritten): the sum over windows containing the element, in increasing
// output position, of gradOut / count (average) or of gradOut where the element is the window's
// first maximum (max).
__kernel void pool_backward(__global const T* x, __global const T* gradOut, __global T* gradIn,
    int16 g, int8 h, int isMax, int total) {
  GEOMETRY
  int e = get_global_id(0);
  if (e >= total) return;
  int ch = e % C;
  int t = e / C;
  int i2 = t % in2;
  t /= in2;
  int i1 = t % in1;
  t /= in1;
  int i0 = t % in0;
  int n = t / in0;
  T acc = 0;
  for (int j0 = k0 - 1; j0 >= 0; j0--) {
    int o0 = window_of(i0, j0, p0, d0, s0, out0);
    if (o0 < 0) continue;
    for (int j1 = k1 - 1; j1 >= 0; j1--) {
      int o1 = window_of(i1, j1, p1, d1, s1, out1);
      if (o1 < 0) continue;
      for (int j2 = k2 - 1; j2 >= 0; j2--) {
        int o2 = window_of(i2, j2, p2, d2, s2, out2);
        if (o2 < 0) continue;
        int r = n * outVolume + (o0 * out1 + o1) * out2 + o2;
        T dy = gradOut[(long) r * C + ch];
        int b0 = o0 * s0 - p0;
        int b1 = o1 * s1 - p1;
        int b2 = o2 * s2 - p2;
        if (!isMax) {
          int count = inside(b0, k0, d0, in0) * inside(b1, k1, d1, in1)
              * inside(b2, k2, d2, in2);
          acc += dy / (T) count;
          continue;
        }
        // The window's first maximum; the gradient goes there.
        T best = 0;
        long at = -1;
        for (int q0 = 0; q0 < k0; q0++) {
          int a0 = b0 + q0 * d0;
          if (a0 < 0 || a0 >= in0) continue;
          for (int q1 = 0; q1 < k1; q1++) {
            int a1 = b1 + q1 * d1;
            if (a1 < 0 || a1 >= in1) continue;
            for (int q2 = 0; q2 < k2; q2++) {
              int a2 = b2 + q2 * d2;
              if (a2 < 0 || a2 >= in2) continue;
              long src = ((((long) n * in0 + a0) * in1 + a1) * in2 + a2) * C + ch;
              T v = x[src];
              if (at < 0 || v > best) {
                best = v;
                at = src;
              }
            }
          }
        }
        if (at == e) acc += dy;
      }
    }
  }
  gradIn[e] = acc;
}
