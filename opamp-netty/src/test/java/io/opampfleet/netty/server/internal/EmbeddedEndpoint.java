package io.opampfleet.netty.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.opampfleet.netty.server.ServerCallbacks;
import io.opampfleet.netty.server.ServerLimits;
import java.util.ArrayList;
import java.util.List;

/** The server's pipeline on EmbeddedChannels: requests in as bytes, responses out as bytes. */
final class EmbeddedEndpoint {
  final ServerContext context;

  EmbeddedEndpoint(ServerCallbacks callbacks, ServerLimits limits) {
    context = ServerContext.create("/v1/opamp", limits, io.opampfleet.netty.server.Balancers.none(),
        new MessageDispatcher(callbacks, Runnable::run, limits.maxMessageBytes()), java.util.Map.of());
  }

  EmbeddedEndpoint() {
    this(new ServerCallbacks() {}, ServerLimits.defaults());
  }

  EmbeddedChannel connect() {
    return new EmbeddedChannel(new ServerPipeline(context, null));
  }

  /** Sends one request on a new connection and returns the response, or null when none came. */
  FullHttpResponse exchange(FullHttpRequest request) {
    return exchange(connect(), request);
  }

  static FullHttpResponse exchange(EmbeddedChannel connection, FullHttpRequest request) {
    send(connection, request);
    List<FullHttpResponse> responses = responses(connection);
    return responses.isEmpty() ? null : responses.get(0);
  }

  /** Writes the request's bytes to the connection, as a client would, and lets the server act. */
  static void send(EmbeddedChannel connection, FullHttpRequest request) {
    EmbeddedChannel encoder = new EmbeddedChannel(new HttpRequestEncoder());
    encoder.writeOutbound(request);
    for (ByteBuf bytes = encoder.readOutbound(); bytes != null; bytes = encoder.readOutbound()) {
      connection.writeInbound(bytes);
    }
    connection.runPendingTasks();
  }

  /** The responses the connection wrote since the last call, in order. */
  static List<FullHttpResponse> responses(EmbeddedChannel connection) {
    connection.runPendingTasks();
    EmbeddedChannel decoder = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 24));
    for (Object bytes = connection.readOutbound(); bytes != null; bytes = connection.readOutbound()) {
      decoder.writeInbound(bytes);
    }
    List<FullHttpResponse> responses = new ArrayList<>();
    for (FullHttpResponse response = decoder.readInbound(); response != null; response = decoder.readInbound()) {
      responses.add(response);
    }
    return responses;
  }
}
