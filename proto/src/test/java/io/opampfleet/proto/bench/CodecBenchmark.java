package io.opampfleet.proto.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentDescription;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.AgentToServer;
import io.opampfleet.proto.AnyValue;
import io.opampfleet.proto.ComponentHealth;
import io.opampfleet.proto.KeyValue;
import io.opampfleet.proto.RemoteConfigStatus;
import io.opampfleet.proto.RemoteConfigStatuses;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.framing.WebSocketMessageCodec;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode of the two messages that dominate a fleet's traffic: an agent's status report
 * and a ServerToAgent carrying a 10 KiB config. Each through our WebSocket codec on pooled buffers,
 * next to protobuf's own byte-array encode and decode as the baseline of the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
  private final PooledByteBufAllocator allocator = PooledByteBufAllocator.DEFAULT;
  private AgentToServer statusReport;
  private ServerToAgent configOffer;
  private byte[] statusReportBytes;
  private byte[] configOfferBytes;
  private ByteBuf statusReportFrame;
  private ByteBuf configOfferFrame;

  @Setup
  public void setUp() {
    statusReport = AgentToServer.newBuilder()
        .setInstanceUid(ByteString.copyFrom(new byte[16]))
        .setSequenceNum(4711)
        .setCapabilities(0x7807)
        .setAgentDescription(AgentDescription.newBuilder()
            .addIdentifyingAttributes(attribute("service.name", "io.opentelemetry.collector"))
            .addIdentifyingAttributes(attribute("service.version", "0.149.0"))
            .addIdentifyingAttributes(attribute("service.instance.id", "019a2b3c-4d5e-7f00-8192-a3b4c5d6e7f8"))
            .addNonIdentifyingAttributes(attribute("os.type", "linux"))
            .addNonIdentifyingAttributes(attribute("host.name", "node-0042.prod.example")))
        .setHealth(ComponentHealth.newBuilder().setHealthy(true).setStatus("StatusOK")
            .setStartTimeUnixNano(1_764_000_000_000_000_000L)
            .putComponentHealthMap("pipeline:traces", ComponentHealth.newBuilder().setHealthy(true).setStatus("StatusOK").build()))
        .setRemoteConfigStatus(RemoteConfigStatus.newBuilder()
            .setLastRemoteConfigHash(ByteString.copyFrom(new byte[32]))
            .setStatus(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED))
        .build();
    byte[] config = new byte[10 * 1024];
    new Random(1).nextBytes(config);
    configOffer = ServerToAgent.newBuilder()
        .setInstanceUid(ByteString.copyFrom(new byte[16]))
        .setCapabilities(7)
        .setRemoteConfig(AgentRemoteConfig.newBuilder()
            .setConfig(AgentConfigMap.newBuilder().putConfigMap("", AgentConfigFile.newBuilder()
                .setBody(ByteString.copyFrom(config)).setContentType("text/yaml").build()))
            .setConfigHash(ByteString.copyFrom(new byte[32])))
        .build();
    statusReportBytes = statusReport.toByteArray();
    configOfferBytes = configOffer.toByteArray();
    statusReportFrame = WebSocketMessageCodec.encode(statusReport, allocator);
    configOfferFrame = WebSocketMessageCodec.encode(configOffer, allocator);
  }

  @TearDown
  public void tearDown() {
    statusReportFrame.release();
    configOfferFrame.release();
  }

  private static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  @Benchmark
  public int encodeStatusReport() {
    ByteBuf frame = WebSocketMessageCodec.encode(statusReport, allocator);
    int size = frame.readableBytes();
    frame.release();
    return size;
  }

  @Benchmark
  public AgentToServer decodeStatusReport() {
    return WebSocketMessageCodec.decode(statusReportFrame.duplicate(), AgentToServer.parser());
  }

  @Benchmark
  public int encodeConfigOffer() {
    ByteBuf frame = WebSocketMessageCodec.encode(configOffer, allocator);
    int size = frame.readableBytes();
    frame.release();
    return size;
  }

  @Benchmark
  public ServerToAgent decodeConfigOffer() {
    return WebSocketMessageCodec.decode(configOfferFrame.duplicate(), ServerToAgent.parser());
  }

  @Benchmark
  public byte[] baselineStatusReportToByteArray() {
    return statusReport.toByteArray();
  }

  @Benchmark
  public AgentToServer baselineStatusReportParseFrom() throws InvalidProtocolBufferException {
    return AgentToServer.parseFrom(statusReportBytes);
  }

  @Benchmark
  public byte[] baselineConfigOfferToByteArray() {
    return configOffer.toByteArray();
  }

  @Benchmark
  public ServerToAgent baselineConfigOfferParseFrom() throws InvalidProtocolBufferException {
    return ServerToAgent.parseFrom(configOfferBytes);
  }
}
