package io.opampfleet.strictyaml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads YAML text into a tree, with errors that say where the text went wrong. */
public final class YamlFiles {
  private static final YamlTrees YAML = new YamlTrees(new YAMLFactory());

  private YamlFiles() {}

  /** @throws ConfigException naming the file and, for a syntax error, its line and column */
  public static JsonNode read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot be read: " + e.getMessage());
    }
    try {
      return parse(text);
    } catch (YamlSyntaxException e) {
      throw new ConfigException(file + ": " + e.getMessage());
    }
  }

  /** @throws YamlSyntaxException with the line and column of the first error */
  public static JsonNode parse(String text) {
    try {
      return YAML.read(text);
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      int column = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
      throw new YamlSyntaxException(line, column, e.getOriginalMessage());
    }
  }
}
