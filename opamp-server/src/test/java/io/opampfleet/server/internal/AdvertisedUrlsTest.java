package io.opampfleet.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdvertisedUrlsTest {
  @Test
  void otherPathsOfTheAgentsListenerKeepItsHostPortAndAProxysPrefix() {
    assertThat(AdvertisedUrls.httpBase("wss://opamp.example:4320/v1/opamp")).isEqualTo("https://opamp.example:4320");
    assertThat(AdvertisedUrls.httpBase("wss://edge.example/fleet/v1/opamp")).isEqualTo("https://edge.example/fleet");
    assertThat(AdvertisedUrls.httpBase("ws://10.0.0.5:4320/v1/opamp")).isEqualTo("http://10.0.0.5:4320");
    assertThat(AdvertisedUrls.httpBase("https://[::1]:4320/v1/opamp")).isEqualTo("https://[::1]:4320");
    // A path the server does not serve itself says nothing of a prefix.
    assertThat(AdvertisedUrls.httpBase("wss://edge.example/agents")).isEqualTo("https://edge.example");
  }
}
