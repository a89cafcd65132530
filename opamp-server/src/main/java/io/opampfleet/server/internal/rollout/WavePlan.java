package io.opampfleet.server.internal.rollout;

import java.util.ArrayList;
import java.util.List;

/**
 * How many agents each wave reaches, cumulatively: {@code 1%,10%,50%,100%} or absolute counts such
 * as {@code 5,50,100%}. Whatever is left after the last step goes in one final wave.
 */
public record WavePlan(List<Step> steps) {
  /** More steps than a rollout needs; the plan as stored fits its column (500 characters) within it. */
  static final int MAX_STEPS = 50;
  static final int MAX_COUNT = 10_000_000;
  static final int MAX_TEXT = 500;

  /** One cumulative step: a percentage of all targets, or a count of agents. */
  public record Step(double amount, boolean percent) {
    int reach(int total) {
      int reach = percent ? (int) Math.ceil(total * amount / 100.0) : (int) amount;
      return Math.min(total, Math.max(1, reach));
    }

    @Override
    public String toString() {
      return Amounts.format(amount, percent);
    }
  }

  /** @throws IllegalArgumentException naming the step that is wrong */
  public static WavePlan parse(String text) {
    if (text == null || text.isBlank()) {
      return new WavePlan(List.of(new Step(100, true)));
    }
    String[] parts = text.split(",");
    if (parts.length > MAX_STEPS) {
      throw new IllegalArgumentException("a rollout has at most " + MAX_STEPS + " waves, not " + parts.length);
    }
    List<Step> steps = new ArrayList<>();
    for (String part : parts) {
      String item = part.trim();
      boolean percent = item.endsWith("%");
      String number = percent ? item.substring(0, item.length() - 1).trim() : item;
      double amount;
      try {
        amount = Double.parseDouble(number);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("wave '" + item + "' is not a percentage (10%) or a count of agents (5)");
      }
      if (!Double.isFinite(amount) || amount <= 0 || (percent && amount > 100)
          || (!percent && (amount != Math.rint(amount) || amount > MAX_COUNT))) {
        throw new IllegalArgumentException("wave '" + item + "' must be a percentage above 0% and at most 100%, "
            + "or a whole number of agents from 1 to " + MAX_COUNT);
      }
      steps.add(new Step(amount, percent));
    }
    WavePlan plan = new WavePlan(List.copyOf(steps));
    if (plan.toString().length() > MAX_TEXT) {
      throw new IllegalArgumentException("the waves take " + plan.toString().length() + " characters written out;"
          + " at most " + MAX_TEXT + ": use fewer or rounder steps");
    }
    return plan;
  }

  /** The size of each wave for this many targets; waves that would be empty are left out. */
  public List<Integer> sizes(int total) {
    List<Integer> sizes = new ArrayList<>();
    int reached = 0;
    for (Step step : steps) {
      int reach = step.reach(total);
      if (reach > reached) {
        sizes.add(reach - reached);
        reached = reach;
      }
    }
    if (reached < total) {
      sizes.add(total - reached);
    }
    return sizes;
  }

  @Override
  public String toString() {
    return String.join(",", steps.stream().map(Step::toString).toList());
  }
}
