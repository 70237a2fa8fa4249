package dev.sonnet.runtime.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Axis merging and row walking, the skeleton under the broadcasting kernels. */
class StridedRowsTest {

  @Test
  void denseSameShape_mergesIntoOneRow() {
    int[] shape = {2, 3, 4};
    long[] dense = StridedRows.denseStrides(shape);
    StridedRows rows = new StridedRows(shape, new long[2], dense, dense);
    assertThat(rows.shape()).containsExactly(24);
    assertThat(rows.rows()).isEqualTo(1);
    assertThat(rows.innerStride(0)).isEqualTo(1);
  }

  @Test
  void rowBroadcast_keepsRowsWithUnitInnerStrides() {
    int[] shape = {5, 1, 7};
    StridedRows rows =
        new StridedRows(shape, new long[2], StridedRows.denseStrides(shape), new long[] {0, 0, 1});
    assertThat(rows.shape()).containsExactly(5, 7);
    assertThat(rows.innerStride(1)).isEqualTo(1);
    assertThat(rows.stride(1, 0)).isZero();
  }

  @Test
  void cursor_walksTransposedOffsetsFromAnyStartRow() {
    // [3, 2] read from a [2, 3] matrix: strides (1, 3); base offset 10.
    StridedRows rows = new StridedRows(new int[] {3, 2}, new long[] {10}, new long[] {1, 3});
    StridedRows.Cursor c = rows.cursor(1);
    assertThat(c.offset(0)).isEqualTo(11);
    c.next();
    assertThat(c.offset(0)).isEqualTo(12);
    assertThat(rows.innerStride(0)).isEqualTo(3);
  }

  @Test
  void emptyAndScalarShapes_haveZeroAndOneRows() {
    assertThat(new StridedRows(new int[] {4, 0}, new long[1], new long[] {0, 1}).rows()).isZero();
    StridedRows scalar = new StridedRows(new int[0], new long[1], new long[0]);
    assertThat(scalar.rows()).isEqualTo(1);
    assertThat(scalar.rowLength()).isEqualTo(1);
  }
}
