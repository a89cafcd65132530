package io.opampfleet.server.internal.api;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One package file gathered in memory and stored at a time on the admin listener: each may be as large
 * as {@code admin::max_package_bytes}, so two at once could take twice that of the heap. The slot is
 * held by the connection whose upload is under way, from its headers until the call is answered or the
 * connection closes.
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
    channel.closeFuture().addListener(closed -> giveBack(channel));
    return true;
  }

  /** Gives the slot back when the connection holds it: its upload was answered, or it closed. */
  static void giveBack(Channel channel) {
    Runnable release = channel.attr(HELD).getAndSet(null);
    if (release != null) {
      release.run();
    }
  }
}
