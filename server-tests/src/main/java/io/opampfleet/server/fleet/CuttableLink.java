package io.opampfleet.server.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * A TCP link on loopback to a port, which a test can cut (every connection through it closed, new
 * ones refused) and restore: one server losing its store while the others keep it. A few lines here,
 * where a fault-injecting proxy (Toxiproxy) would add a container and a client for one cut.
 */
public final class CuttableLink implements AutoCloseable {
  private final ServerSocket listener;
  private final IntSupplier target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  public CuttableLink(int target) throws IOException {
    this(() -> target);
  }

  /** A link to whatever port {@code target} names when each connection is made (a restarted container's). */
  public CuttableLink(IntSupplier target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accepting = new Thread(this::accept, "link-" + listener.getLocalPort());
    accepting.setDaemon(true);
    accepting.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  public void cut() {
    cut = true;
    open.forEach(CuttableLink::closeQuietly);
    open.clear();
  }

  public void restore() {
    cut = false;
  }

  @Override
  public void close() {
    cut();
    closeQuietly(listener);
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket in;
      try {
        in = listener.accept();
      } catch (IOException e) {
        continue; // closed: the loop ends
      }
      if (cut) {
        closeQuietly(in);
        continue;
      }
      try {
        Socket out = new Socket(InetAddress.getLoopbackAddress(), target.getAsInt());
        open.add(in);
        open.add(out);
        pipe(in, out);
        pipe(out, in);
      } catch (IOException e) {
        // The target refused: the client sees its connection end, as with the target itself.
        closeQuietly(in);
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread copying = new Thread(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // one side went: close both
      }
      closeQuietly(from);
      closeQuietly(to);
    }, "link-pipe");
    copying.setDaemon(true);
    copying.start();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
