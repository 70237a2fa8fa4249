package dev.sonnet.data;

/** Error-message helpers: an exception described even when its message is null. */
final class Describe {
  private Describe() {}

  /**
   * {@code ConnectException: Connection refused}, or the class name alone when there is no message
   * (a bare {@code null} says nothing), followed by the causes that add something, {@code (caused
   * by ...)}.
   */
  static String throwable(Throwable t) {
    StringBuilder sb = new StringBuilder();
    Throwable c = t;
    for (int depth = 0; c != null && depth < 4; depth++, c = c.getCause()) {
      String one =
          c.getClass().getSimpleName() + (c.getMessage() != null ? ": " + c.getMessage() : "");
      if (depth == 0) {
        sb.append(one);
      } else if (!sb.toString().contains(one)) {
        sb.append(" (caused by ").append(one).append(')');
      }
    }
    return sb.toString();
  }
}
