package io.opampfleet.server.internal.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WavePlanTest {
  @Test
  void stepsAreCumulativeAndWhatIsLeftIsTheLastWave() {
    assertThat(WavePlan.parse("1%,10%,50%").sizes(200)).containsExactly(2, 18, 80, 100);
    assertThat(WavePlan.parse("5,50,100%").sizes(30)).containsExactly(5, 25);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0%|wave '0%' must be a percentage above 0% and at most 100%, or a whole number of agents from 1 to 10000000",
      "20000000|wave '20000000' must be a percentage above 0% and at most 100%, or a whole number of agents from 1 to 10000000",
      "ten|wave 'ten' is not a percentage (10%) or a count of agents (5)"})
  void aWrongStepIsNamed(String waves, String message) {
    assertThatThrownBy(() -> WavePlan.parse(waves)).hasMessage(message);
  }

  @Test
  void aPlanTheStoreCouldNotHoldIsRefusedInTheApisOwnWords() {
    String tenThousand = IntStream.rangeClosed(1, 10_000).mapToObj(Integer::toString).collect(Collectors.joining(","));
    assertThatThrownBy(() -> WavePlan.parse(tenThousand)).hasMessage("a rollout has at most 50 waves, not 10000");

    String longPercents = String.join(",", List.of("33.333333333333336%").stream()
        .flatMap(step -> IntStream.range(0, 30).mapToObj(i -> step)).toList());
    assertThatThrownBy(() -> WavePlan.parse(longPercents)).hasMessage(
        "the waves take 599 characters written out; at most 500: use fewer or rounder steps");
  }
}
