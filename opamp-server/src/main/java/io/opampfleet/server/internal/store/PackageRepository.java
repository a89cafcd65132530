package io.opampfleet.server.internal.store;

import io.opampfleet.server.internal.packages.HostedPackage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Hosted packages and the packages each agent is offered. */
public final class PackageRepository {
  /** One agent's offered package. */
  public record Offered(String uid, String name, String version) {}

  private static final String COLUMNS = "name, version, addon, sha256, signature, size, token, created_at";

  private final Sql sql;

  public PackageRepository(Database database) {
    this.sql = new Sql(database);
  }

  public void add(HostedPackage hosted) {
    sql.update("INSERT INTO packages (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)", hosted.name(),
        hosted.version(), hosted.addon(), hosted.sha256(), hosted.signature(), hosted.size(), hosted.token(),
        hosted.createdAt().toEpochMilli());
  }

  public List<HostedPackage> all() {
    return sql.query("SELECT " + COLUMNS + " FROM packages ORDER BY name, version", PackageRepository::hosted);
  }

  public Optional<HostedPackage> find(String name, String version) {
    return sql.query("SELECT " + COLUMNS + " FROM packages WHERE name = ? AND version = ?",
        PackageRepository::hosted, name, version).stream().findFirst();
  }

  public Optional<HostedPackage> byToken(String token) {
    return sql.query("SELECT " + COLUMNS + " FROM packages WHERE token = ?", PackageRepository::hosted, token)
        .stream().findFirst();
  }

  public List<Offered> offered() {
    return sql.query("SELECT instance_uid, name, version FROM agent_packages",
        row -> new Offered(row.getString(1), row.getString(2), row.getString(3)));
  }

  /** The hosted packages each of these agents is offered (an agent offered none is left out). */
  public Map<String, List<HostedPackage>> offeredTo(Collection<String> uids) {
    Map<String, List<HostedPackage>> offered = new HashMap<>();
    if (uids.isEmpty()) {
      return offered;
    }
    String marks = Sql.placeholders(uids.size());
    String columns = String.join(", ", Arrays.stream(COLUMNS.split(", ")).map(c -> "p." + c).toList());
    sql.query("SELECT a.instance_uid, " + columns + " FROM agent_packages a JOIN packages p ON p.name = a.name"
        + " AND p.version = a.version WHERE a.instance_uid IN (" + marks + ")", row -> {
          offered.computeIfAbsent(row.getString(1), uid -> new ArrayList<>()).add(new HostedPackage(row.getString(2),
              row.getString(3), row.getBoolean(4), row.getString(5), row.getBytes(6), row.getLong(7), row.getString(8),
              Instant.ofEpochMilli(row.getLong(9))));
          return null;
        }, uids.toArray());
    return offered;
  }

  private static HostedPackage hosted(ResultSet row) throws SQLException {
    return new HostedPackage(row.getString(1), row.getString(2), row.getBoolean(3), row.getString(4),
        row.getBytes(5), row.getLong(6), row.getString(7), Instant.ofEpochMilli(row.getLong(8)));
  }
}
