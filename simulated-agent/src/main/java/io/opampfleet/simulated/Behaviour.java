package io.opampfleet.simulated;

import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/** What a simulated agent does with each config it is sent. */
@FunctionalInterface
public interface Behaviour {
  /** The mark of a config that agents fail unless told otherwise. */
  String FAILS = "# fail";
  /** The mark of a config that fragile agents fail too (a part of a fleet, as in the load test's failing share). */
  String FRAGILE = "# fragile";
  /** The collector's reason for a config it cannot run, as the agents report it. */
  String REFUSED = "the collector refused the config: unknown component";

  /** The reaction to a config, given the text of its files. */
  Reaction react(String config);

  /** Applies every config at once. */
  static Behaviour applying() {
    return config -> Reaction.APPLY;
  }

  /** Fails every config that contains one of {@code marks} (as a collector refuses an unknown component); applies the rest. */
  static Behaviour failingConfigsMarked(String... marks) {
    List<String> all = List.of(marks);
    return config -> all.stream().anyMatch(config::contains) ? Reaction.fail(REFUSED) : Reaction.APPLY;
  }

  /** This behaviour, each reaction after a delay in milliseconds drawn from {@code millis}. */
  default Behaviour after(LongSupplier millis) {
    return config -> {
      Reaction reaction = react(config);
      long delay = millis.getAsLong();
      return delay > 0 ? reaction.after(Duration.ofMillis(delay)) : reaction;
    };
  }
}
