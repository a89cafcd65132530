package io.opampfleet.server.configs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The standing assignments in memory, and which of them applies to an agent: none, exactly one, or
 * a conflict of several, which the server reports instead of choosing.
 */
public final class Assignments {
  /** What the assignments say about one agent's labels. */
  public record Resolution(List<Assignment> matches) {
    public boolean conflict() {
      return matches.size() > 1;
    }

    public boolean single() {
      return matches.size() == 1;
    }
  }

  private final List<Assignment> all = new CopyOnWriteArrayList<>();

  public Assignments(List<Assignment> stored) {
    all.addAll(stored);
  }

  public List<Assignment> all() {
    return List.copyOf(all);
  }

  public void put(Assignment assignment) {
    all.removeIf(existing -> existing.name().equals(assignment.name()));
    all.add(assignment);
  }

  public void remove(String name) {
    all.removeIf(existing -> existing.name().equals(name));
  }

  public Resolution resolve(Map<String, String> labels) {
    List<Assignment> matches = new ArrayList<>();
    for (Assignment assignment : all) {
      if (assignment.selector().matches(labels)) {
        matches.add(assignment);
      }
    }
    return new Resolution(List.copyOf(matches));
  }
}
