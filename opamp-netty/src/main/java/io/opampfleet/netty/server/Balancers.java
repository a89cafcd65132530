package io.opampfleet.netty.server;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The balancers (HAProxy, a cloud load balancer) in front of a listener, by address: only from
 * these may a connection start with a PROXY header (v1 or v2) naming the client it carries, and only
 * from these may a request carry the client's certificate in a header, for a balancer that ends TLS
 * itself (and has checked the certificate). From any other address such a header is refused.
 */
public final class Balancers {
  private final List<String> addresses;
  private final List<IpSubnetFilterRule> rules;
  private final boolean proxyProtocol;
  private final String clientCertificateHeader;

  /**
   * @param addresses the balancers' addresses, as ranges ("10.0.0.0/8", "192.0.2.7", "::1/128")
   * @param proxyProtocol whether connections from a balancer start with a PROXY header
   * @param clientCertificateHeader the request header a balancer that ends TLS puts the client's
   *     certificate in (base64 DER, or PEM, URL-encoded or not); null when none does
   * @throws IllegalArgumentException naming a range that is not one
   */
  public Balancers(List<String> addresses, boolean proxyProtocol, String clientCertificateHeader) {
    this.addresses = List.copyOf(addresses);
    this.rules = this.addresses.stream().map(Balancers::rule).toList();
    this.proxyProtocol = proxyProtocol;
    this.clientCertificateHeader = clientCertificateHeader;
    if ((proxyProtocol || clientCertificateHeader != null) && addresses.isEmpty()) {
      throw new IllegalArgumentException("a PROXY header or a certificate header needs the balancers' addresses");
    }
  }

  public static Balancers none() {
    return new Balancers(List.of(), false, null);
  }

  public List<String> addresses() {
    return addresses;
  }

  public boolean proxyProtocol() {
    return proxyProtocol;
  }

  /** The header a balancer that ends TLS puts the client's certificate in; null when none does. */
  public String clientCertificateHeader() {
    return clientCertificateHeader;
  }

  /** Whether a connection from this address is a balancer's. */
  public boolean trusts(InetSocketAddress peer) {
    for (IpSubnetFilterRule rule : rules) {
      if (rule.matches(peer)) {
        return true;
      }
    }
    return false;
  }

  private static IpSubnetFilterRule rule(String range) {
    int slash = range.indexOf('/');
    String address = slash < 0 ? range : range.substring(0, slash);
    if (!address.matches("[0-9a-fA-F.:]+")) {
      throw new IllegalArgumentException("'" + range + "' is not an address range such as 10.0.0.0/8");
    }
    try {
      int prefix = slash < 0 ? (address.contains(":") ? 128 : 32) : Integer.parseInt(range.substring(slash + 1));
      return new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + range + "' is not an address range such as 10.0.0.0/8: " + e.getMessage());
    }
  }
}
