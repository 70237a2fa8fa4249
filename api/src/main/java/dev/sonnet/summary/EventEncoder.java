package dev.sonnet.summary;

import dev.sonnet.utils.ProtoWriter;

/**
 * TensorFlow's {@code Event} and {@code Summary} messages in the protobuf wire format, written with
 * {@link ProtoWriter}. Field numbers are those of tensorflow/core/util/event.proto and
 * tensorflow/core/framework/summary.proto, which TensorBoard reads.
 */
final class EventEncoder {
  // Event
  static final int EVENT_WALL_TIME = 1; // double
  static final int EVENT_STEP = 2; // int64
  static final int EVENT_FILE_VERSION = 3; // string
  static final int EVENT_SUMMARY = 5; // Summary

  // Summary
  static final int SUMMARY_VALUE = 1; // repeated Value
  // Summary.Value
  static final int VALUE_TAG = 1; // string
  static final int VALUE_SIMPLE_VALUE = 2; // float
  static final int VALUE_IMAGE = 4; // Image
  static final int VALUE_HISTO = 5; // HistogramProto
  // Summary.Image
  static final int IMAGE_HEIGHT = 1;
  static final int IMAGE_WIDTH = 2;
  static final int IMAGE_COLORSPACE = 3;
  static final int IMAGE_ENCODED = 4;
  // HistogramProto
  static final int HISTO_MIN = 1;
  static final int HISTO_MAX = 2;
  static final int HISTO_NUM = 3;
  static final int HISTO_SUM = 4;
  static final int HISTO_SUM_SQUARES = 5;
  static final int HISTO_BUCKET_LIMIT = 6;
  static final int HISTO_BUCKET = 7;

  /** What TensorBoard expects in a file's first event. */
  static final String FILE_VERSION = "brain.Event:2";

  private EventEncoder() {}

  static byte[] fileVersion(double wallTime) {
    return new ProtoWriter()
        .float64(EVENT_WALL_TIME, wallTime)
        .string(EVENT_FILE_VERSION, FILE_VERSION)
        .toByteArray();
  }

  static byte[] scalar(double wallTime, long step, String tag, float value) {
    return summary(
        wallTime,
        step,
        new ProtoWriter().string(VALUE_TAG, tag).float32(VALUE_SIMPLE_VALUE, value));
  }

  static byte[] histogram(double wallTime, long step, String tag, Histogram h) {
    ProtoWriter histo =
        new ProtoWriter()
            .float64(HISTO_MIN, h.min())
            .float64(HISTO_MAX, h.max())
            .float64(HISTO_NUM, h.count())
            .float64(HISTO_SUM, h.sum())
            .float64(HISTO_SUM_SQUARES, h.sumSquares())
            .packedDoubles(HISTO_BUCKET_LIMIT, h.bucketLimits())
            .packedDoubles(HISTO_BUCKET, h.bucketCounts());
    return summary(
        wallTime, step, new ProtoWriter().string(VALUE_TAG, tag).message(VALUE_HISTO, histo));
  }

  static byte[] image(
      double wallTime, long step, String tag, int height, int width, int channels, byte[] png) {
    ProtoWriter image =
        new ProtoWriter(png.length + 32)
            .varint(IMAGE_HEIGHT, height)
            .varint(IMAGE_WIDTH, width)
            .varint(IMAGE_COLORSPACE, channels)
            .bytes(IMAGE_ENCODED, png);
    return summary(
        wallTime, step, new ProtoWriter().string(VALUE_TAG, tag).message(VALUE_IMAGE, image));
  }

  private static byte[] summary(double wallTime, long step, ProtoWriter value) {
    return new ProtoWriter()
        .float64(EVENT_WALL_TIME, wallTime)
        .varint(EVENT_STEP, step)
        .message(EVENT_SUMMARY, new ProtoWriter().message(SUMMARY_VALUE, value))
        .toByteArray();
  }
}
