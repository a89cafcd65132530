package io.opampfleet.server.internal.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {
  private static final Map<String, String> CHECKOUT = Map.of(
      "service.name", "checkout",
      "deployment.environment", "prod",
      "k8s.namespace.name", "shop",
      "host.name", "node-7");

  @Test
  void equalsMatchesTheSameValue() {
    assertThat(LabelSelector.parse("service.name=checkout").matches(CHECKOUT)).isTrue();
  }

  @Test
  void equalsDoesNotMatchAnotherValue() {
    assertThat(LabelSelector.parse("service.name=cart").matches(CHECKOUT)).isFalse();
  }

  @Test
  void equalsDoesNotMatchAnAbsentKey() {
    assertThat(LabelSelector.parse("region=eu").matches(CHECKOUT)).isFalse();
  }

  @Test
  void doubleEqualsMeansTheSameAsEquals() {
    assertThat(LabelSelector.parse("service.name==checkout")).isEqualTo(LabelSelector.parse("service.name=checkout"));
  }

  @Test
  void notEqualsMatchesAnotherValue() {
    assertThat(LabelSelector.parse("deployment.environment!=staging").matches(CHECKOUT)).isTrue();
  }

  @Test
  void notEqualsDoesNotMatchTheSameValue() {
    assertThat(LabelSelector.parse("deployment.environment!=prod").matches(CHECKOUT)).isFalse();
  }

  @Test
  void notEqualsMatchesWhenTheKeyIsAbsent() {
    assertThat(LabelSelector.parse("region!=eu").matches(CHECKOUT)).isTrue();
  }

  @Test
  void inMatchesAnyListedValue() {
    assertThat(LabelSelector.parse("deployment.environment in (staging, prod)").matches(CHECKOUT)).isTrue();
  }

  @Test
  void inDoesNotMatchAnUnlistedValue() {
    assertThat(LabelSelector.parse("deployment.environment in (dev,staging)").matches(CHECKOUT)).isFalse();
  }

  @Test
  void inDoesNotMatchAnAbsentKey() {
    assertThat(LabelSelector.parse("region in (eu,us)").matches(CHECKOUT)).isFalse();
  }

  @Test
  void notinMatchesAnUnlistedValue() {
    assertThat(LabelSelector.parse("deployment.environment notin (dev,staging)").matches(CHECKOUT)).isTrue();
  }

  @Test
  void notinDoesNotMatchAListedValue() {
    assertThat(LabelSelector.parse("deployment.environment notin (prod)").matches(CHECKOUT)).isFalse();
  }

  @Test
  void notinMatchesWhenTheKeyIsAbsent() {
    assertThat(LabelSelector.parse("region notin (eu)").matches(CHECKOUT)).isTrue();
  }

  @Test
  void existsMatchesAPresentKey() {
    assertThat(LabelSelector.parse("host.name").matches(CHECKOUT)).isTrue();
  }

  @Test
  void existsDoesNotMatchAnAbsentKey() {
    assertThat(LabelSelector.parse("region").matches(CHECKOUT)).isFalse();
  }

  @Test
  void notExistsMatchesAnAbsentKey() {
    assertThat(LabelSelector.parse("!region").matches(CHECKOUT)).isTrue();
  }

  @Test
  void notExistsDoesNotMatchAPresentKey() {
    assertThat(LabelSelector.parse("!host.name").matches(CHECKOUT)).isFalse();
  }

  @Test
  void aNullValueCountsAsAbsent() {
    Map<String, String> labels = new HashMap<>();
    labels.put("region", null);

    assertThat(LabelSelector.parse("!region").matches(labels)).isTrue();
  }

  @Test
  void everyRequirementMustHold() {
    LabelSelector selector = LabelSelector.parse("service.name=checkout, deployment.environment in (prod), !region");

    assertThat(selector.matches(CHECKOUT)).isTrue();
    assertThat(selector.matches(Map.of("service.name", "checkout", "deployment.environment", "dev"))).isFalse();
  }

  @Test
  void commasInsideParenthesesBelongToTheList() {
    LabelSelector selector = LabelSelector.parse("deployment.environment in (dev, prod), host.name");

    assertThat(selector.matches(CHECKOUT)).isTrue();
    assertThat(selector.matches(Map.of("deployment.environment", "prod"))).isFalse();
  }

  @Test
  void anEmptyValueMatchesOnlyTheEmptyString() {
    LabelSelector selector = LabelSelector.parse("region=");

    assertThat(selector.matches(Map.of("region", ""))).isTrue();
    assertThat(selector.matches(Map.of("region", "eu"))).isFalse();
    assertThat(selector.matches(Map.of())).isFalse();
  }

  @Test
  void anEmptyValueMayBeFollowedByAnotherRequirement() {
    assertThat(LabelSelector.parse("region= , host.name").matches(Map.of("region", "", "host.name", "a"))).isTrue();
  }

  @Test
  void bareValuesMayHoldColonsAndSlashes() {
    assertThat(LabelSelector.parse("image=ghcr.io/acme/collector:0.115.0")
        .matches(Map.of("image", "ghcr.io/acme/collector:0.115.0"))).isTrue();
  }

  @Test
  void quotedValuesMayHoldSpacesCommasAndParentheses() {
    LabelSelector selector = LabelSelector.parse("os.description in (\"Ubuntu 24.04, LTS\", \"(other)\")");

    assertThat(selector.matches(Map.of("os.description", "Ubuntu 24.04, LTS"))).isTrue();
    assertThat(selector.matches(Map.of("os.description", "(other)"))).isTrue();
  }

  @Test
  void quotedValuesUnescapeQuotesAndBackslashes() {
    assertThat(LabelSelector.parse("path=\"C:\\\\Program Files\\\\\\\"x\\\"\"")
        .matches(Map.of("path", "C:\\Program Files\\\"x\""))).isTrue();
  }

  @Test
  void whitespaceAroundTokensIsIgnored() {
    assertThat(LabelSelector.parse("  service.name  =  checkout ,\t! region , host.name notin ( a ,b )  "))
        .isEqualTo(LabelSelector.parse("service.name=checkout,!region,host.name notin (a,b)"));
  }

  @Test
  void nullOrBlankTextMatchesEverything() {
    assertThat(LabelSelector.parse(null).matches(Map.of())).isTrue();
    assertThat(LabelSelector.parse(" \t ").matches(Map.of("any", "thing"))).isTrue();
    assertThat(LabelSelector.parse("").matches(Map.of())).isTrue();
    assertThat(LabelSelector.parse("").toString()).isEmpty();
  }

  @Test
  void toStringIsCanonical() {
    assertThat(LabelSelector.parse("tier in ( web , api, web ) , env==prod , !region, env==prod, note = \"a b\", e="))
        .hasToString("e=\"\",env=prod,note=\"a b\",!region,tier in (api,web)");
  }

  @Test
  void selectorsThatDifferOnlyInOrderAreEqual() {
    LabelSelector one = LabelSelector.parse("a=1, b in (x,y)");
    LabelSelector other = LabelSelector.parse("b in (y,x), a=1");

    assertThat(one).isEqualTo(other).hasSameHashCodeAs(other);
  }

  @Test
  void toStringParsesBackToAnEqualSelector() {
    List<String> texts = List.of(
        "service.name=checkout",
        "a!=b, c notin (\"x y\", \"\", z), !d, e",
        "k8s.pod.name in (\"quote \\\" and backslash \\\\\"), v==\"\"",
        "image=ghcr.io/acme/collector:0.115.0, x=");

    for (String text : texts) {
      LabelSelector selector = LabelSelector.parse(text);
      assertThat(LabelSelector.parse(selector.toString())).as(text).isEqualTo(selector);
    }
  }

  @Test
  void anUnclosedParenthesisIsReportedWhereTheListShouldContinue() {
    SelectorException error = failure("env in (a,b");

    assertThat(error.column()).isEqualTo(12);
    assertThat(error).hasMessage(
        "selector \"env in (a,b\": at column 12: expected ',' or ')' to continue the value list, found the end of the selector");
  }

  @Test
  void aTrailingCommaIsReportedAfterIt() {
    SelectorException error = failure("env=prod,");

    assertThat(error.column()).isEqualTo(10);
    assertThat(error).hasMessageContaining("or '!' to start a requirement after ','");
  }

  @Test
  void anEmptyListIsReportedAtItsClosingParenthesis() {
    SelectorException error = failure("env in ()");

    assertThat(error.column()).isEqualTo(9);
    assertThat(error).hasMessageContaining(") in the list, found ')'");
  }

  @Test
  void anEmptyListEntryIsAnError() {
    assertThat(failure("env in (a,)").column()).isEqualTo(11);
  }

  @Test
  void aBadCharacterInAValueIsReportedWithAHintToQuote() {
    SelectorException error = failure("env=pr@d");

    assertThat(error.column()).isEqualTo(7);
    assertThat(error).hasMessageContaining("quote values").hasMessageEndingWith("found '@'");
  }

  @Test
  void aBadCharacterAfterAKeyIsReported() {
    SelectorException error = failure("env>3");

    assertThat(error.column()).isEqualTo(4);
    assertThat(error).hasMessageContaining("expected an operator");
  }

  @Test
  void garbageAfterAnEmptyValueIsReported() {
    assertThat(failure("env= ,)").column()).isEqualTo(7);
  }

  @Test
  void anUnclosedQuoteIsReportedAtTheOpeningQuote() {
    SelectorException error = failure("env=\"prod, x");

    assertThat(error.column()).isEqualTo(5);
    assertThat(error).hasMessageContaining("expected a closing '\"'");
  }

  @Test
  void anUnknownEscapeIsReported() {
    assertThat(failure("env=\"a\\nb\"").column()).isEqualTo(7);
  }

  @Test
  void inWithoutAParenthesisIsReported() {
    SelectorException error = failure("env in prod");

    assertThat(error.column()).isEqualTo(8);
    assertThat(error).hasMessageContaining("expected '(' to start the value list after 'in'");
  }

  @Test
  void aMissingKeyIsReported() {
    SelectorException error = failure(" =prod");

    assertThat(error.column()).isEqualTo(2);
    assertThat(error).hasMessageContaining("expected a key (").hasMessageEndingWith("found '='");
  }

  @Test
  void aLoneBangIsReported() {
    assertThat(failure("env!prod").column()).isEqualTo(5);
  }

  @Test
  void anUnknownOperatorWordIsReportedWhole() {
    assertThat(failure("env within (a)")).hasMessageEndingWith("found 'within'");
  }

  @Test
  void aSecondRequirementWithoutACommaIsReported() {
    assertThat(failure("env=prod tier=web").column()).isEqualTo(10);
  }

  private static SelectorException failure(String text) {
    SelectorException error = catchThrowableOfType(SelectorException.class, () -> LabelSelector.parse(text));
    assertThat(error).as("parse error for %s", text).isNotNull();
    return error;
  }
}
