package io.opampfleet.server.internal.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.KeyValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A server sharing the store keeps the agents it needs, reads the others, and lets go of those it no longer uses. */
class InventoryTest {
  private final Map<String, AgentSnapshot> stored = new HashMap<>(Map.of("held-elsewhere",
      stored("held-elsewhere", "bound-sha", "b")));
  private final List<Collection<String>> reads = new ArrayList<>();
  private final Inventory inventory = new Inventory("a", uids -> {
    reads.add(List.copyOf(uids));
    return uids.stream().filter(stored::containsKey).map(stored::get).toList();
  });

  @Test
  void anAgentTheStoreHasIsReadWithItsCertificateBindingAndLabelsAndReadAgainAtEachUseWhileHeldElsewhere() {
    Agent agent = inventory.findOrLoad("held-elsewhere").orElseThrow();

    assertThat(agent.certificateSha256()).isEqualTo("bound-sha");
    assertThat(agent.labels()).containsEntry("tier", "web");
    assertThat(agent.connected()).isTrue();
    assertThat(agent.snapshot().heldBy()).isEqualTo("b");

    // It moved to server c since: the next use starts from that, on the same agent.
    stored.put("held-elsewhere", stored("held-elsewhere", "bound-sha", "c"));
    assertThat(inventory.findOrLoad("held-elsewhere")).containsSame(agent);
    assertThat(agent.snapshot().heldBy()).isEqualTo("c");
    assertThat(reads).hasSize(2);
  }

  @Test
  void anAgentNobodyHasMetIsAddedAndOnlyLookingDoesNotReadTheStore() {
    assertThat(inventory.find("new")).isEmpty();
    assertThat(reads).isEmpty();
    assertThat(inventory.findOrLoad("new")).isEmpty();

    Agent agent = inventory.add("new");

    assertThat(agent.certificateSha256()).isEmpty();
    assertThat(inventory.find("new")).containsSame(agent);
    assertThat(inventory.add("new")).isSameAs(agent);
    assertThat(reads).containsExactly(List.of("new"));
  }

  @Test
  void agentsNotHeldHereAreLetGoOnceIdleUnlessSomethingHereNeedsThem() {
    inventory.load(List.of("held-elsewhere"));
    inventory.add("needed");
    long now = System.nanoTime();

    assertThat(inventory.forgetIdle(uid -> false, now)).isZero();
    long later = now + Inventory.IDLE_NANOS + 1;
    assertThat(inventory.forgetIdle(uid -> uid.equals("needed"), later)).isEqualTo(1);
    assertThat(inventory.find("held-elsewhere")).isEmpty();
    assertThat(inventory.find("needed")).isPresent();

    inventory.findOrLoad("held-elsewhere");
    assertThat(reads).containsExactly(List.of("held-elsewhere"), List.of("held-elsewhere"));
  }

  @Test
  void agentsTheStoreForgotAreLetGoUnlessConnectedAgain() {
    inventory.add("gone");
    Agent back = inventory.add("back");
    back.connect(new PolledLink(), "/10.0.0.1:1", 1_000, "a");

    inventory.forget(List.of("gone", "back", "never-here"));

    assertThat(inventory.find("gone")).isEmpty();
    assertThat(inventory.find("back")).isPresent();
  }

  @Test
  void eachMessageIsSeenAfterEveryOneBeforeItWhicheverServerHeardThemAndHowEverTheirClocksDiffer() {
    Agent agent = inventory.add("polled");
    agent.seen(1_000, "/10.0.0.1:1");
    // Its next poll reached server b, whose reading of the store's clock is a few ms ahead of this one's.
    assertThat(agent.catchUp(stored("polled", "", "b", 1_008))).isTrue();
    // The poll after it reaches this server again, 2 ms later by b's reading.
    agent.seen(1_005, "/10.0.0.1:1");

    assertThat(agent.snapshot().lastSeen()).isGreaterThan(1_008);
    assertThat(agent.catchUp(stored("polled", "", "b", 1_008))).as("nothing newer in the store").isFalse();
  }

  @Test
  void anAgentWhoseLinkHereEndsBecauseItPolledAnotherServerLaterIsShownThereNotDisconnected() {
    Agent agent = inventory.add("polled");
    AgentConnection link = new PolledLink();
    agent.connect(link, "/10.0.0.1:1", 1_000, "a");

    assertThat(agent.handOver(link, stored("polled", "", "b", 1_005))).isTrue();
    // The link's end comes after, and finds nothing to end.
    assertThat(agent.disconnect(link, 1_010)).isFalse();

    assertThat(agent.heldHere()).isFalse();
    assertThat(agent.snapshot().connected()).isTrue();
    assertThat(agent.snapshot().heldBy()).isEqualTo("b");
    assertThat(agent.handOver(link, stored("polled", "", "b", 1_005))).as("once").isFalse();
  }

  private static AgentSnapshot stored(String uid, String certificateSha256, String heldBy) {
    return stored(uid, certificateSha256, heldBy, 2);
  }

  private static AgentSnapshot stored(String uid, String certificateSha256, String heldBy, long lastSeen) {
    AgentDescription description = AgentDescription.newBuilder().addNonIdentifyingAttributes(KeyValue.newBuilder()
        .setKey("tier").setValue(AnyValue.newBuilder().setStringValue("web"))).build();
    return new AgentSnapshot(uid, description, Map.of(), 0, null, null, null, null, null, true, heldBy, 3, 1, lastSeen,
        "", "CN=" + uid, certificateSha256, "", null, false, false, 0);
  }
}
