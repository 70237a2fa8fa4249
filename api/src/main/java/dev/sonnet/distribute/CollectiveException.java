package dev.sonnet.distribute;

import dev.sonnet.SonnetException;

/**
 * A collective operation failed: a peer died, stayed silent past the timeout, sent something that
 * does not match this replica's call, or another replica's step threw. The message names the peer
 * (rank and, for network peers, its address) and what this replica was doing. The group is broken
 * afterwards: every later call on it throws too, so no replica waits for one that will never come.
 */
public class CollectiveException extends SonnetException {
  private static final long serialVersionUID = 1L;

  public CollectiveException(String message) {
    super(message);
  }

  public CollectiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
