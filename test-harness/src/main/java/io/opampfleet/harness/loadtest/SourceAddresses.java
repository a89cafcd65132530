package io.opampfleet.harness.loadtest;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Source addresses to spread agents over, from {@code 127.0.0.2-127.0.0.9} or a comma list. */
final class SourceAddresses {
  private SourceAddresses() {}

  static List<InetAddress> parse(String text) {
    List<InetAddress> addresses = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return addresses;
    }
    try {
      for (String part : text.split(",")) {
        String item = part.trim();
        int dash = item.indexOf('-');
        if (dash < 0) {
          addresses.add(InetAddress.getByName(item));
          continue;
        }
        byte[] from = InetAddress.getByName(item.substring(0, dash)).getAddress();
        byte[] to = InetAddress.getByName(item.substring(dash + 1)).getAddress();
        if (from.length != 4 || to.length != 4 || from[0] != to[0] || from[1] != to[1] || from[2] != to[2]) {
          throw new LoadtestException("--source-addresses: a range such as 127.0.0.2-127.0.0.9 stays within one /24");
        }
        for (int last = from[3] & 0xff; last <= (to[3] & 0xff); last++) {
          addresses.add(InetAddress.getByAddress(new byte[] {from[0], from[1], from[2], (byte) last}));
        }
      }
    } catch (UnknownHostException e) {
      throw new LoadtestException("--source-addresses: '" + text + "' holds an address that is not valid: " + e.getMessage());
    }
    return addresses;
  }
}
