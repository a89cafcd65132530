package io.opampfleet.server.internal.configs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The standing assignments in memory, and which of them applies to an agent: none, exactly one, or
 * a conflict of several, which the server reports instead of choosing. Servers sharing a store read
 * them again whenever one of them changes them.
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

  /** Replaced whole on every change: a reader sees the assignments before or after it, never half. */
  private volatile List<Assignment> all;
  /** Counts the changes, so that an agent checked against older assignments is checked again. */
  private volatile long generation;

  public Assignments(List<Assignment> stored) {
    all = List.copyOf(stored);
  }

  public List<Assignment> all() {
    return all;
  }

  public synchronized void put(Assignment assignment) {
    List<Assignment> changed = new ArrayList<>(all);
    changed.removeIf(existing -> existing.name().equals(assignment.name()));
    changed.add(assignment);
    all = List.copyOf(changed);
    generation++;
  }

  public synchronized void remove(String name) {
    List<Assignment> changed = new ArrayList<>(all);
    changed.removeIf(existing -> existing.name().equals(name));
    all = List.copyOf(changed);
    generation++;
  }

  /** Takes the assignments as the store has them now. */
  public synchronized void reload(List<Assignment> stored) {
    if (!keys(stored).equals(keys(all))) {
      all = List.copyOf(stored);
      generation++;
    }
  }

  public long generation() {
    return generation;
  }

  private static List<String> keys(List<Assignment> assignments) {
    return assignments.stream().map(a -> a.name() + " " + a.selector() + " " + a.configName() + "@" + a.version())
        .sorted().toList();
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
