package io.opampfleet.harness.loadtest;

import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * What each process running agents needs of its own machine: the CA and the agents' certificates
 * or the key to mint them, and the source addresses; shared by {@code loadtest} and its workers.
 */
final class AgentTlsOptions {
  @Option(names = "--ca", description = "PEM CA that signed the servers' certificates (wss, https)")
  Path ca;
  @Option(names = "--cert", description = "PEM client certificate for every agent (a server that requires each"
      + " certificate to name its agent's uid, as under mutual TLS by default, refuses all but one: use --ca-key)")
  Path cert;
  @Option(names = "--key", description = "PEM private key of --cert")
  Path key;
  @Option(names = "--ca-key", description = "PEM key of --ca: mint one client certificate per agent (subject = its uid)")
  Path caKey;
  @Option(names = "--cert-cache", defaultValue = "${sys:user.home}/.cache/opamp-fleet/loadtest-certs",
      description = "Where minted certificates are kept for the next run, a directory for each CA (default"
          + " ${DEFAULT-VALUE})")
  Path certCache;
  @Option(names = "--source-addresses", description = "Spread agents over these source addresses, "
      + "e.g. 127.0.0.2-127.0.0.9 (about 28,000 connections each)")
  String sourceAddresses;

  static boolean secure(List<URI> endpoints) {
    return endpoints.stream().anyMatch(endpoint -> List.of("wss", "https").contains(endpoint.getScheme()));
  }

  /** @throws LoadtestException when TLS endpoints come without a CA */
  void check(List<URI> endpoints) {
    if (secure(endpoints) && ca == null) {
      throw new LoadtestException("--ca is needed for wss and https endpoints");
    }
  }

  /** Each agent's TLS for this plan, minted or read before the ramp when there is one per agent; null without TLS. */
  AgentCertificates certificates(FleetPlan plan) {
    if (!secure(plan.endpoints())) {
      return null;
    }
    AgentCertificates certificates = AgentCertificates.of(ca, cert, key, caKey, certCache);
    if (caKey != null) {
      certificates.prepare(AgentFleet.uids(plan));
    }
    return certificates;
  }

  List<InetAddress> sources() {
    return SourceAddresses.parse(sourceAddresses);
  }

  /** These options as command-line arguments, for a worker started on this machine. */
  List<String> asArguments() {
    Map<String, Object> given = new LinkedHashMap<>();
    given.put("--ca", ca);
    given.put("--cert", cert);
    given.put("--key", key);
    given.put("--ca-key", caKey);
    given.put("--cert-cache", certCache);
    given.put("--source-addresses", sourceAddresses);
    List<String> arguments = new ArrayList<>();
    given.forEach((option, value) -> {
      if (value != null) {
        arguments.add(option);
        arguments.add(value.toString());
      }
    });
    return arguments;
  }
}
