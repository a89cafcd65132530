package io.opampfleet.netty.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.netty.Backoff;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final Instant NOW = Instant.parse("2026-11-24T20:00:00Z");

  @Test
  void readsSecondsAndDates() {
    assertThat(RetryAfter.parse("120", NOW)).contains(Duration.ofSeconds(120));
    assertThat(RetryAfter.parse("Tue, 24 Nov 2026 20:01:30 GMT", NOW)).contains(Duration.ofSeconds(90));
    assertThat(RetryAfter.parse("Tue, 24 Nov 2026 19:00:00 GMT", NOW)).contains(Duration.ZERO);
  }

  @Test
  void ignoresWhatItCannotRead() {
    assertThat(RetryAfter.parse(null, NOW)).isEmpty();
    assertThat(RetryAfter.parse("soon", NOW)).isEmpty();
    assertThat(RetryAfter.parse("-5", NOW)).isEmpty();
  }

  @Test
  void backoffGrowsExponentiallyWithJitterUpToItsCeiling() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 2);

    for (int i = 0; i < 100; i++) {
      assertThat(backoff.delay(1)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
      assertThat(backoff.delay(4)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
      assertThat(backoff.delay(30)).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(60));
    }
    assertThat(java.util.stream.IntStream.range(0, 50).mapToObj(i -> backoff.delay(5)).distinct().count())
        .as("jitter spreads the delays").isGreaterThan(10);
  }
}
