package io.opampfleet.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Instant;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The server's house rules: a small public surface (how to start a server and its settings), the
 * rest in {@code internal} packages that promise nothing to other modules; packages that depend on
 * each other in one direction only; and an admin API that reads the time from the clock it is given.
 */
class ArchitectureTest {
  private static final JavaClasses SERVER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.opampfleet.server");

  @Test
  void onlyTheServerItsSettingsAndItsCommandArePublicOutsideInternal() {
    assertThat(StreamSupport.stream(SERVER.spliterator(), false)
        .filter(type -> type.isTopLevelClass() && type.getModifiers().contains(JavaModifier.PUBLIC))
        .filter(type -> !type.getPackageName().startsWith("io.opampfleet.server.internal"))
        .map(JavaClass::getName))
        .containsExactlyInAnyOrder(
            "io.opampfleet.server.FleetServer",
            "io.opampfleet.server.settings.ServerSettings",
            "io.opampfleet.server.settings.ServerSettingsLoader",
            "io.opampfleet.server.cli.OpampServerCommand");
  }

  @Test
  void thePublicSurfaceDoesNotDependOnTheCommandLine() {
    noClasses().that().resideOutsideOfPackage("io.opampfleet.server.cli..")
        .should().dependOnClassesThat().resideInAPackage("io.opampfleet.server.cli..")
        .check(SERVER);
  }

  @Test
  void settingsStandOnTheirOwn() {
    noClasses().that().resideInAPackage("io.opampfleet.server.settings..")
        .should().dependOnClassesThat().resideInAnyPackage("io.opampfleet.server.internal..", "io.opampfleet.server")
        .check(SERVER);
  }

  @Test
  void internalPackagesHaveNoCycles() {
    slices().matching("io.opampfleet.server.internal.(*)..").should().beFreeOfCycles().check(SERVER);
  }

  @Test
  void internalCodeDoesNotReachBackToTheServerThatWiresIt() {
    noClasses().that().resideInAPackage("io.opampfleet.server.internal..")
        .should().dependOnClassesThat().resideInAPackage("io.opampfleet.server")
        .check(SERVER);
  }

  @Test
  void theApiReadsTheTimeFromTheClockItIsGiven() {
    noClasses().that().resideInAPackage("io.opampfleet.server.internal.api..")
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(Instant.class, "now")
        .check(SERVER);
  }
}
