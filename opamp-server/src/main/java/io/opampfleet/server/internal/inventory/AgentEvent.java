package io.opampfleet.server.internal.inventory;

/** Something that happened to an agent, kept in its history: {@code at} is epoch ms. */
public record AgentEvent(String uid, long at, Kind kind, String detail) {
  public enum Kind {
    CONNECTED, DISCONNECTED, CONFIG_SENT, CONFIG_APPLIED, CONFIG_FAILED, RESTART_SENT, CERTIFICATE_REFUSED,
    CERTIFICATE_ISSUED, PACKAGE_OFFERED, UNHEALTHY, HEALTHY, CONNECTION_SETTINGS_APPLIED,
    CONNECTION_SETTINGS_FAILED, DRIFTED, INCOMPATIBLE, EVENTS_LIMITED, UID_SHARED
  }
}
