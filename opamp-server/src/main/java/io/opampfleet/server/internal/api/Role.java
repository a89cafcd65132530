package io.opampfleet.server.internal.api;

import java.util.Locale;

/** What a token may do: viewers read, operators also change the fleet, admins also manage tokens. */
public enum Role {
  VIEWER, OPERATOR, ADMIN;

  public boolean allows(Role needed) {
    return ordinal() >= needed.ordinal();
  }

  public static Role parse(String text) {
    return valueOf(text.trim().toUpperCase(Locale.ROOT));
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
