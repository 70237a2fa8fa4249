package dev.sonnet.runtime.cpu;

import static dev.sonnet.runtime.cpu.KernelFixtures.SCALAR;
import static dev.sonnet.runtime.cpu.KernelFixtures.bool;
import static dev.sonnet.runtime.cpu.KernelFixtures.f32;
import static dev.sonnet.runtime.cpu.KernelFixtures.f64;
import static dev.sonnet.runtime.cpu.KernelFixtures.i32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sonnet.SonnetException;
import dev.sonnet.backend.DeviceBuffer;
import dev.sonnet.tensor.DType;
import org.junit.jupiter.api.Test;

/** Strided copy, gather and scatter-add. */
class CopyAndIndexKernelsTest {

  @Test
  void copy_transposesWithStrides() {
    DeviceBuffer src = SCALAR.upload(new int[] {1, 2, 3, 4, 5, 6}); // [2, 3]
    DeviceBuffer dst = SCALAR.allocate(DType.INT32, 6); // [3, 2]
    SCALAR.copy(src, 0, new long[] {1, 3}, dst, 0, new long[] {2, 1}, new int[] {3, 2});
    assertThat(i32(dst)).containsExactly(1, 4, 2, 5, 3, 6);
  }

  @Test
  void copy_slicesIntoAnOffsetBlock_asForConcat() {
    DeviceBuffer src = SCALAR.upload(new boolean[] {true, false, true, true});
    DeviceBuffer dst = SCALAR.allocate(DType.BOOL, 6); // [2, 3], columns 1..2 from src [2, 2]
    SCALAR.copy(src, 0, new long[] {2, 1}, dst, 1, new long[] {3, 1}, new int[] {2, 2});
    assertThat(bool(dst)).containsExactly(false, true, false, false, true, true);
  }

  @Test
  void copy_broadcastsWithZeroStrides_andHandlesEmptyShapes() {
    DeviceBuffer src = SCALAR.upload(new double[] {7, 8});
    DeviceBuffer dst = SCALAR.allocate(DType.FLOAT64, 6);
    SCALAR.copy(src, 0, new long[] {0, 1}, dst, 0, new long[] {2, 1}, new int[] {3, 2});
    assertThat(f64(dst)).containsExactly(7, 8, 7, 8, 7, 8);
    SCALAR.copy(src, 0, new long[] {0, 1}, dst, 0, new long[] {2, 1}, new int[] {0, 2});
    assertThat(f64(dst)).containsExactly(7, 8, 7, 8, 7, 8);
  }

  @Test
  void gather_selectsRowsAlongTheMiddleAxis() {
    // x [2, 3, 2]; pick axis-1 rows 2, 0, 2
    DeviceBuffer x = SCALAR.upload(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    DeviceBuffer idx = SCALAR.upload(new long[] {2, 0, 2});
    DeviceBuffer out = SCALAR.allocate(DType.FLOAT32, 12);
    SCALAR.gather(x, idx, out, 2, 3, 2);
    assertThat(f32(out)).containsExactly(5, 6, 1, 2, 5, 6, 11, 12, 7, 8, 11, 12);
  }

  @Test
  void scatterAdd_accumulatesDuplicateIndices() {
    DeviceBuffer updates = SCALAR.upload(new double[] {1, 2, 3, 4, 5, 6}); // [1, 3, 2]
    DeviceBuffer idx = SCALAR.upload(new int[] {1, 1, 0});
    DeviceBuffer out = SCALAR.upload(new double[] {100, 100, 0, 0}); // [1, 2, 2]
    SCALAR.scatterAdd(updates, idx, out, 1, 2, 2);
    assertThat(f64(out)).containsExactly(105, 106, 4, 6);
  }

  @Test
  void gather_outOfRangeIndex_namesTheValueAndAxisSize_andWritesNothing() {
    DeviceBuffer x = SCALAR.upload(new float[] {1, 2, 3});
    DeviceBuffer idx = SCALAR.upload(new int[] {0, 3});
    DeviceBuffer out = SCALAR.upload(new float[] {-1, -1});
    assertThatThrownBy(() -> SCALAR.gather(x, idx, out, 1, 3, 1))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("index 3")
        .hasMessageContaining("axis of size 3");
    assertThat(f32(out)).containsExactly(-1, -1);
  }

  @Test
  void scatterAdd_negativeIndex_explainsThatIndicesDoNotWrap() {
    DeviceBuffer updates = SCALAR.upload(new int[] {1});
    DeviceBuffer idx = SCALAR.upload(new long[] {-1});
    DeviceBuffer out = SCALAR.allocate(DType.INT32, 4);
    assertThatThrownBy(() -> SCALAR.scatterAdd(updates, idx, out, 1, 4, 1))
        .isInstanceOf(SonnetException.class)
        .hasMessageContaining("index -1")
        .hasMessageContaining("axis of size 4")
        .hasMessageContaining("do not wrap");
  }
}
