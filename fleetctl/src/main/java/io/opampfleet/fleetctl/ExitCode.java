package io.opampfleet.fleetctl;

/** What fleetctl's exit status tells a script. */
final class ExitCode {
  static final int OK = 0;
  /** The answer is no: {@code diff} found differences (as diff(1) says it), a watched rollout did not succeed. */
  static final int NOT_SO = 1;
  /** A wrong flag, or a file with a mistake: nothing was sent. */
  static final int USAGE = 2;
  /** The server refused the call (a wrong token, a role too small, a config it cannot take). */
  static final int REFUSED = 3;
  /** The server could not be reached, or failed. */
  static final int UNREACHABLE = 4;

  private ExitCode() {}
}
