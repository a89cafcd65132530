package io.opampfleet.server.internal.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bodies of agents' large parts in one write, each stored once under its SHA-256 ({@code
 * part_bodies}): the agents of one build report equal components, those of one rollout equal
 * effective configs, and a body per agent stored a contrib build's 35 KB list once for every agent
 * and rewrote each applied config once per agent in a wave.
 */
public final class PartBodies {
  /**
   * A body no part refers to is deleted once it is older than this ({@link #deleteUnreferenced}). A
   * write that refers to one older than {@link #TOUCH_AFTER} makes it new again, and holds its row
   * locked while it does: the deletion waits for it and then finds the body new, so a body a write
   * refers to is never the one deleted. The gap between the two is what the clock skew between servers
   * sharing the store and the time from a write's look at the bodies to its commit may add up to.
   * Short, and pruned every minute: an agent that keeps
   * reporting other large parts leaves a body behind with each.
   */
  public static final Duration KEPT_UNREFERENCED = Duration.ofMinutes(10);
  private static final long TOUCH_AFTER = Duration.ofMinutes(2).toMillis();
  private static final int LOOKUP = 500;

  /** One body many agents refer to in this write (a list they share) is encoded and hashed once. */
  private final Map<MessageLite, byte[]> hashes = new IdentityHashMap<>();
  /** In the hashes' order: two writers touching the same bodies lock them in the same order. */
  private final Map<ByteString, byte[]> bodies = new TreeMap<>(ByteString.unsignedLexicographicalComparator());
  private final MessageDigest sha256;

  PartBodies() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The key of {@code part}'s body, which {@link #write} stores; null for no part. */
  byte[] add(MessageLite part) {
    if (part == null) {
      return null;
    }
    return hashes.computeIfAbsent(part, message -> {
      byte[] body = encoded(message);
      byte[] hash = sha256.digest(body);
      bodies.putIfAbsent(ByteString.copyFrom(hash), body);
      return hash;
    });
  }

  /**
   * Stores the bodies the store lacks and makes those it holds new again when they are old; before the
   * parts that refer to them, in the same transaction. A body the store holds is not sent again.
   */
  void write(Connection connection, Dialect dialect) throws SQLException {
    if (bodies.isEmpty()) {
      return;
    }
    long now = System.currentTimeMillis();
    Map<ByteString, Long> stored = storedAt(connection);
    List<ByteString> missing = new ArrayList<>();
    List<ByteString> old = new ArrayList<>();
    for (ByteString hash : bodies.keySet()) {
      Long at = stored.get(hash);
      if (at == null) {
        missing.add(hash);
      } else if (at < now - TOUCH_AFTER) {
        old.add(hash);
      }
    }
    if (!old.isEmpty()) {
      try (PreparedStatement touch = connection.prepareStatement(
          "UPDATE part_bodies SET stored_at = ? WHERE sha256 = ?")) {
        for (ByteString hash : old) {
          touch.setLong(1, now);
          touch.setBytes(2, hash.toByteArray());
          touch.addBatch();
        }
        int[] touched = touch.executeBatch();
        for (int i = 0; i < touched.length; i++) {
          // Deleted since it was looked up: stored again.
          if (touched[i] == 0) {
            missing.add(old.get(i));
          }
        }
      }
    }
    if (!missing.isEmpty()) {
      missing.sort(ByteString.unsignedLexicographicalComparator());
      try (PreparedStatement insert = connection.prepareStatement(
          dialect.insertIfAbsent("part_bodies", List.of("sha256", "body", "stored_at"), 1))) {
        for (ByteString hash : missing) {
          insert.setBytes(1, hash.toByteArray());
          insert.setBytes(2, bodies.get(hash));
          insert.setLong(3, now);
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
  }

  private Map<ByteString, Long> storedAt(Connection connection) throws SQLException {
    Map<ByteString, Long> stored = new HashMap<>();
    List<ByteString> hashes = new ArrayList<>(bodies.keySet());
    for (int from = 0; from < hashes.size(); from += LOOKUP) {
      List<ByteString> some = hashes.subList(from, Math.min(hashes.size(), from + LOOKUP));
      try (PreparedStatement select = connection.prepareStatement("SELECT sha256, stored_at FROM part_bodies"
          + " WHERE sha256 IN (" + Sql.placeholders(some.size()) + ")")) {
        for (int i = 0; i < some.size(); i++) {
          select.setBytes(i + 1, some.get(i).toByteArray());
        }
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            stored.put(ByteString.copyFrom(rows.getBytes(1)), rows.getLong(2));
          }
        }
      }
    }
    return stored;
  }

  /** A part's body: maps in key order, so agents that list the same entries in another order send the same body. */
  public static byte[] encoded(MessageLite message) {
    byte[] body = new byte[message.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(body);
    out.useDeterministicSerialization();
    try {
      message.writeTo(out);
    } catch (IOException e) {
      throw new IllegalStateException("an array cannot fail a write", e);
    }
    out.checkNoSpaceLeft();
    return body;
  }

  /** Deletes the bodies no agent's part refers to, stored or made new before {@code before}; returns how many. */
  public static int deleteUnreferenced(Database database, long before) {
    return new Sql(database).update("DELETE FROM part_bodies WHERE stored_at < ? AND NOT EXISTS"
        + " (SELECT 1 FROM agent_parts WHERE agent_parts.body_sha256 = part_bodies.sha256)", before);
  }
}
