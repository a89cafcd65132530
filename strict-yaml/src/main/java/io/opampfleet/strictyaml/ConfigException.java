package io.opampfleet.strictyaml;

/** A configuration file that cannot be used: the message names the file, the key path and the reason. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
