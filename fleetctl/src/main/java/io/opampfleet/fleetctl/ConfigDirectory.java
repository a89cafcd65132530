package io.opampfleet.fleetctl;

import com.fasterxml.jackson.databind.JsonNode;
import io.opampfleet.api.DesiredState;
import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.strictyaml.ConfigNode;
import io.opampfleet.strictyaml.EnvExpander;
import io.opampfleet.strictyaml.YamlFiles;
import io.opampfleet.strictyaml.YamlSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A fleet's configs and assignments kept as files:
 * <pre>
 * DIR/configs/NAME.yaml   a collector config; its file name is the config's name
 * DIR/assignments.yaml    NAME: {selector: "env=prod", config: NAME}, one entry per assignment
 * </pre>
 * Every file is checked here first, so that a mistake is reported with its file and line and
 * nothing is sent.
 */
final class ConfigDirectory {
  static final String CONFIGS = "configs";
  static final String ASSIGNMENTS = "assignments.yaml";
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

  private ConfigDirectory() {}

  static DesiredState read(Path dir, boolean prune, String comment, Map<String, String> environment) {
    if (!Files.isDirectory(dir)) {
      throw new UsageException(dir + ": not a directory");
    }
    Path configsDir = dir.resolve(CONFIGS);
    Path assignmentsFile = dir.resolve(ASSIGNMENTS);
    if (!Files.isDirectory(configsDir) && !Files.exists(assignmentsFile)) {
      throw new UsageException(dir + ": has neither " + CONFIGS + "/ nor " + ASSIGNMENTS);
    }
    List<DesiredState.Config> configs = Files.isDirectory(configsDir) ? configs(configsDir) : List.of();
    List<DesiredState.Assignment> assignments = Files.exists(assignmentsFile)
        ? assignments(assignmentsFile, environment) : List.of();
    return new DesiredState(configs, assignments, prune, comment);
  }

  private static List<DesiredState.Config> configs(Path dir) {
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(file -> file.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
    } catch (IOException e) {
      throw new UsageException(dir + ": cannot be read: " + e.getMessage());
    }
    List<DesiredState.Config> configs = new ArrayList<>();
    for (Path file : files) {
      String name = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
      if (!name.matches(NAME)) {
        throw new UsageException(file + ": a config's name (its file name) is letters, digits, '.', '_' and '-'");
      }
      if (configs.stream().anyMatch(config -> config.name().equals(name))) {
        throw new UsageException(file + ": config '" + name + "' has two files");
      }
      String body;
      try {
        body = Files.readString(file);
      } catch (IOException e) {
        throw new UsageException(file + ": cannot be read: " + e.getMessage());
      }
      try {
        if (!YamlFiles.parse(body).isObject()) {
          throw new UsageException(file + ": a collector config is a YAML mapping (receivers:, exporters:, service: ...)");
        }
      } catch (YamlSyntaxException e) {
        throw new UsageException(file + ":" + e.line() + ":" + e.column() + ": " + e.reason());
      }
      configs.add(new DesiredState.Config(name, body));
    }
    return configs;
  }

  private static List<DesiredState.Assignment> assignments(Path file, Map<String, String> environment) {
    try {
      JsonNode root = YamlFiles.read(file);
      if (root.isMissingNode() || root.isNull()) {
        return List.of();
      }
      if (!root.isObject()) {
        throw new UsageException(file + ": a mapping of assignment names to {selector, config}");
      }
      EnvExpander expander = new EnvExpander(environment::get);
      List<DesiredState.Assignment> assignments = new ArrayList<>();
      for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!name.matches(NAME)) {
          throw new UsageException(file + ": '" + name + "': an assignment's name is letters, digits, '.', '_' and '-'");
        }
        ConfigNode entry = new ConfigNode(file.toString(), name, root.get(name), expander, new ArrayList<>());
        String selector = entry.string("selector", "");
        String config = entry.required("config");
        entry.finish();
        assignments.add(new DesiredState.Assignment(name, selector, config));
      }
      return assignments;
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
