package io.opampfleet.client;

/** The server answered with an error: its HTTP status and the sentence it gave. */
public final class FleetApiException extends RuntimeException {
  private final int status;

  public FleetApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
