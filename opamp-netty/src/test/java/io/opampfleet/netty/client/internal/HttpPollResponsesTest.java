package io.opampfleet.netty.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.opampfleet.proto.ServerToAgent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The client's HTTP pipeline as the transport builds it: codec, gunzip bounded by the limit, aggregator, handler. */
class HttpPollResponsesTest {
  private static final int LIMIT = 4096;

  private final List<Object> heard = new ArrayList<>();
  private final EmbeddedChannel channel = new EmbeddedChannel(new HttpClientCodec(),
      new HttpContentDecompressor(false, LIMIT), new HttpObjectAggregator(LIMIT),
      new HttpPollResponses(new HttpPollResponses.Listener() {
        @Override
        public void answered(FullHttpResponse response) {
          heard.add(ByteBufUtil.getBytes(response.content()));
        }

        @Override
        public void failed(Throwable cause) {
          heard.add(cause);
        }
      }));

  @Test
  void aGzippedReplyArrivesDecompressed() throws Exception {
    ServerToAgent reply = ServerToAgent.newBuilder().setFlags(1).setCapabilities(7).build();

    respond(gzip(reply.toByteArray()), "Content-Encoding: gzip\r\n");

    assertThat(heard).hasSize(1);
    assertThat(ServerToAgent.parseFrom((byte[]) heard.get(0))).isEqualTo(reply);
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void aReplyThatInflatesPastTheLimitFailsAndCloses() throws Exception {
    respond(gzip(new byte[LIMIT * 50]), "Content-Encoding: gzip\r\n");

    assertThat(heard).first().isInstanceOfAny(TooLongFrameException.class, io.netty.handler.codec.DecoderException.class);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aServerThatClosesTheConnectionIsAFailure() {
    channel.close();

    assertThat(heard).singleElement().isInstanceOf(IOException.class);
  }

  private void respond(byte[] body, String extraHeaders) {
    String head = "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: " + body.length + "\r\n"
        + extraHeaders + "\r\n";
    // The codec pairs a response with a request it sent: send one first, as the transport does.
    channel.writeOutbound(new io.netty.handler.codec.http.DefaultFullHttpRequest(
        io.netty.handler.codec.http.HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.POST, "/v1/opamp"));
    channel.writeInbound(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body));
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(data);
    }
    return out.toByteArray();
  }
}
