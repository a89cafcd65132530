package io.opampfleet.strictyaml;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written the Go way, as the Go supervisor's files have them: {@code 5s}, {@code 1m30s}, {@code 250ms}. */
public final class GoDuration {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
  private static final Map<String, Long> NANOS = Map.of("ns", 1L, "us", 1_000L, "µs", 1_000L, "μs", 1_000L,
      "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);

  private GoDuration() {}

  /** @throws IllegalArgumentException with a sentence when the text is not a Go duration */
  public static Duration parse(String text) {
    String value = text.trim();
    boolean negative = value.startsWith("-");
    if (negative || value.startsWith("+")) {
      value = value.substring(1);
    }
    if (value.equals("0")) {
      return Duration.ZERO;
    }
    Matcher part = PART.matcher(value);
    BigDecimal nanos = BigDecimal.ZERO;
    int end = 0;
    while (part.lookingAt()) {
      nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(NANOS.get(part.group(2)))));
      end = part.end();
      part.region(end, value.length());
    }
    if (end == 0 || end != value.length()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration; write it like 5s, 1m30s or 250ms");
    }
    // As in Go: fractions of a nanosecond are dropped, and a duration is at most 2^63-1 ns.
    BigDecimal whole = nanos.setScale(0, RoundingMode.DOWN);
    if (whole.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      throw new IllegalArgumentException("'" + text + "' is longer than a duration can be (2562047h, about 292 years)");
    }
    Duration duration = Duration.ofNanos(whole.longValue());
    return negative ? duration.negated() : duration;
  }

  /** The Go way of writing a duration, for the collector's config: {@code 1m30s}, {@code 250ms}. */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    if (duration.toNanos() % 1_000_000_000L != 0) {
      return duration.toNanos() % 1_000_000L == 0 ? duration.toMillis() + "ms" : duration.toNanos() + "ns";
    }
    long seconds = duration.getSeconds();
    StringBuilder text = new StringBuilder();
    if (seconds >= 3600) {
      text.append(seconds / 3600).append('h');
    }
    if (seconds % 3600 >= 60) {
      text.append(seconds % 3600 / 60).append('m');
    }
    if (seconds % 60 != 0 || text.length() == 0) {
      text.append(seconds % 60).append('s');
    }
    return text.toString();
  }
}
