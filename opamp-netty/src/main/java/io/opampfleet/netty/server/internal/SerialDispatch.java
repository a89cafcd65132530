package io.opampfleet.netty.server.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** Runs one connection's work one piece at a time, in order, on an executor. */
final class SerialDispatch {
  private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

  synchronized <T> CompletableFuture<T> then(Supplier<CompletionStage<T>> work, Executor executor) {
    CompletableFuture<T> next = tail.handle((ignored, failure) -> null).thenComposeAsync(ignored -> work.get(), executor);
    tail = next;
    return next;
  }
}
