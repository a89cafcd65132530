package io.opampfleet.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupervisorCommandTest {
  @TempDir
  Path dir;

  @Test
  void aWrongKeyIsOneLineNamingTheFileTheKeyAndTheReason() throws Exception {
    Path config = Files.writeString(dir.resolve("supervisor.yaml"), "server: {endpoint: ws://x:4320/v1/opamp}\nagent: {}\n");
    StringWriter err = new StringWriter();

    int code = SupervisorCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "--config", config.toString());

    assertThat(code).isEqualTo(SupervisorCommand.BAD_INPUT);
    assertThat(err.toString().lines()).containsExactly("supervisor: " + config + ": agent::executable: must be specified");
  }

  @Test
  void aMissingFileIsNamed() {
    StringWriter err = new StringWriter();

    int code = SupervisorCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err),
        "--config", dir.resolve("none.yaml").toString());

    assertThat(code).isEqualTo(SupervisorCommand.BAD_INPUT);
    assertThat(err.toString()).isEqualTo("supervisor: " + dir.resolve("none.yaml") + ": no such file\n");
  }

  @Test
  void withoutAConfigItSaysWhatItNeeds() {
    StringWriter err = new StringWriter();

    int code = SupervisorCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--config=FILE'").doesNotContain("Exception");
  }

  @Test
  void theGoFormOfTheOptionIsReadToo() throws Exception {
    Path config = Files.writeString(dir.resolve("supervisor.yaml"), "server: {endpoint: ws://x:4320/v1/opamp}\nagent: {}\n");
    StringWriter err = new StringWriter();

    int code = SupervisorCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "-config=" + config);

    assertThat(code).isEqualTo(SupervisorCommand.BAD_INPUT);
    assertThat(err.toString()).contains("agent::executable: must be specified");
  }

  @Test
  void anUnknownOptionIsNamedWithTheUsage() {
    StringWriter err = new StringWriter();

    int code = SupervisorCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "--confg", "x.yaml");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).startsWith("Unknown option: '--confg'\nUsage: supervisor --config=FILE");
  }

  @Test
  void helpAndVersionGoToStandardOutput() {
    StringWriter out = new StringWriter();

    assertThat(SupervisorCommand.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "--help")).isZero();
    assertThat(SupervisorCommand.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "-V")).isZero();

    assertThat(out.toString()).startsWith("Usage: supervisor --config=FILE").endsWith("supervisor (OpAMP Fleet) 0.1\n");
  }
}
