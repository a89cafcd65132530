package io.opampfleet.netty.client.internal;

import io.opampfleet.proto.ServerErrorResponseType;
import io.opampfleet.proto.ServerToAgent;
import java.time.Duration;
import java.util.Optional;

/** What both transports do with a message from the server, and what they should do next. */
final class ServerMessages {
  private ServerMessages() {}

  /**
   * Applies the message to the state and hands it to the callbacks.
   *
   * @return how long to stay away when the server said it is unavailable; empty otherwise
   */
  static Optional<Duration> handle(ClientContext context, ServerToAgent message) {
    if (!context.state().isFor(message)) {
      return Optional.empty();
    }
    if (message.hasErrorResponse()) {
      context.callbackExecutor().execute(() -> context.callbacks().onError(message.getErrorResponse()));
      if (message.getErrorResponse().getType() != ServerErrorResponseType.ServerErrorResponseType_Unavailable) {
        return Optional.empty();
      }
      long nanos = message.getErrorResponse().getRetryInfo().getRetryAfterNanoseconds();
      return Optional.of(nanos > 0 ? Duration.ofNanos(nanos) : Duration.ZERO);
    }
    context.state().apply(message);
    if (hasContent(message)) {
      context.callbackExecutor().execute(() -> context.callbacks().onMessage(message));
    }
    return Optional.empty();
  }

  private static boolean hasContent(ServerToAgent message) {
    return message.hasRemoteConfig() || message.hasConnectionSettings() || message.hasPackagesAvailable()
        || message.hasCommand() || message.hasCustomCapabilities() || message.hasCustomMessage()
        || message.hasAgentIdentification();
  }
}
