package io.opampfleet.strictyaml;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * YAML text to a tree and back, as an ObjectMapper's {@code readTree} and {@code writeValueAsString}
 * do, on Jackson's streaming parser and generator alone. Written here because an ObjectMapper loads
 * its whole serialization machinery (some 250 classes, and every locale the JDK knows for its date
 * format) and the supervisor, which runs on every host, only ever needs trees.
 */
public final class YamlTrees {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final YAMLFactory yaml;

  /**
   * @param yaml made with {@code new YAMLFactory()}: its builder starts without the parser's default
   *     features, and an empty value (a collector's {@code nop:}) would then read as "" rather than null
   */
  public YamlTrees(YAMLFactory yaml) {
    this.yaml = yaml;
  }

  /** The first document of the text; a missing node when there is none. */
  public JsonNode read(String text) throws JsonProcessingException {
    try (JsonParser parser = yaml.createParser(text)) {
      JsonToken token = parser.nextToken();
      return token == null ? NODES.missingNode() : value(parser, token);
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException("reading YAML from a string", e);
    }
  }

  public String write(JsonNode tree) {
    StringWriter text = new StringWriter();
    try (JsonGenerator generator = yaml.createGenerator(text)) {
      write(generator, tree);
    } catch (IOException e) {
      throw new UncheckedIOException("writing YAML to a string", e);
    }
    return text.toString();
  }

  private static JsonNode value(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_OBJECT -> {
        ObjectNode object = NODES.objectNode();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_OBJECT; next = parser.nextToken()) {
          String name = parser.currentName();
          object.set(name, value(parser, parser.nextToken()));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
          array.add(value(parser, next));
        }
        return array;
      }
      case VALUE_STRING -> {
        return NODES.textNode(parser.getText());
      }
      case VALUE_NUMBER_INT -> {
        return switch (parser.getNumberType()) {
          case INT -> NODES.numberNode(parser.getIntValue());
          case LONG -> NODES.numberNode(parser.getLongValue());
          default -> NODES.numberNode(parser.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return NODES.numberNode(parser.getDoubleValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return NODES.booleanNode(token == JsonToken.VALUE_TRUE);
      }
      case VALUE_NULL -> {
        return NODES.nullNode();
      }
      case VALUE_EMBEDDED_OBJECT -> {
        Object embedded = parser.getEmbeddedObject();
        return embedded instanceof byte[] bytes ? NODES.binaryNode(bytes) : NODES.pojoNode(embedded);
      }
      default -> throw new IllegalStateException("unexpected YAML token " + token);
    }
  }

  private static void write(JsonGenerator generator, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        generator.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
          Map.Entry<String, JsonNode> field = fields.next();
          generator.writeFieldName(field.getKey());
          write(generator, field.getValue());
        }
        generator.writeEndObject();
      }
      case ARRAY -> {
        generator.writeStartArray();
        for (JsonNode element : node) {
          write(generator, element);
        }
        generator.writeEndArray();
      }
      case STRING -> generator.writeString(node.textValue());
      case NUMBER -> {
        switch (node.numberType()) {
          case INT -> generator.writeNumber(node.intValue());
          case LONG -> generator.writeNumber(node.longValue());
          case BIG_INTEGER -> generator.writeNumber(node.bigIntegerValue());
          case FLOAT -> generator.writeNumber(node.floatValue());
          case BIG_DECIMAL -> generator.writeNumber(node.decimalValue());
          default -> generator.writeNumber(node.doubleValue());
        }
      }
      case BOOLEAN -> generator.writeBoolean(node.booleanValue());
      case BINARY -> generator.writeBinary(node.binaryValue());
      case NULL, MISSING -> generator.writeNull();
      default -> generator.writeString(node.asText());
    }
  }
}
