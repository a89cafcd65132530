package io.opampfleet.server.store;

import java.util.List;
import java.util.stream.Collectors;

/** The one place the two stores' SQL differs: insert-or-update by primary key. */
public enum Dialect {
  H2, POSTGRESQL;

  /** An upsert of all {@code columns}, the first {@code keys} of them being the primary key. */
  public String upsert(String table, List<String> columns, int keys) {
    String names = String.join(", ", columns);
    String marks = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
    List<String> keyColumns = columns.subList(0, keys);
    if (this == H2) {
      return "MERGE INTO " + table + " (" + names + ") KEY (" + String.join(", ", keyColumns) + ") VALUES (" + marks + ")";
    }
    String updates = columns.subList(keys, columns.size()).stream()
        .map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
    return "INSERT INTO " + table + " (" + names + ") VALUES (" + marks + ") ON CONFLICT ("
        + String.join(", ", keyColumns) + ") DO UPDATE SET " + updates;
  }
}
