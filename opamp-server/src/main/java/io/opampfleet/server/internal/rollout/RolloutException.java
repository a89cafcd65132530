package io.opampfleet.server.internal.rollout;

/** A rollout request that cannot be carried out; the message says why and what to do. */
public final class RolloutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of refusal, so the API can answer with the right status. */
  public enum Kind { NOT_FOUND, CONFLICT, INVALID }

  private final Kind kind;

  public RolloutException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
