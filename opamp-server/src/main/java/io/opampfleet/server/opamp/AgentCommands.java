package io.opampfleet.server.opamp;

import com.google.protobuf.ByteString;
import io.opampfleet.netty.InstanceUid;
import io.opampfleet.netty.server.AgentConnection;
import io.opampfleet.proto.AgentCapabilities;
import io.opampfleet.proto.AgentConfigFile;
import io.opampfleet.proto.AgentConfigMap;
import io.opampfleet.proto.AgentRemoteConfig;
import io.opampfleet.proto.CommandType;
import io.opampfleet.proto.ServerToAgent;
import io.opampfleet.proto.ServerToAgentCommand;
import io.opampfleet.server.configs.ConfigVersion;
import io.opampfleet.server.inventory.Agent;
import io.opampfleet.server.rollout.ConfigSender;
import java.nio.charset.StandardCharsets;

/** What the server sends agents on its own: their config when it changes, and commands. */
public final class AgentCommands implements ConfigSender {
  /** The capabilities this server announces in every message. */
  static final long SERVER_CAPABILITIES = io.opampfleet.proto.ServerCapabilities.ServerCapabilities_AcceptsStatus_VALUE
      | io.opampfleet.proto.ServerCapabilities.ServerCapabilities_OffersRemoteConfig_VALUE
      | io.opampfleet.proto.ServerCapabilities.ServerCapabilities_AcceptsEffectiveConfig_VALUE;

  @Override
  public void sendDesiredConfig(Agent agent) {
    AgentConnection connection = agent.connection();
    if (connection == null || !agent.can(AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig_VALUE)) {
      return;
    }
    ConfigVersion version = agent.configToSend();
    if (version != null) {
      connection.send(message(agent).setRemoteConfig(remoteConfig(version)).build());
    }
  }

  /** @return false when the agent is not connected or does not take restart commands */
  public boolean restart(Agent agent) {
    AgentConnection connection = agent.connection();
    if (connection == null || !agent.can(AgentCapabilities.AgentCapabilities_AcceptsRestartCommand_VALUE)) {
      return false;
    }
    connection.send(message(agent)
        .setCommand(ServerToAgentCommand.newBuilder().setType(CommandType.CommandType_Restart)).build());
    return true;
  }

  static AgentRemoteConfig remoteConfig(ConfigVersion version) {
    return AgentRemoteConfig.newBuilder()
        .setConfig(AgentConfigMap.newBuilder().putConfigMap("", AgentConfigFile.newBuilder()
            .setBody(ByteString.copyFrom(version.body(), StandardCharsets.UTF_8))
            .setContentType("text/yaml")
            .build()))
        .setConfigHash(ByteString.copyFrom(version.hashBytes()))
        .build();
  }

  private static ServerToAgent.Builder message(Agent agent) {
    return ServerToAgent.newBuilder().setInstanceUid(InstanceUid.bytes(agent.uid())).setCapabilities(SERVER_CAPABILITIES);
  }
}
