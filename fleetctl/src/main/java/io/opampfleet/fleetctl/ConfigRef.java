package io.opampfleet.fleetctl;

import io.opampfleet.client.FleetClient;

/** {@code NAME@VERSION}, or {@code NAME} for its latest version on the server. */
record ConfigRef(String name, int version) {
  static ConfigRef resolve(String text, FleetClient client) {
    int at = text.lastIndexOf('@');
    if (at > 0) {
      try {
        return new ConfigRef(text.substring(0, at), Integer.parseInt(text.substring(at + 1)));
      } catch (NumberFormatException e) {
        throw new UsageException("a config is NAME or NAME@VERSION, not '" + text + "'");
      }
    }
    return client.configs().stream().filter(config -> config.name().equals(text)).findFirst()
        .map(config -> new ConfigRef(config.name(), config.version()))
        .orElseThrow(() -> new UsageException("there is no config '" + text + "' on the server (fleetctl get configs)"));
  }

  @Override
  public String toString() {
    return name + "@" + version;
  }
}
