package io.opampfleet.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void withoutJitterTheDelayDoublesExactlyUpToItsMaximum() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), 2, 0);

    assertThat(java.util.stream.IntStream.rangeClosed(1, 8).mapToObj(n -> backoff.delay(n).toMillis()).toList())
        .containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L);
  }

  @Test
  void jitterTakesUpToItsShareOffAtRandom() {
    Backoff client = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 2);
    Backoff restarts = new Backoff(Duration.ofMillis(500), Duration.ofMinutes(1), 2, 0.25);

    for (int i = 0; i < 200; i++) {
      assertThat(client.delay(3).toMillis()).isBetween(2000L, 4000L);
      assertThat(restarts.delay(30).toMillis()).isBetween(45_000L, 60_000L);
    }
    assertThat(java.util.stream.IntStream.range(0, 50).mapToObj(i -> client.delay(1)).distinct().count()).isGreaterThan(1);
  }

  @Test
  void aJitterOutsideZeroToOneOrAShrinkingMultiplierIsRefused() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 2, 1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier");
  }
}
