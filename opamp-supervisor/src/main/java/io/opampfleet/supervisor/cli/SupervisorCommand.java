package io.opampfleet.supervisor.cli;

import io.opampfleet.supervisor.Supervisor;
import io.opampfleet.supervisor.bootstrap.BootstrapException;
import io.opampfleet.strictyaml.ConfigException;
import io.opampfleet.supervisor.config.SupervisorConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code supervisor --config supervisor.yaml}: runs a collector the way the OpenTelemetry Go supervisor does.
 *
 * <p>Its three options are read here rather than by a command-line library: the supervisor starts on
 * every host of a fleet, and picocli's classes (Java 5 bytecode, which class-data sharing cannot
 * archive) were a fifth of its start and 2 MiB of its metaspace.
 */
public final class SupervisorCommand {
  static final int BAD_INPUT = 1;
  static final int USAGE = 2;
  static final String VERSION = "supervisor (OpAMP Fleet) 0.1";
  static final String HELP = """
      Usage: supervisor --config=FILE
      Runs an OpenTelemetry Collector for an OpAMP server from a supervisor.yaml in the Go supervisor's
      format, and never leaves it down.
            --config=FILE   The supervisor.yaml.
        -h, --help          Show this help message and exit.
        -V, --version       Print version information and exit.
      """;

  private SupervisorCommand() {}

  public static void main(String[] args) {
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the command line; a mistake in the input is one line on {@code err} and exit code 1. */
  static int execute(PrintWriter out, PrintWriter err, String... args) {
    Path config = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("-h") || arg.equals("--help")) {
        out.print(HELP);
        out.flush();
        return 0;
      } else if (arg.equals("-V") || arg.equals("--version")) {
        out.println(VERSION);
        out.flush();
        return 0;
      } else if ((arg.equals("--config") || arg.equals("-config")) && i + 1 < args.length) {
        config = Path.of(args[++i]);
      } else if (arg.startsWith("--config=") || arg.startsWith("-config=")) {
        config = Path.of(arg.substring(arg.indexOf('=') + 1));
      } else if (arg.equals("--config") || arg.equals("-config")) {
        return usage(err, "Missing required parameter for option '--config' (FILE)");
      } else {
        return usage(err, "Unknown option: '" + arg + "'");
      }
    }
    if (config == null) {
      return usage(err, "Missing required option: '--config=FILE'");
    }
    try {
      return run(out, err, config);
    } catch (ConfigException | BootstrapException e) {
      err.println("supervisor: " + e.getMessage());
    } catch (Exception e) {
      err.println("supervisor: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    err.flush();
    return BAD_INPUT;
  }

  private static int usage(PrintWriter err, String problem) {
    err.println(problem);
    err.print(HELP);
    err.flush();
    return USAGE;
  }

  private static int run(PrintWriter out, PrintWriter err, Path config) throws Exception {
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
    out.printf("supervisor: running the collector (pid %d) as %s for %s%n",
        supervisor.collectorPid(), supervisor.instanceUid(), loaded.config().server().endpoint());
    out.flush();
    stopped.await();
    return 0;
  }
}
