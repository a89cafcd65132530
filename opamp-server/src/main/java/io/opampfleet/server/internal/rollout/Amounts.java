package io.opampfleet.server.internal.rollout;

/** How waves and budgets write an amount back: {@code 5} agents or {@code 12.5%}. */
final class Amounts {
  private Amounts() {}

  static String format(double amount, boolean percent) {
    String number = amount == Math.rint(amount) ? Long.toString((long) amount) : Double.toString(amount);
    return percent ? number + "%" : number;
  }
}
