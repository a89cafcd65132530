package io.opampfleet.server.internal.store;

/** The store could not do what was asked; the message says what and why. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether the failure may pass: the store is unreachable or busy, not refusing the data. A failure
   * with no SQL error in it is a row the server cannot bind, which no retry mends.
   */
  public static boolean mayPass(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof java.sql.SQLException sql) {
        String state = sql.getSQLState();
        return sql instanceof java.sql.SQLTransientException || sql instanceof java.sql.SQLRecoverableException
            || state == null || state.startsWith("08") || state.startsWith("40") || state.startsWith("53")
            || state.startsWith("57") || state.startsWith("HY");
      }
    }
    return false;
  }

  /** The SQLSTATE of the store's error, empty when there is none. */
  public String sqlState() {
    for (Throwable cause = getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
    }
    return "";
  }
}
