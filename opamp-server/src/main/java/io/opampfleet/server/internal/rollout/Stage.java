package io.opampfleet.server.internal.rollout;

import io.opampfleet.server.internal.selector.LabelSelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A wave by selector: the rollout's agents this selector matches (and no earlier stage did), each
 * stage with its own bake time, so teams roll out the way they stage (dev, then staging, then prod).
 */
public record Stage(LabelSelector selector, Duration bake) {
  /** More stages than any team stages through. */
  static final int MAX = 50;
  /** The most the stored stages take together: the store's column. */
  static final int MAX_TEXT = 20_000;

  /** The stages as stored: a line each, the bake in milliseconds, a space, the selector. */
  public static String toText(List<Stage> stages) {
    return stages.stream().map(stage -> stage.bake().toMillis() + " " + stage.selector())
        .collect(Collectors.joining("\n"));
  }

  public static List<Stage> fromText(String text) {
    List<Stage> stages = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return stages;
    }
    for (String line : text.split("\n")) {
      int space = line.indexOf(' ');
      stages.add(new Stage(LabelSelector.parse(line.substring(space + 1)),
          Duration.ofMillis(Long.parseLong(line.substring(0, space)))));
    }
    return stages;
  }
}
