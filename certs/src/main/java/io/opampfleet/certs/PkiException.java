package io.opampfleet.certs;

/** A PKI operation that cannot be done, with a sentence that names the input and the reason. */
public class PkiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PkiException(String message) {
    super(message);
  }

  public PkiException(String message, Throwable cause) {
    super(message, cause);
  }
}
