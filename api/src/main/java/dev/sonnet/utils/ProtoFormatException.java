package dev.sonnet.utils;

import dev.sonnet.SonnetException;

/**
 * Bytes are not a valid protocol buffers message of the expected kind: a length runs past the end,
 * a varint is too long, a field has the wrong wire type. Readers of files catch it and name the
 * file ({@link ProtoReader} knows only the message).
 */
public final class ProtoFormatException extends SonnetException {
  private static final long serialVersionUID = 1L;

  public ProtoFormatException(String message) {
    super(message);
  }
}
