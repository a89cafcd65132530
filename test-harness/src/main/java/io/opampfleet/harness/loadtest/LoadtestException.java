package io.opampfleet.harness.loadtest;

/** A loadtest that cannot go on: the message names what is wrong (a file, an endpoint) and why. */
final class LoadtestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  LoadtestException(String message) {
    super(message);
  }
}
