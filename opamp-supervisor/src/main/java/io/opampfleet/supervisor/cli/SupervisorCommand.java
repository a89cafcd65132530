package io.opampfleet.supervisor.cli;

import io.opampfleet.supervisor.Supervisor;
import io.opampfleet.supervisor.bootstrap.BootstrapException;
import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code supervisor --config supervisor.yaml}: runs a collector the way the OpenTelemetry Go supervisor does. */
@Command(name = "supervisor", mixinStandardHelpOptions = true, version = "supervisor (OpAMP Fleet) 0.1",
    description = "Runs an OpenTelemetry Collector for an OpAMP server from a supervisor.yaml in the Go"
        + " supervisor's format, and never leaves it down.")
public final class SupervisorCommand implements Callable<Integer> {
  static final int BAD_INPUT = 1;

  @Spec
  private CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "The supervisor.yaml.")
  private Path config;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    SupervisorConfigLoader.Loaded loaded = SupervisorConfigLoader.withSystemEnvironment().load(config);
    loaded.warnings().forEach(warning -> err.println("supervisor: warning: " + warning));
    err.flush();
    OwnLogging.apply(loaded.config().telemetry());
    Supervisor supervisor = new Supervisor(loaded.config());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        supervisor.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        stopped.countDown();
      }
    }, "supervisor-shutdown"));
    supervisor.start();
    spec.commandLine().getOut().printf("supervisor: running the collector (pid %d) as %s for %s%n",
        supervisor.collectorPid(), supervisor.instanceUid(), loaded.config().server().endpoint());
    spec.commandLine().getOut().flush();
    stopped.await();
    return 0;
  }

  public static void main(String[] args) {
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the command line; a mistake in the input is one line on {@code err} and exit code 1. */
  static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new SupervisorCommand());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler((exception, line, parsed) -> {
      boolean expected = exception instanceof ConfigException || exception instanceof BootstrapException;
      err.println("supervisor: " + (expected ? exception.getMessage()
          : "unexpected " + exception.getClass().getSimpleName() + ": " + exception.getMessage()));
      err.flush();
      return BAD_INPUT;
    });
    return commandLine.execute(args);
  }
}
