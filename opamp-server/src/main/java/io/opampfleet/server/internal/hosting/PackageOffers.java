package io.opampfleet.server.internal.hosting;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.DownloadableFile;
import io.opampfleet.proto.PackageAvailable;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.proto.PackageType;
import io.opampfleet.proto.PackagesAvailable;
import io.opampfleet.server.internal.configs.ConfigVersion;
import io.opampfleet.server.internal.packages.HostedPackage;
import io.opampfleet.server.internal.store.PackageRepository;
import io.opampfleet.server.internal.store.WriteBehind;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Which hosted packages each agent is offered, and the PackagesAvailable message that says so:
 * always the agent's whole set (an agent removes what is not offered), with the spec's three
 * hashes. An agent gets it again whenever the set hash it echoes differs.
 */
public final class PackageOffers {
  private final WriteBehind writes;
  private final Supplier<String> downloadBase;
  private final Map<String, Map<String, HostedPackage>> offered = new ConcurrentHashMap<>();
  private final Map<String, ByteString> sent = new ConcurrentHashMap<>();
  // Built once per change of an agent's set: agents ask at every message.
  private final Map<String, PackagesAvailable> built = new ConcurrentHashMap<>();

  /** {@code downloadBase} is read when an offer is made: the listener's port is known only once bound. */
  public PackageOffers(PackageRepository repository, WriteBehind writes, Supplier<String> downloadBase) {
    this.writes = writes;
    this.downloadBase = downloadBase;
    for (PackageRepository.Offered row : repository.offered()) {
      repository.find(row.name(), row.version()).ifPresent(hosted ->
          offered.computeIfAbsent(row.uid(), uid -> new TreeMap<>()).put(hosted.name(), hosted));
    }
  }

  /**
   * Adds the package to the agent's set (replacing another version of the same name); stored with
   * the next batch of changes, so a store that is away delays it rather than losing it.
   */
  public void offer(String uid, HostedPackage hosted) {
    writes.offer(new PackageRepository.Offered(uid, hosted.name(), hosted.version()));
    synchronized (offered) {
      offered.computeIfAbsent(uid, key -> new TreeMap<>()).put(hosted.name(), hosted);
      built.remove(uid);
    }
    sent.remove(uid);
  }

  /**
   * The agent's whole set as the store has it (another server sharing it may have changed it); an
   * agent whose set changed gets it again.
   */
  public void reload(String uid, List<HostedPackage> stored) {
    Map<String, HostedPackage> set = new TreeMap<>();
    stored.forEach(hosted -> set.put(hosted.name(), hosted));
    synchronized (offered) {
      Map<String, HostedPackage> before = offered.getOrDefault(uid, Map.of());
      if (before.equals(set)) {
        return;
      }
      if (set.isEmpty()) {
        offered.remove(uid);
      } else {
        offered.put(uid, set);
      }
      built.remove(uid);
    }
    sent.remove(uid);
  }

  /** The version of this package the agent is offered, if any. */
  public Optional<String> offeredVersion(String uid, String name) {
    synchronized (offered) {
      return Optional.ofNullable(offered.getOrDefault(uid, Map.of()).get(name)).map(HostedPackage::version);
    }
  }

  public String downloadUrl(HostedPackage hosted) {
    String base = downloadBase.get();
    return base + (base.endsWith("/") ? "" : "/") + "downloads/" + hosted.token();
  }

  /** A new connection: what was sent over the old one may not have arrived. */
  public void connected(String uid) {
    sent.remove(uid);
  }

  /**
   * The agent's offer, when it has one, its reported set hash differs, and it was not sent on this
   * connection yet; marks it sent.
   */
  public Optional<PackagesAvailable> due(String uid, PackageStatuses reported) {
    if (!offered.containsKey(uid)) {
      return Optional.empty();
    }
    PackagesAvailable available;
    synchronized (offered) {
      // Again under the lock: a reload may have taken the agent's set away since.
      if (!offered.containsKey(uid)) {
        return Optional.empty();
      }
      available = built.computeIfAbsent(uid, this::available);
    }
    if (available == null) {
      return Optional.empty();
    }
    ByteString hash = available.getAllPackagesHash();
    boolean agentHasIt = reported != null && reported.getServerProvidedAllPackagesHash().equals(hash);
    if (agentHasIt || hash.equals(sent.get(uid))) {
      return Optional.empty();
    }
    sent.put(uid, hash);
    return Optional.of(available);
  }

  /** The agent's whole set as one message; called under the lock on {@code offered}. */
  private PackagesAvailable available(String uid) {
    Map<String, HostedPackage> set = offered.get(uid);
    PackagesAvailable.Builder available = PackagesAvailable.newBuilder();
    StringBuilder all = new StringBuilder();
    for (HostedPackage hosted : set.values()) {
      String packageHash = ConfigVersion.sha256(hosted.name() + "\n" + hosted.version() + "\n" + hosted.addon()
          + "\n" + hosted.sha256());
      DownloadableFile.Builder file = DownloadableFile.newBuilder()
          .setDownloadUrl(downloadUrl(hosted))
          .setContentHash(ByteString.copyFrom(HexFormat.of().parseHex(hosted.sha256())));
      if (hosted.signature() != null) {
        file.setSignature(ByteString.copyFrom(hosted.signature()));
      }
      available.putPackages(hosted.name(), PackageAvailable.newBuilder()
          .setType(hosted.addon() ? PackageType.PackageType_Addon : PackageType.PackageType_TopLevel)
          .setVersion(hosted.version())
          .setFile(file)
          .setHash(ByteString.copyFrom(HexFormat.of().parseHex(packageHash)))
          .build());
      all.append(hosted.name()).append('=').append(packageHash).append('\n');
    }
    return available.setAllPackagesHash(ByteString.copyFrom(HexFormat.of().parseHex(ConfigVersion.sha256(all.toString()))))
        .build();
  }
}
