package io.opampfleet.server.cli;

import io.opampfleet.server.FleetServer;
import io.opampfleet.server.internal.store.StoreException;
import io.opampfleet.server.settings.ServerSettings;
import io.opampfleet.server.settings.ServerSettingsLoader;
import io.opampfleet.strictyaml.ConfigException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code opamp-server [--config server.yaml] [--check]}: runs the fleet server until it is stopped. */
@Command(name = "opamp-server", mixinStandardHelpOptions = true, version = "opamp-server 0.1.0",
    description = "Serves OpAMP to a fleet of agents and the admin API to its operators.")
public final class OpampServerCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE",
      description = "server.yaml; without it: OpAMP on 127.0.0.1:4320, admin on 127.0.0.1:4321, data in ./data")
  private Path config;

  @Option(names = "--check", description = "check the configuration, say what is wrong with it, and exit")
  private boolean check;

  public static void main(String[] args) {
    System.exit(new CommandLine(new OpampServerCommand()).execute(args));
  }

  private static String hostPort(java.net.InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintStream err = System.err;
    ServerSettings settings;
    try {
      ServerSettingsLoader loader = new ServerSettingsLoader(System::getenv);
      settings = config == null ? loader.defaults() : loader.load(config);
    } catch (ConfigException e) {
      err.println("opamp-server: " + e.getMessage());
      return 2;
    }
    if (check) {
      System.out.println("opamp-server: " + (config == null ? "the defaults are" : config + " is") + " valid");
      return 0;
    }
    // Chosen before the first logger exists: logback reads this once.
    System.setProperty("logback.configurationFile", settings.logFormat().equals("json") ? "logback-json.xml" : "logback.xml");
    Logger log = LoggerFactory.getLogger(OpampServerCommand.class);
    if (settings.opamp().tls().isEmpty()) {
      log.warn("OpAMP on {} is not using TLS: agents' traffic and identities are unprotected",
          hostPort(settings.opamp().address()));
    }
    if (settings.admin().tls().isEmpty()) {
      log.warn("the admin API on {} is not using TLS: tokens travel in clear text", hostPort(settings.admin().address()));
    }
    FleetServer server;
    try {
      server = FleetServer.start(settings);
    } catch (ConfigException | StoreException | IllegalStateException e) {
      err.println("opamp-server: " + e.getMessage());
      return 1;
    }
    server.firstAdminToken().ifPresent(token -> System.out.println(
        "opamp-server: first start: an admin token was made; it is shown only now, keep it:\n" + token));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
    return 0;
  }
}
