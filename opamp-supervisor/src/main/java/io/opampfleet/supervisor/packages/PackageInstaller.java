package io.opampfleet.supervisor.packages;

import io.opampfleet.certs.PackageSignatures;
import io.opampfleet.proto.PackageAvailable;
import io.opampfleet.proto.PackageDownloadDetails;
import io.opampfleet.proto.PackageStatus;
import io.opampfleet.proto.PackageStatusEnum;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.proto.PackageType;
import io.opampfleet.proto.PackagesAvailable;
import io.opampfleet.supervisor.config.SupervisorConfig;
import io.opampfleet.supervisor.config.SupervisorConfig.Tls;
import io.opampfleet.supervisor.storage.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades the collector with the top-level package the server offers: downloads it, checks its
 * SHA-256 and (when agent::package::verifier says so) its signature, swaps agent::executable in one
 * rename, restarts the collector and keeps the new one only when it turns healthy; otherwise the
 * previous executable comes back. Statuses go upstream at every step and are kept in the storage
 * directory, so a restarted supervisor reports what it has.
 */
public final class PackageInstaller {
  private static final Logger log = LoggerFactory.getLogger(PackageInstaller.class);
  static final String STATUSES_FILE = "last-reported-package-statuses.proto";

  /** The collector, restarted on its current config; empty when it became healthy, else why not. */
  public interface Collector {
    Optional<String> restartAndCheck() throws Exception;
  }

  private final SupervisorConfig.Package settings;
  private final Path storage;
  private final ExecutableSwap swap;
  private final PublicKey trusted;
  private final Consumer<PackageStatuses> report;
  private volatile PackageStatuses statuses;

  public PackageInstaller(SupervisorConfig config, Consumer<PackageStatuses> report) {
    this.settings = config.agent().agentPackage();
    this.storage = config.storage().directory();
    this.swap = new ExecutableSwap(config.agent().executable(), storage);
    this.trusted = settings.publicKeyFile() == null ? null : PackageSignatures.trustedKey(settings.publicKeyFile());
    this.report = report;
    PackageStatuses kept = PrivateFiles.read(storage.resolve(STATUSES_FILE), PackageStatuses.parser(), "package statuses");
    this.statuses = kept == null ? PackageStatuses.getDefaultInstance() : kept;
    endUnfinished();
    if (trusted == null) {
      log.warn("packages are checked by their SHA-256 only; set agent::package::verifier to check who made them");
    }
  }

  /**
   * An install the supervisor stopped in (killed while downloading, or before the new collector was
   * seen healthy) ends failed, on the previous executable, and the server's offer is taken again
   * when it comes: the package set's hash is not kept as handled.
   */
  private void endUnfinished() {
    PackageStatuses.Builder next = statuses.toBuilder();
    boolean unfinished = false;
    for (PackageStatus status : statuses.getPackagesMap().values()) {
      PackageStatusEnum state = status.getStatus();
      if (state != PackageStatusEnum.PackageStatusEnum_Downloading
          && state != PackageStatusEnum.PackageStatusEnum_Installing) {
        continue;
      }
      unfinished = true;
      String back = "";
      if (swap.undecided()) {
        try {
          swap.restore();
          back = "; back on the previous executable";
        } catch (IOException e) {
          back = "; the previous executable could not be put back: " + e.getMessage();
        }
      }
      next.putPackages(status.getName(), failed(status.toBuilder().clearDownloadDetails(), "the supervisor stopped"
          + " while " + (state == PackageStatusEnum.PackageStatusEnum_Downloading ? "downloading" : "installing")
          + " it" + back));
    }
    if (unfinished) {
      publish(next.clearServerProvidedAllPackagesHash().build());
    }
  }

  /** What was last reported, to tell a new connection; empty before any offer. */
  public Optional<PackageStatuses> statuses() {
    return statuses.equals(PackageStatuses.getDefaultInstance()) ? Optional.empty() : Optional.of(statuses);
  }

  /**
   * Handles an offer of the server's package set; blocks until each package is installed or failed.
   * Downloads trust the CA of {@code tls}, the server settings in use now.
   */
  public void offered(PackagesAvailable available, Tls tls, Collector collector) throws Exception {
    if (available.getAllPackagesHash().equals(statuses.getServerProvidedAllPackagesHash())) {
      return;
    }
    PackageStatuses.Builder next = statuses.toBuilder()
        .setServerProvidedAllPackagesHash(available.getAllPackagesHash()).setErrorMessage("");
    for (Map.Entry<String, PackageAvailable> entry : available.getPackagesMap().entrySet()) {
      String name = entry.getKey();
      PackageAvailable offer = entry.getValue();
      PackageStatus had = statuses.getPackagesOrDefault(name, PackageStatus.newBuilder().setName(name).build());
      PackageStatus.Builder status = had.toBuilder().setServerOfferedVersion(offer.getVersion())
          .setServerOfferedHash(offer.getHash()).clearDownloadDetails().setErrorMessage("");
      if (had.getStatus() == PackageStatusEnum.PackageStatusEnum_Installed && had.getAgentHasHash().equals(offer.getHash())) {
        next.putPackages(name, status.build());
        continue;
      }
      if (offer.getType() == PackageType.PackageType_Addon) {
        next.putPackages(name, failed(status, "addons are not installed: a collector takes only its top-level package"));
        continue;
      }
      next.putPackages(name, install(name, offer, status, next, new PackageDownload(tls), collector));
    }
    publish(next.build());
  }

  private PackageStatus install(String name, PackageAvailable offer, PackageStatus.Builder status,
      PackageStatuses.Builder all, PackageDownload download, Collector collector) throws Exception {
    String label = (name.isEmpty() ? "the collector package" : name) + " " + offer.getVersion();
    Path file = storage.resolve("packages").resolve("download");
    try {
      Files.createDirectories(file.getParent());
      publish(all.putPackages(name, status.setStatus(PackageStatusEnum.PackageStatusEnum_Downloading).build()).build());
      byte[] sha256 = download.fetch(offer.getFile(), file, percent -> publish(all.putPackages(name,
          status.setDownloadDetails(PackageDownloadDetails.newBuilder().setDownloadPercent(percent)).build()).build()));
      status.clearDownloadDetails();
      if (!MessageDigest.isEqual(sha256, offer.getFile().getContentHash().toByteArray())) {
        return failed(status, "the downloaded file does not match its content hash; nothing was changed");
      }
      if (trusted != null && !PackageSignatures.verify(trusted, file, offer.getFile().getSignature().toByteArray())) {
        return failed(status, offer.getFile().getSignature().isEmpty()
            ? "the package is not signed, and agent::package::verifier requires a signature; nothing was changed"
            : "the package's signature is not by the trusted key; nothing was changed");
      }
      publish(all.putPackages(name, status.setStatus(PackageStatusEnum.PackageStatusEnum_Installing).build()).build());
      swap.install(PackageArchive.executable(file, settings.archive(), settings.agentBinary()));
    } catch (IOException e) {
      return failed(status, label + " could not be installed: " + e.getMessage() + "; nothing was changed");
    } finally {
      clean(file.getParent());
    }
    log.info("installed {}; restarting the collector on it", label);
    Optional<String> problem;
    try {
      problem = collector.restartAndCheck();
    } catch (Exception | Error e) {
      // Stopped before the new collector was judged (the supervisor stops): the previous one comes back.
      restoreQuietly();
      throw e;
    }
    if (problem.isEmpty()) {
      log.info("{} runs healthy", label);
      PackageStatus installed = status.setStatus(PackageStatusEnum.PackageStatusEnum_Installed)
          .setAgentHasVersion(offer.getVersion()).setAgentHasHash(offer.getHash()).build();
      // Installed is kept before the previous executable is let go: a stop in between finds it decided.
      publish(all.putPackages(name, installed).build());
      try {
        swap.keep();
      } catch (IOException e) {
        log.warn("the previous collector executable could not be let go: {}", e.getMessage());
      }
      return installed;
    }
    try {
      swap.restore();
    } catch (IOException e) {
      log.error("the previous collector executable could not be put back: {}", e.getMessage());
      return failed(status, problem.get() + "; the previous executable could not be put back: " + e.getMessage());
    }
    Optional<String> again = collector.restartAndCheck();
    // The same reason for both (the server has the collector stopped, say) is said once.
    return failed(status, problem.get() + "; back on the previous executable"
        + again.filter(reason -> !reason.equals(problem.get()))
            .map(reason -> ", which is not healthy either: " + reason).orElse(""));
  }

  private void restoreQuietly() {
    try {
      swap.restore();
    } catch (IOException e) {
      log.error("the previous collector executable could not be put back: {}", e.getMessage());
    }
  }

  private static PackageStatus failed(PackageStatus.Builder status, String reason) {
    log.warn("package {} not installed: {}", status.getName(), reason);
    return status.setStatus(PackageStatusEnum.PackageStatusEnum_InstallFailed).setErrorMessage(reason).build();
  }

  private void publish(PackageStatuses next) {
    statuses = next;
    try {
      PrivateFiles.write(storage.resolve(STATUSES_FILE), next.toByteArray());
    } catch (IOException e) {
      log.warn("the package statuses cannot be kept in {}: {}", storage, e.getMessage());
    }
    report.accept(next);
  }

  private static void clean(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      log.debug("cannot clean {}: {}", dir, e.getMessage());
    }
  }
}
