package io.opampfleet.proto.framing;

/** An OpAMP message that cannot be read: a bad WebSocket header or bytes that are not the message. */
public final class MalformedMessageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedMessageException(String message) {
    super(message);
  }

  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
