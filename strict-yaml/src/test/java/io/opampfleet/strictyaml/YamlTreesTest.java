package io.opampfleet.strictyaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Trees read and written on the streaming API match what an ObjectMapper makes of the same text. */
class YamlTreesTest {
  private static final YAMLFactory FACTORY = new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS);
  private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);
  private static final YamlTrees TREES = new YamlTrees(FACTORY);

  @ParameterizedTest
  @ValueSource(strings = {
      "receivers: {otlp: {protocols: {grpc: {endpoint: 0.0.0.0:4317}}}}\nservice:\n  pipelines:\n    traces: {receivers: [otlp], exporters: [debug]}\n",
      "a: 1\nb: 3000000000\nc: 123456789012345678901234567890\nd: 1.5\ne: true\nf: ~\ng: 'yes'\nh: \"1e5\"\ni: [1, [2, 3], {j: k}]\n",
      "- one\n- two: 2\n- [x, y]\n",
      "plain scalar\n",
      "k: &anchor {x: 1}\nl: *anchor\n",
      "dup: 1\ndup: 2\n",
      "bin: !!binary aGVsbG8=\n",
      "empty: {}\nlist: []\nquoted: \"${env:HOME}\"\nmultiline: |\n  line one\n  line two\n",
      "first: doc\n---\nsecond: doc\n",
      "exporters:\n  nop:\n",
  })
  void readAndWriteAsAnObjectMapperDoes(String text) throws Exception {
    JsonNode expected = MAPPER.readTree(text);

    JsonNode tree = TREES.read(text);

    assertThat(tree).isEqualTo(expected);
    assertThat(TREES.write(tree)).isEqualTo(MAPPER.writeValueAsString(expected));
  }

  @org.junit.jupiter.api.Test
  void anEmptyValueIsNullAsTheCollectorReadsIt() throws Exception {
    JsonNode tree = TREES.read("exporters:\n  nop:\n");

    assertThat(tree.get("exporters").get("nop").isNull()).isTrue();
    assertThat(TREES.write(tree)).isEqualTo("exporters:\n  nop: null\n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "# only a comment\n"})
  void noDocumentIsAMissingNode(String text) throws Exception {
    assertThat(TREES.read(text).isMissingNode()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a: [1, 2\n", "a: b: c\n", "\tkey: tab\n"})
  void aSyntaxErrorSaysWhere(String text) {
    assertThatThrownBy(() -> TREES.read(text)).isInstanceOf(JsonProcessingException.class)
        .satisfies(e -> assertThat(((JsonProcessingException) e).getLocation().getLineNr()).isPositive());
  }
}
