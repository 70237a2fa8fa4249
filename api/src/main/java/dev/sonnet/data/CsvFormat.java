package dev.sonnet.data;

import java.util.Objects;

/**
 * How {@link Datasets#fromCsv} reads a file: every column but the label is a float32 feature,
 * gathered into one {@code features} column of shape {@code [numberOfFeatures]}; the label column,
 * when named, becomes {@code label} (int32 class ids, or float32 targets).
 *
 * @param delimiter the field separator (default {@code ','})
 * @param header whether the first line names the columns (default true)
 * @param label the label column: its header name, or its 0-based position as a number when there is
 *     no header; null for none (default)
 * @param integerLabels whether labels are class ids (int32, default) or float32 targets
 */
public record CsvFormat(char delimiter, boolean header, String label, boolean integerLabels) {
  /** Comma-separated, with a header, no label column. */
  public static final CsvFormat DEFAULT = new CsvFormat(',', true, null, true);

  public CsvFormat {
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
      throw new IllegalArgumentException("CsvFormat: delimiter cannot be " + (int) delimiter);
    }
  }

  public CsvFormat withDelimiter(char d) {
    return new CsvFormat(d, header, label, integerLabels);
  }

  public CsvFormat withHeader(boolean h) {
    return new CsvFormat(delimiter, h, label, integerLabels);
  }

  /** Column {@code name} holds integer class ids, delivered as the int32 column {@code label}. */
  public CsvFormat withIntLabel(String name) {
    return new CsvFormat(delimiter, header, Objects.requireNonNull(name), true);
  }

  /** Column {@code name} holds numbers, delivered as the float32 column {@code label}. */
  public CsvFormat withFloatLabel(String name) {
    return new CsvFormat(delimiter, header, Objects.requireNonNull(name), false);
  }
}
