package io.opampfleet.server.internal.configs.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opampfleet.server.internal.configs.diff.DiffLine.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LineDiffTest {
  private static final String V1 = """
      receivers:
        otlp:
          protocols:
            grpc:
              endpoint: 0.0.0.0:4317
      processors:
        batch:
          timeout: 5s
      exporters:
        debug:
          verbosity: basic
      service:
        pipelines:
          traces:
            receivers: [otlp]
            processors: [batch]
            exporters: [debug]
      """;

  private static final String V2 = """
      receivers:
        otlp:
          protocols:
            grpc:
              endpoint: 0.0.0.0:4317
      processors:
        batch:
          timeout: 10s
        memory_limiter:
          limit_mib: 512
      exporters:
        debug:
          verbosity: basic
      service:
        pipelines:
          traces:
            receivers: [otlp]
            processors: [memory_limiter, batch]
            exporters: [debug]
      """;

  private static final int RANDOM_PAIRS = 200;

  @Test
  void equalTextsAreAllSame() {
    assertThat(LineDiff.between("a\nb\nc\n", "a\nb\nc\n")).containsExactly(
        new DiffLine(Kind.SAME, 1, 1, "a"),
        new DiffLine(Kind.SAME, 2, 2, "b"),
        new DiffLine(Kind.SAME, 3, 3, "c"));
  }

  @Test
  void addedLineHasOnlyANewLineNumber() {
    assertThat(LineDiff.between("a\nc\n", "a\nb\nc\n")).containsExactly(
        new DiffLine(Kind.SAME, 1, 1, "a"),
        new DiffLine(Kind.ADDED, 0, 2, "b"),
        new DiffLine(Kind.SAME, 2, 3, "c"));
  }

  @Test
  void removedLineHasOnlyAnOldLineNumber() {
    assertThat(LineDiff.between("a\nb\nc\n", "a\nc\n")).containsExactly(
        new DiffLine(Kind.SAME, 1, 1, "a"),
        new DiffLine(Kind.REMOVED, 2, 0, "b"),
        new DiffLine(Kind.SAME, 3, 2, "c"));
  }

  @Test
  void changedLineIsRemovedThenAdded() {
    assertThat(LineDiff.between("a\nb\nc\n", "a\nB\nc\n")).containsExactly(
        new DiffLine(Kind.SAME, 1, 1, "a"),
        new DiffLine(Kind.REMOVED, 2, 0, "b"),
        new DiffLine(Kind.ADDED, 0, 2, "B"),
        new DiffLine(Kind.SAME, 3, 3, "c"));
  }

  @Test
  void removedLinesOfAChangeComeBeforeAllItsAddedLines() {
    assertThat(LineDiff.between("a\nb\nc\nd\n", "a\nx\ny\nz\nd\n")).containsExactly(
        new DiffLine(Kind.SAME, 1, 1, "a"),
        new DiffLine(Kind.REMOVED, 2, 0, "b"),
        new DiffLine(Kind.REMOVED, 3, 0, "c"),
        new DiffLine(Kind.ADDED, 0, 2, "x"),
        new DiffLine(Kind.ADDED, 0, 3, "y"),
        new DiffLine(Kind.ADDED, 0, 4, "z"),
        new DiffLine(Kind.SAME, 4, 5, "d"));
  }

  @Test
  void emptyOldTextMakesEveryLineAdded() {
    assertThat(LineDiff.between("", "a\nb\n")).containsExactly(
        new DiffLine(Kind.ADDED, 0, 1, "a"),
        new DiffLine(Kind.ADDED, 0, 2, "b"));
  }

  @Test
  void emptyNewTextMakesEveryLineRemoved() {
    assertThat(LineDiff.between("a\nb\n", "")).containsExactly(
        new DiffLine(Kind.REMOVED, 1, 0, "a"),
        new DiffLine(Kind.REMOVED, 2, 0, "b"));
  }

  @Test
  void twoEmptyTextsHaveNoLines() {
    assertThat(LineDiff.between("", "")).isEmpty();
  }

  @Test
  void nullTextIsTreatedAsEmpty() {
    assertThat(LineDiff.between(null, "a\n")).containsExactly(new DiffLine(Kind.ADDED, 0, 1, "a"));
  }

  @Test
  void crlfAndLfVersionsOfATextAreTheSame() {
    assertThat(LineDiff.between("a\r\nb\r\n", "a\nb\n")).containsExactly(
        new DiffLine(Kind.SAME, 1, 1, "a"),
        new DiffLine(Kind.SAME, 2, 2, "b"));
  }

  @Test
  void carriageReturnIsNotPartOfAChangedLine() {
    assertThat(LineDiff.between("a\r\nb\r\n", "a\r\nc\r\n")).containsExactly(
        new DiffLine(Kind.SAME, 1, 1, "a"),
        new DiffLine(Kind.REMOVED, 2, 0, "b"),
        new DiffLine(Kind.ADDED, 0, 2, "c"));
  }

  @Test
  void finalNewlineDoesNotAddAnEmptyLine() {
    assertThat(LineDiff.between("a\nb", "a\nb\n")).containsExactly(
        new DiffLine(Kind.SAME, 1, 1, "a"),
        new DiffLine(Kind.SAME, 2, 2, "b"));
  }

  @Test
  void blankLinesInsideTheTextAreKept() {
    assertThat(LineDiff.between("a\n\nb\n", "a\nb\n")).containsExactly(
        new DiffLine(Kind.SAME, 1, 1, "a"),
        new DiffLine(Kind.REMOVED, 2, 0, ""),
        new DiffLine(Kind.SAME, 3, 2, "b"));
  }

  @Test
  void summaryCountsAddedAndRemovedLines() {
    LineDiff.Summary summary = LineDiff.summarize(LineDiff.between(V1, V2));

    assertThat(summary).isEqualTo(new LineDiff.Summary(4, 2));
    assertThat(summary.changed()).isEqualTo(6);
    assertThat(summary.identical()).isFalse();
  }

  @Test
  void unifiedIsEmptyForEqualTexts() {
    assertThat(LineDiff.unified("v1.yaml", "v2.yaml", V1, V1.replace("\n", "\r\n"), 3)).isEmpty();
  }

  @Test
  void unifiedMatchesGnuDiffForAConfigChange() {
    // Output of: diff -u --label v1.yaml --label v2.yaml v1.yaml v2.yaml (GNU diffutils).
    String expected = """
        --- v1.yaml
        +++ v2.yaml
        @@ -5,7 +5,9 @@
                 endpoint: 0.0.0.0:4317
         processors:
           batch:
        -    timeout: 5s
        +    timeout: 10s
        +  memory_limiter:
        +    limit_mib: 512
         exporters:
           debug:
             verbosity: basic
        @@ -13,5 +15,5 @@
           pipelines:
             traces:
               receivers: [otlp]
        -      processors: [batch]
        +      processors: [memory_limiter, batch]
               exporters: [debug]
        """;

    assertThat(LineDiff.unified("v1.yaml", "v2.yaml", V1, V2, 3)).isEqualTo(expected);
  }

  @Test
  void unifiedMergesChangesWithinTwiceTheContextLikeGnuDiff() {
    // Output of: diff -U4 --label v1.yaml --label v2.yaml v1.yaml v2.yaml (the 7-line gap joins).
    String expected = """
        --- v1.yaml
        +++ v2.yaml
        @@ -4,14 +4,16 @@
               grpc:
                 endpoint: 0.0.0.0:4317
         processors:
           batch:
        -    timeout: 5s
        +    timeout: 10s
        +  memory_limiter:
        +    limit_mib: 512
         exporters:
           debug:
             verbosity: basic
         service:
           pipelines:
             traces:
               receivers: [otlp]
        -      processors: [batch]
        +      processors: [memory_limiter, batch]
               exporters: [debug]
        """;

    assertThat(LineDiff.unified("v1.yaml", "v2.yaml", V1, V2, 4)).isEqualTo(expected);
  }

  @Test
  void unifiedAgainstAnEmptyTextUsesAZeroLineRange() {
    // Output of: diff -u --label empty --label new /dev/null new
    assertThat(LineDiff.unified("empty", "new", "", "a\nb\nc\n", 3)).isEqualTo("""
        --- empty
        +++ new
        @@ -0,0 +1,3 @@
        +a
        +b
        +c
        """);
  }

  @Test
  void unifiedWithoutContextNamesTheLineBeforeAnInsertion() {
    // Output of: diff -U0 --label old --label new old new
    assertThat(LineDiff.unified("old", "new", "a\nb\n", "a\nx\nb\n", 0)).isEqualTo("""
        --- old
        +++ new
        @@ -1,0 +2 @@
        +x
        """);
  }

  @Test
  void unifiedRejectsNegativeContext() {
    assertThatThrownBy(() -> LineDiff.unified("a", "b", "x\n", "y\n", -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Timeout(value = 2, unit = TimeUnit.SECONDS)
  void tenThousandLinesWithThreeChangesGiveExactlyThoseChanges() {
    List<String> oldLines = new ArrayList<>();
    for (int i = 1; i <= 10_000; i++) {
      oldLines.add("key" + i + ": value" + i);
    }
    List<String> newLines = new ArrayList<>(oldLines);
    newLines.set(99, "key100: changed");
    newLines.remove(4_999);
    newLines.add(8_999, "inserted: true");

    List<DiffLine> diff = LineDiff.between(text(oldLines), text(newLines));

    assertThat(diff).filteredOn(line -> line.kind() != Kind.SAME).containsExactly(
        new DiffLine(Kind.REMOVED, 100, 0, "key100: value100"),
        new DiffLine(Kind.ADDED, 0, 100, "key100: changed"),
        new DiffLine(Kind.REMOVED, 5_000, 0, "key5000: value5000"),
        new DiffLine(Kind.ADDED, 0, 9_000, "inserted: true"));
    assertThat(diff).filteredOn(line -> line.kind() == Kind.SAME).hasSize(9_998);
  }

  @Test
  void randomDiffsReproduceBothTexts() {
    Random random = new Random(20_240_611L);
    for (int pair = 0; pair < RANDOM_PAIRS; pair++) {
      String oldText = text(randomLines(random));
      String newText = text(randomLines(random));

      List<DiffLine> diff = LineDiff.between(oldText, newText);

      assertThat(text(linesWithout(diff, Kind.ADDED))).as("old side of %s", diff).isEqualTo(oldText);
      assertThat(text(linesWithout(diff, Kind.REMOVED))).as("new side of %s", diff).isEqualTo(newText);
    }
  }

  @Test
  void randomDiffsChangeNoMoreLinesThanTheLongestCommonSubsequenceAllows() {
    Random random = new Random(19_860_101L);
    for (int pair = 0; pair < RANDOM_PAIRS; pair++) {
      List<String> oldLines = randomLines(random);
      List<String> newLines = randomLines(random);

      LineDiff.Summary summary = LineDiff.summarize(LineDiff.between(text(oldLines), text(newLines)));

      int expected = oldLines.size() + newLines.size() - 2 * lcsLength(oldLines, newLines);
      assertThat(summary.changed()).as("%s -> %s", oldLines, newLines).isEqualTo(expected);
    }
  }

  private static List<String> randomLines(Random random) {
    String[] alphabet = {"a", "b", "c", "d"};
    int size = random.nextInt(13);
    List<String> lines = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      lines.add(alphabet[random.nextInt(alphabet.length)]);
    }
    return lines;
  }

  private static List<String> linesWithout(List<DiffLine> diff, Kind excluded) {
    return diff.stream()
        .filter(line -> line.kind() != excluded)
        .map(DiffLine::text)
        .collect(Collectors.toList());
  }

  private static String text(List<String> lines) {
    return lines.stream().map(line -> line + "\n").collect(Collectors.joining());
  }

  /** Textbook dynamic programme, deliberately independent of the code under test. */
  private static int lcsLength(List<String> a, List<String> b) {
    int[][] table = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        table[i][j] = a.get(i).equals(b.get(j))
            ? table[i + 1][j + 1] + 1
            : Math.max(table[i + 1][j], table[i][j + 1]);
      }
    }
    return table[0][0];
  }
}
