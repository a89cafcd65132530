package io.opampfleet.server.internal.rollout;

/** How many failed or unhealthy agents one wave may have: a count ({@code 2}) or a share ({@code 10%}). */
public record FailureBudget(double amount, boolean percent) {
  /** @throws IllegalArgumentException saying how to write it */
  public static FailureBudget parse(String text) {
    if (text == null || text.isBlank()) {
      return new FailureBudget(0, false);
    }
    String item = text.trim();
    boolean percent = item.endsWith("%");
    try {
      double amount = Double.parseDouble(percent ? item.substring(0, item.length() - 1).trim() : item);
      if (!Double.isFinite(amount) || amount < 0 || (percent && amount > 100)
          || (!percent && amount != Math.rint(amount))) {
        throw new NumberFormatException();
      }
      return new FailureBudget(amount, percent);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("failure budget '" + text
          + "' must be a whole number of agents (2) or a percentage of the wave (10%)");
    }
  }

  /** Failures a wave of this size may have before the rollout stops and rolls back. */
  public int allowed(int waveSize) {
    return percent ? (int) Math.floor(waveSize * amount / 100.0) : (int) amount;
  }

  @Override
  public String toString() {
    return Amounts.format(amount, percent);
  }
}
