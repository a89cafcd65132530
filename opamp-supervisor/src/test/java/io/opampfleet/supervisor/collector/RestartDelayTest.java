package io.opampfleet.supervisor.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RestartDelayTest {
  @Test
  void theDelayDoublesWithEachCrashUpToAMinuteWithinAQuarterOfJitter() {
    for (int crashes = 1; crashes <= 20; crashes++) {
      long base = Math.min(60_000, 500L << Math.min(crashes - 1, 10));
      for (int i = 0; i < 50; i++) {
        assertThat(CollectorProcess.restartDelay(crashes)).isBetween(base - base / 4, base);
      }
    }
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      seen.add(CollectorProcess.restartDelay(3));
    }
    assertThat(seen).as("jitter: not all the same").hasSizeGreaterThan(1);
  }

  @Test
  void aCollectorThatRanSteadilyBeforeItEndedStartsOverFromTheShortestWait() {
    assertThat(CollectorProcess.crashesAfter(7, Duration.ofSeconds(3))).isEqualTo(8);
    assertThat(CollectorProcess.crashesAfter(7, CollectorProcess.STEADY)).isEqualTo(1);
    assertThat(CollectorProcess.crashesAfter(0, Duration.ofHours(3))).isEqualTo(1);
  }
}
