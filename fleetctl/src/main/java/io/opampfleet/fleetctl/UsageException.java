package io.opampfleet.fleetctl;

/** A mistake in the command line or in a file it names: said, and nothing is sent. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
