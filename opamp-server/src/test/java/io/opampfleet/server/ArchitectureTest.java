package io.opampfleet.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The server's house rules: its packages depend on each other in one direction only (no package
 * reaches back to one that uses it), and the admin API reads the time from the clock it is given.
 */
class ArchitectureTest {
  private static final JavaClasses SERVER = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.opampfleet.server");

  @Test
  void packagesHaveNoCycles() {
    slices().matching("io.opampfleet.server.(*)..").should().beFreeOfCycles().check(SERVER);
  }

  @Test
  void theApiReadsTheTimeFromTheClockItIsGiven() {
    noClasses().that().resideInAPackage("io.opampfleet.server.api..")
        .should().callMethod(System.class, "currentTimeMillis")
        .orShould().callMethod(Instant.class, "now")
        .check(SERVER);
  }
}
