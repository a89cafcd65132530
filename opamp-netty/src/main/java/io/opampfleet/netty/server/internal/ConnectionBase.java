package io.opampfleet.netty.server.internal;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.proto.ServerToAgent;
import java.security.cert.X509Certificate;
import java.util.List;

/** What both transports' connections share: the peer's certificates and their serial dispatch. */
abstract class ConnectionBase implements AgentConnection {
  private final SerialDispatch dispatch = new SerialDispatch();
  private final List<X509Certificate> peerCertificates;
  private volatile ByteString instanceUid = ByteString.EMPTY;

  ConnectionBase(List<X509Certificate> peerCertificates) {
    this.peerCertificates = List.copyOf(peerCertificates);
  }

  final SerialDispatch dispatch() {
    return dispatch;
  }

  /** Remembers the uid the agent last used, which replies and sent messages must carry. */
  final ByteString instanceUid() {
    return instanceUid;
  }

  final void heardFrom(ByteString uid) {
    instanceUid = uid;
  }

  /** The message addressed to the agent: with its instance uid when the caller left it out. */
  final ServerToAgent addressed(ServerToAgent message) {
    return message.getInstanceUid().isEmpty() && !instanceUid.isEmpty()
        ? message.toBuilder().setInstanceUid(instanceUid).build()
        : message;
  }

  @Override
  public List<X509Certificate> peerCertificates() {
    return peerCertificates;
  }
}
