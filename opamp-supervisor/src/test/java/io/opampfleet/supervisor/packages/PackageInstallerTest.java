package io.opampfleet.supervisor.packages;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opampfleet.proto.PackageStatus;
import io.opampfleet.proto.PackageStatusEnum;
import io.opampfleet.proto.PackageStatuses;
import io.opampfleet.supervisor.compose.ComposerFixture;
import io.opampfleet.supervisor.config.SupervisorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a supervisor that stopped in the middle of an install finds at its next start. */
class PackageInstallerTest {
  @TempDir Path dir;
  private final List<PackageStatuses> reported = new ArrayList<>();

  @Test
  void anInstallStoppedBeforeTheNewCollectorWasJudgedEndsFailedOnThePreviousExecutable() throws Exception {
    SupervisorConfig config = config();
    Path executable = config.agent().executable();
    Files.writeString(executable, "collector 2.0");
    Files.writeString(dir.resolve("collector.bak"), "collector 1.0");
    kept(PackageStatusEnum.PackageStatusEnum_Installing);

    PackageInstaller installer = new PackageInstaller(config, reported::add);

    assertThat(Files.readString(executable)).isEqualTo("collector 1.0");
    assertThat(dir.resolve("collector.bak")).doesNotExist();
    PackageStatuses now = installer.statuses().orElseThrow();
    assertThat(now.getServerProvidedAllPackagesHash()).as("the offer is taken again when it comes").isEmpty();
    assertThat(now.getPackagesOrThrow("")).satisfies(status -> {
      assertThat(status.getStatus()).isEqualTo(PackageStatusEnum.PackageStatusEnum_InstallFailed);
      assertThat(status.getErrorMessage()).isEqualTo(
          "the supervisor stopped while installing it; back on the previous executable");
    });
    assertThat(PackageStatuses.parseFrom(Files.readAllBytes(dir.resolve(PackageInstaller.STATUSES_FILE))))
        .isEqualTo(now);
    assertThat(reported).containsExactly(now);
  }

  @Test
  void aDownloadStoppedHalfWayEndsFailedAndTheExecutableIsNotTouched() throws Exception {
    SupervisorConfig config = config();
    Files.writeString(config.agent().executable(), "collector 1.0");
    kept(PackageStatusEnum.PackageStatusEnum_Downloading);

    PackageInstaller installer = new PackageInstaller(config, reported::add);

    assertThat(Files.readString(config.agent().executable())).isEqualTo("collector 1.0");
    assertThat(installer.statuses().orElseThrow().getPackagesOrThrow("").getErrorMessage())
        .isEqualTo("the supervisor stopped while downloading it");
  }

  @Test
  void anInstallThatEndedIsLeftAsItIs() throws Exception {
    SupervisorConfig config = config();
    Files.writeString(config.agent().executable(), "collector 2.0");
    PackageStatuses installed = kept(PackageStatusEnum.PackageStatusEnum_Installed);

    PackageInstaller installer = new PackageInstaller(config, reported::add);

    assertThat(installer.statuses()).contains(installed);
    assertThat(reported).isEmpty();
  }

  private SupervisorConfig config() throws Exception {
    Files.writeString(dir.resolve("otelcol"), "");
    return ComposerFixture.config(dir, dir.resolve("otelcol"), "", "accepts_packages: true",
        "{endpoint: ws://127.0.0.1:4320/v1/opamp}\nstorage: {directory: " + dir + "}");
  }

  private PackageStatuses kept(PackageStatusEnum status) throws Exception {
    PackageStatuses statuses = PackageStatuses.newBuilder()
        .setServerProvidedAllPackagesHash(ByteString.copyFromUtf8("offered set"))
        .putPackages("", PackageStatus.newBuilder().setName("").setServerOfferedVersion("2.0").setStatus(status).build())
        .build();
    Files.write(dir.resolve(PackageInstaller.STATUSES_FILE), statuses.toByteArray());
    return statuses;
  }
}
