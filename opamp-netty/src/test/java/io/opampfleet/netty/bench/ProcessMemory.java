package io.opampfleet.netty.bench;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One process's memory at rest: live heap after full collections, Netty's direct memory, and the
 * resident set (which holds native memory such as OpenSSL's, and, with a pre-touched fixed heap,
 * nothing that heap growth could add).
 */
record ProcessMemory(long heapUsed, long heapCommitted, long directUsed, long resident) {
  static ProcessMemory measure() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(300);
    }
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long direct = Math.max(PlatformDependent.usedDirectMemory(), 0)
        + PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    return new ProcessMemory(heap.getUsed(), heap.getCommitted(), direct, residentBytes());
  }

  /** Per-connection figures from two measurements of this process. */
  Growth since(ProcessMemory before, int connections) {
    long heap = (heapUsed - before.heapUsed) / connections;
    long direct = (directUsed - before.directUsed) / connections;
    long nativeAndDirect = Math.max(0, (resident - before.resident) - (heapCommitted - before.heapCommitted)) / connections;
    return new Growth(heap, direct, nativeAndDirect);
  }

  /** Bytes per connection: live heap, Netty direct, and all native (direct included) outside the heap. */
  record Growth(long heap, long direct, long outsideHeap) {
    long total() {
      return heap + outsideHeap;
    }
  }

  String line() {
    return "heap=" + heapUsed + " committed=" + heapCommitted + " direct=" + directUsed + " rss=" + resident;
  }

  static ProcessMemory parse(String line) {
    long[] values = new long[4];
    String[] fields = line.trim().split(" ");
    for (int i = 0; i < 4; i++) {
      values[i] = Long.parseLong(fields[i].substring(fields[i].indexOf('=') + 1));
    }
    return new ProcessMemory(values[0], values[1], values[2], values[3]);
  }

  private static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
  }
}
