package io.opampfleet.server.fleet;

import io.opampfleet.certs.CertificateAuthority;
import io.opampfleet.certs.CertifiedKey;
import io.opampfleet.certs.Validity;
import io.opentelemetry.opamp.client.OpampClient;
import io.opentelemetry.opamp.client.internal.connectivity.http.OkHttpSender;
import io.opentelemetry.opamp.client.internal.request.delay.PeriodicDelay;
import io.opentelemetry.opamp.client.internal.request.service.HttpRequestService;
import io.opentelemetry.opamp.client.internal.response.MessageData;
import java.net.URI;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import opamp.proto.RemoteConfigStatus;
import opamp.proto.RemoteConfigStatuses;
import opamp.proto.ServerErrorResponse;

/** An agent on the OpenTelemetry Java contrib client, over HTTPS with its own client certificate. */
public final class ContribAgent implements AutoCloseable {
  public final List<String> configsApplied = new CopyOnWriteArrayList<>();
  private final OpampClient client;

  public ContribAgent(URI wssEndpoint, CertificateAuthority ca, String identity, String serviceName) {
    CertifiedKey key = ca.issueClient(identity, Validity.days(1));
    String https = wssEndpoint.toString().replaceFirst("^wss:", "https:");
    HttpRequestService service = HttpRequestService.create(OkHttpSender.create(https, okHttp(key, ca)),
        PeriodicDelay.ofFixedDuration(Duration.ofMillis(200)), PeriodicDelay.ofFixedDuration(Duration.ofMillis(200)));
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

  private static OkHttpClient okHttp(CertifiedKey key, CertificateAuthority ca) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("agent", key.privateKey(), new char[0], key.chainArray());
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, new char[0]);
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      trusted.setCertificateEntry("ca", (Certificate) ca.certificate());
      TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trusted);
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
      return new OkHttpClient.Builder()
          .sslSocketFactory(tls.getSocketFactory(), (X509TrustManager) trustManagers.getTrustManagers()[0])
          .build();
    } catch (Exception e) {
      throw new IllegalStateException("cannot set up the contrib agent's TLS: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws java.io.IOException {
    client.close();
  }
}
