package dev.sonnet.export.onnx;

import dev.sonnet.SonnetException;

/**
 * A function or graph that cannot be written as an ONNX model: an op with no ONNX equivalent, a
 * dtype ONNX export does not handle, a malformed graph (a value used before it is defined), or an
 * I/O failure writing the file (then with the {@link java.io.IOException} as its cause). The
 * message names the op, the value and the shapes involved.
 */
public class OnnxExportException extends SonnetException {
  private static final long serialVersionUID = 1L;

  public OnnxExportException(String message) {
    super(message);
  }

  public OnnxExportException(String message, Throwable cause) {
    super(message, cause);
  }
}
