package io.opampfleet.certs;

import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.util.IPAddress;

/** The DNS names and IP addresses a server certificate is valid for (its subject alternative names). */
public record ServerNames(List<String> dnsNames, List<String> ipAddresses) {
  public ServerNames {
    dnsNames = List.copyOf(dnsNames);
    ipAddresses = List.copyOf(ipAddresses);
    if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
      throw new PkiException("a server certificate needs at least one DNS name or IP address");
    }
    for (String ip : ipAddresses) {
      if (!IPAddress.isValid(ip)) {
        throw new PkiException("'" + ip + "' is not an IP address; put host names among the DNS names");
      }
    }
    for (String dns : dnsNames) {
      if (dns.isBlank() || !dns.matches("[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
        throw new PkiException("'" + dns + "' is not a DNS name");
      }
    }
  }

  public static ServerNames localhost() {
    return new ServerNames(List.of("localhost"), List.of("127.0.0.1", "::1"));
  }

  /** The name a server certificate's subject carries: its first DNS name, or first address. */
  String commonName() {
    return dnsNames.isEmpty() ? ipAddresses.get(0) : dnsNames.get(0);
  }

  GeneralNames asGeneralNames() {
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
    ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return new GeneralNames(names.toArray(new GeneralName[0]));
  }
}
