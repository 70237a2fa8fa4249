package dev.sonnet.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a CSV file (RFC 4180 quoting: a field in double quotes may hold the delimiter and {@code
 * ""} for a quote; no line breaks inside fields) into an {@link ArrayDataset}. Every error names
 * the file, the line, the column and the text found.
 */
final class CsvReader {
  private CsvReader() {}

  static ArrayDataset read(Path file, CsvFormat format) {
    List<String[]> rows = new ArrayList<>();
    List<Integer> lineNumbers = new ArrayList<>();
    String[] names = null;
    int lineNo = 0;
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line; (line = in.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] fields = split(line, format.delimiter(), file, lineNo);
        if (names == null && format.header()) {
          names = fields;
          continue;
        }
        int expected = names != null ? names.length : rows.isEmpty() ? -1 : rows.get(0).length;
        if (expected >= 0 && fields.length != expected) {
          throw new DatasetException(
              file
                  + ":"
                  + lineNo
                  + ": "
                  + fields.length
                  + " fields, but "
                  + (names != null ? "the header has " : "the first row has ")
                  + expected);
        }
        rows.add(fields);
        lineNumbers.add(lineNo);
      }
    } catch (IOException e) {
      throw new DatasetException("Cannot read " + file + ": " + Describe.throwable(e), e);
    }
    if (rows.isEmpty()) {
      throw new DatasetException(file + " has no data rows");
    }
    int width = rows.get(0).length;
    if (names == null) {
      names = new String[width];
      for (int c = 0; c < width; c++) {
        names[c] = Integer.toString(c);
      }
    }
    int labelIndex = -1;
    if (format.label() != null) {
      labelIndex = Arrays.asList(names).indexOf(format.label());
      if (labelIndex < 0) {
        throw new DatasetException(
            file
                + ": no column '"
                + format.label()
                + "' for the label; the columns are "
                + Arrays.toString(names));
      }
    }
    int features = width - (labelIndex >= 0 ? 1 : 0);
    if (features == 0) {
      throw new DatasetException(file + ": no feature columns besides the label");
    }
    int n = rows.size();
    float[] x = new float[n * features];
    int[] intLabels = labelIndex >= 0 && format.integerLabels() ? new int[n] : null;
    float[] floatLabels = labelIndex >= 0 && !format.integerLabels() ? new float[n] : null;
    for (int r = 0; r < n; r++) {
      String[] fields = rows.get(r);
      int f = 0;
      for (int c = 0; c < width; c++) {
        if (c == labelIndex) {
          if (intLabels != null) {
            intLabels[r] = parseInt(fields[c], file, lineNumbers.get(r), names[c]);
          } else {
            floatLabels[r] = parseFloat(fields[c], file, lineNumbers.get(r), names[c]);
          }
        } else {
          x[r * features + f++] = parseFloat(fields[c], file, lineNumbers.get(r), names[c]);
        }
      }
    }
    List<Column> columns = new ArrayList<>();
    columns.add(Column.wrapFloats("features", x, features));
    if (intLabels != null) {
      columns.add(Column.wrapInts("label", intLabels));
    } else if (floatLabels != null) {
      columns.add(Column.wrapFloats("label", floatLabels));
    }
    return ArrayDataset.of(columns);
  }

  private static float parseFloat(String text, Path file, int line, String column) {
    try {
      return Float.parseFloat(text);
    } catch (NumberFormatException e) {
      throw new DatasetException(
          file + ":" + line + ", column '" + column + "': '" + text + "' is not a number");
    }
  }

  private static int parseInt(String text, Path file, int line, String column) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new DatasetException(
          file
              + ":"
              + line
              + ", column '"
              + column
              + "': label '"
              + text
              + "' is not an integer class id (map class names to 0..k-1, or use"
              + " CsvFormat.withFloatLabel for numeric targets)");
    }
  }

  /** Splits one line into fields, removing quotes. */
  static String[] split(String line, char delimiter, Path file, int lineNo) {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"' && field.isEmpty() && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
      } else if (c == delimiter) {
        out.add(wasQuoted ? field.toString() : field.toString().strip());
        field.setLength(0);
        wasQuoted = false;
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw new DatasetException(file + ":" + lineNo + ": a quoted field is not closed");
    }
    out.add(wasQuoted ? field.toString() : field.toString().strip());
    return out.toArray(String[]::new);
  }
}
