package io.opampfleet.harness.loadtest;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How long an agent takes to apply a config: {@code 200} (fixed, ms), {@code uniform:100-500} or
 * {@code exp:200} (exponential with that mean, as real collectors' restarts spread out).
 */
record ApplyDelay(String kind, long low, long high) {
  static ApplyDelay parse(String text) {
    try {
      if (text.startsWith("uniform:")) {
        String[] range = text.substring("uniform:".length()).split("-");
        return new ApplyDelay("uniform", Long.parseLong(range[0].trim()), Long.parseLong(range[1].trim()));
      }
      if (text.startsWith("exp:")) {
        long mean = Long.parseLong(text.substring("exp:".length()).trim());
        return new ApplyDelay("exp", mean, mean);
      }
      long fixed = Long.parseLong(text.trim());
      return new ApplyDelay("fixed", fixed, fixed);
    } catch (RuntimeException e) {
      throw new LoadtestException("--apply-delay: '" + text + "' is not 200, uniform:100-500 or exp:200 (milliseconds)");
    }
  }

  long nextMillis() {
    return switch (kind) {
      case "uniform" -> ThreadLocalRandom.current().nextLong(low, high + 1);
      case "exp" -> (long) (-low * Math.log(1 - ThreadLocalRandom.current().nextDouble()));
      default -> low;
    };
  }
}
