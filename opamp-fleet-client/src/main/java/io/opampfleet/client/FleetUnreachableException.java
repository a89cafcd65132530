package io.opampfleet.client;

/** No answer from the server: it could not be reached, or the connection failed. */
public final class FleetUnreachableException extends RuntimeException {
  public FleetUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
