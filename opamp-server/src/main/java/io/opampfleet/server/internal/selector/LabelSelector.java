package io.opampfleet.server.internal.selector;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A Kubernetes-style label selector over an agent's attributes, used to pick agents for config assignments and rollouts.
 *
 * <p>Requirements are separated by commas and must all hold:
 * <ul>
 *   <li>{@code key=value}, {@code key==value}: the key is present with that value;
 *   <li>{@code key!=value}: the key is absent or has another value;
 *   <li>{@code key in (a, b)}: the key is present with one of the values;
 *   <li>{@code key notin (a, b)}: the key is absent or has none of the values;
 *   <li>{@code key}: the key is present; {@code !key}: the key is absent.
 * </ul>
 * Keys are made of letters, digits, {@code . _ - /} (so OpenTelemetry names such as {@code service.name} work as they
 * are); bare values may also hold {@code :}. Any other value is written as a double-quoted string with {@code \"} and
 * {@code \\} escapes. {@code key=} compares with the empty string.
 *
 * <p>Instances are immutable. Requirements are kept in a canonical order without repeats, so selectors that differ
 * only in order, spacing or {@code ==} versus {@code =} are equal and print the same.
 */
public final class LabelSelector {
  private static final LabelSelector EVERYTHING = new LabelSelector(List.of());

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements.stream().distinct().sorted(Requirement.CANONICAL_ORDER).toList();
  }

  /**
   * Parses a selector; null or blank text gives the selector that matches everything.
   *
   * @throws SelectorException if the text is malformed, with the column of the problem
   */
  public static LabelSelector parse(String text) {
    if (text == null || text.isBlank()) {
      return EVERYTHING;
    }
    return new LabelSelector(SelectorParser.parse(text));
  }

  /** Whether every requirement holds for these attributes. */
  public boolean matches(Map<String, String> labels) {
    Objects.requireNonNull(labels, "labels");
    return requirements.stream().allMatch(requirement -> requirement.matches(labels));
  }

  /** The canonical text, which {@link #parse} turns back into an equal selector; empty for the match-all selector. */
  @Override
  public String toString() {
    return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LabelSelector selector && requirements.equals(selector.requirements);
  }

  @Override
  public int hashCode() {
    return requirements.hashCode();
  }
}
