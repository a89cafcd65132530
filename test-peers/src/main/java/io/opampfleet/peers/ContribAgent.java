package io.opampfleet.peers;

import io.opampfleet.certs.CertifiedKey;
import io.opentelemetry.opamp.client.OpampClient;
import io.opentelemetry.opamp.client.internal.connectivity.http.OkHttpSender;
import io.opentelemetry.opamp.client.internal.connectivity.websocket.OkHttpWebSocket;
import io.opentelemetry.opamp.client.internal.request.delay.PeriodicDelay;
import io.opentelemetry.opamp.client.internal.request.service.HttpRequestService;
import io.opentelemetry.opamp.client.internal.request.service.WebSocketRequestService;
import io.opentelemetry.opamp.client.internal.response.MessageData;
import io.opentelemetry.opamp.client.request.service.RequestService;
import java.io.IOException;
import java.net.URI;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import opamp.proto.RemoteConfigStatus;
import opamp.proto.RemoteConfigStatuses;
import opamp.proto.ServerErrorResponse;

/**
 * An agent on the OpenTelemetry Java contrib OpAMP client, code nobody here wrote: it reports its
 * service name and applies every config it is offered. Polls every 200 ms over HTTP.
 */
public final class ContribAgent implements AutoCloseable {
  public final List<String> configsApplied = new CopyOnWriteArrayList<>();
  private final OpampClient client;

  private ContribAgent(RequestService service, String serviceName) {
    client = OpampClient.builder()
        .setRequestService(service)
        .putIdentifyingAttribute("service.name", serviceName)
        .enableRemoteConfig()
        .build(new OpampClient.Callbacks() {
          @Override
          public void onConnect(OpampClient client) {}

          @Override
          public void onConnectFailed(OpampClient client, Throwable throwable) {}

          @Override
          public void onErrorResponse(OpampClient client, ServerErrorResponse error) {}

          @Override
          public void onMessage(OpampClient client, MessageData data) {
            opamp.proto.AgentRemoteConfig config = data.getRemoteConfig();
            if (config != null) {
              configsApplied.add(config.config.config_map.get("").body.utf8());
              client.setRemoteConfigStatus(new RemoteConfigStatus.Builder()
                  .last_remote_config_hash(config.config_hash)
                  .status(RemoteConfigStatuses.RemoteConfigStatuses_APPLIED)
                  .build());
            }
          }
        });
  }

  /** Over plain WebSocket to {@code hostPortPath} ({@code 127.0.0.1:4320/v1/opamp}). */
  public static ContribAgent overWebSocket(String hostPortPath, String serviceName) {
    return new ContribAgent(WebSocketRequestService.create(OkHttpWebSocket.create("ws://" + hostPortPath)), serviceName);
  }

  /** Over plain HTTP to {@code hostPortPath}. */
  public static ContribAgent overHttp(String hostPortPath, String serviceName) {
    return new ContribAgent(http("http://" + hostPortPath, new OkHttpClient()), serviceName);
  }

  /** Over HTTPS with a client certificate, trusting {@code serverCa}. */
  public static ContribAgent mutualTls(URI httpsEndpoint, CertifiedKey key, X509Certificate serverCa,
      String serviceName) {
    return new ContribAgent(http(httpsEndpoint.toString(), okHttp(key, serverCa)), serviceName);
  }

  public OpampClient client() {
    return client;
  }

  private static RequestService http(String url, OkHttpClient okHttp) {
    return HttpRequestService.create(OkHttpSender.create(url, okHttp),
        PeriodicDelay.ofFixedDuration(Duration.ofMillis(200)), PeriodicDelay.ofFixedDuration(Duration.ofMillis(200)));
  }

  private static OkHttpClient okHttp(CertifiedKey key, X509Certificate serverCa) {
    try {
      SSLContext tls = JdkClients.tls(key, serverCa);
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry("ca", serverCa);
      trust.init(trusted);
      return new OkHttpClient.Builder()
          .sslSocketFactory(tls.getSocketFactory(), (X509TrustManager) trust.getTrustManagers()[0])
          .build();
    } catch (Exception e) {
      throw new IllegalStateException("cannot set up the contrib agent's TLS: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    client.close();
  }
}
