package io.opampfleet.server.internal.api;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One package file gathered in memory and stored at a time on the admin listener: each may be as large
 * as {@code admin::max_package_bytes}, so two at once could take twice that of the heap. The slot is
 * taken at the upload's headers and held by its connection until the whole request is handed to a
 * worker, which gives it back once the call is answered; a connection that closes before gives it back
 * then.
 */
final class UploadSlot {
  private static final AttributeKey<Runnable> HELD = AttributeKey.valueOf("upload-slot");

  private final Semaphore slot = new Semaphore(1);

  /** Takes the slot for the connection's upload; false while another upload holds it. */
  boolean take(Channel channel) {
    if (!slot.tryAcquire()) {
      return false;
    }
    AtomicBoolean given = new AtomicBoolean();
    channel.attr(HELD).set(() -> {
      if (given.compareAndSet(false, true)) {
        slot.release();
      }
    });
    channel.closeFuture().addListener(closed -> handOver(channel).run());
    return true;
  }

  /**
   * Takes the slot off the connection with its whole upload: what gives it back once the call is
   * answered (nothing when the connection holds none).
   */
  static Runnable handOver(Channel channel) {
    Runnable release = channel.attr(HELD).getAndSet(null);
    return release == null ? () -> {} : release;
  }
}
