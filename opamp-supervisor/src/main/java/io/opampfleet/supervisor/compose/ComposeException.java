package io.opampfleet.supervisor.compose;

/** A config the supervisor cannot compose, such as remote YAML that does not parse; the reason is for FAILED. */
public final class ComposeException extends Exception {
  private static final long serialVersionUID = 1L;

  public ComposeException(String message) {
    super(message);
  }
}
