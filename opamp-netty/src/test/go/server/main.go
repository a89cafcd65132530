// Command server is an OpAMP server built on opamp-go's server, used as an interop peer by the
// tests. To each agent it offers config "cfg-1" with ReportFullState in its first reply,
// and once cfg-1 is APPLIED it sends "cfg-2" on its own (over WebSocket) or in the next reply
// (over HTTP). It prints what it sees as "EVENT ..." lines and stops when its standard input closes.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/open-telemetry/opamp-go/protobufs"
	"github.com/open-telemetry/opamp-go/server"
	"github.com/open-telemetry/opamp-go/server/types"
	"opampfleet/interop-peers/internal/events"
)

const capabilities = uint64(protobufs.ServerCapabilities_ServerCapabilities_AcceptsStatus |
	protobufs.ServerCapabilities_ServerCapabilities_OffersRemoteConfig |
	protobufs.ServerCapabilities_ServerCapabilities_AcceptsEffectiveConfig)

type agent struct {
	offered2 bool
	pending  *protobufs.AgentRemoteConfig
}

type peer struct {
	mu     sync.Mutex
	agents map[string]*agent
}

// offered is the body of every config offered after its name line: -config's file, or a stub.
var offered = "receivers: {}\n"

func config(name string) *protobufs.AgentRemoteConfig {
	return &protobufs.AgentRemoteConfig{
		Config: &protobufs.AgentConfigMap{ConfigMap: map[string]*protobufs.AgentConfigFile{
			"": {Body: []byte("# " + name + "\n" + offered), ContentType: "text/yaml"},
		}},
		ConfigHash: []byte(name),
	}
}

func describe(msg *protobufs.AgentToServer) string {
	name := "-"
	if msg.AgentDescription != nil {
		for _, kv := range msg.AgentDescription.IdentifyingAttributes {
			if kv.Key == "service.name" {
				name = kv.Value.GetStringValue()
			}
		}
	}
	status := "-"
	if msg.RemoteConfigStatus != nil {
		status = fmt.Sprintf("%s:%s", msg.RemoteConfigStatus.Status, string(msg.RemoteConfigStatus.LastRemoteConfigHash))
	}
	return fmt.Sprintf("message uid=%s seq=%d description=%s status=%s effective=%t disconnect=%t",
		hex.EncodeToString(msg.InstanceUid), msg.SequenceNum, name, status, msg.EffectiveConfig != nil,
		msg.AgentDisconnect != nil)
}

func (p *peer) onMessage(ctx context.Context, conn types.Connection, msg *protobufs.AgentToServer) *protobufs.ServerToAgent {
	events.Print("%s", describe(msg))
	reply := &protobufs.ServerToAgent{InstanceUid: msg.InstanceUid, Capabilities: capabilities}
	p.mu.Lock()
	defer p.mu.Unlock()
	uid := string(msg.InstanceUid)
	state, known := p.agents[uid]
	if !known {
		state = &agent{}
		p.agents[uid] = state
		reply.RemoteConfig = config("cfg-1")
		reply.Flags = uint64(protobufs.ServerToAgentFlags_ServerToAgentFlags_ReportFullState)
		return reply
	}
	if state.pending != nil {
		reply.RemoteConfig = state.pending
		state.pending = nil
	}
	applied := msg.RemoteConfigStatus != nil &&
		msg.RemoteConfigStatus.Status == protobufs.RemoteConfigStatuses_RemoteConfigStatuses_APPLIED &&
		string(msg.RemoteConfigStatus.LastRemoteConfigHash) == "cfg-1"
	if applied && !state.offered2 {
		state.offered2 = true
		if conn.Connection() != nil && isWebSocket(ctx) {
			go func() {
				err := conn.Send(context.Background(), &protobufs.ServerToAgent{
					InstanceUid: msg.InstanceUid, Capabilities: capabilities, RemoteConfig: config("cfg-2")})
				events.Print("sent cfg-2 err=%v", err)
			}()
		} else {
			state.pending = config("cfg-2")
		}
	}
	return reply
}

type transportKey struct{}

func isWebSocket(ctx context.Context) bool {
	websocket, _ := ctx.Value(transportKey{}).(bool)
	return websocket
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	caFile := flag.String("ca", "", "CA whose client certificates are required (mutual TLS)")
	certFile := flag.String("cert", "", "server certificate (PEM)")
	keyFile := flag.String("key", "", "server key (PEM)")
	configFile := flag.String("config", "", "collector config (YAML) to offer, instead of a stub")
	flag.Parse()
	if *configFile != "" {
		body, err := os.ReadFile(*configFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "server:", err)
			os.Exit(2)
		}
		offered = string(body)
	}

	p := &peer{agents: map[string]*agent{}}
	opamp := server.New(nil)
	settings := server.StartSettings{
		ListenEndpoint: *listen,
		ListenPath:     "/v1/opamp",
		Settings: server.Settings{Callbacks: types.Callbacks{
			OnConnecting: func(request *http.Request) types.ConnectionResponse {
				websocket := strings.EqualFold(request.Header.Get("Upgrade"), "websocket")
				return types.ConnectionResponse{Accept: true, ConnectionCallbacks: types.ConnectionCallbacks{
					OnConnected: func(ctx context.Context, conn types.Connection) { events.Print("connected websocket=%t", websocket) },
					OnMessage: func(ctx context.Context, conn types.Connection, msg *protobufs.AgentToServer) *protobufs.ServerToAgent {
						return p.onMessage(context.WithValue(ctx, transportKey{}, websocket), conn, msg)
					},
					OnConnectionClose: func(conn types.Connection) { events.Print("closed") },
				}}
			},
		}},
	}
	if *caFile != "" {
		config, err := mutualTLS(*caFile, *certFile, *keyFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "server:", err)
			os.Exit(2)
		}
		settings.TLSConfig = config
	}
	if err := opamp.Start(settings); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(2)
	}
	events.Print("listening %d", opamp.Addr().(*net.TCPAddr).Port)
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = opamp.Stop(context.Background())
	events.Print("stopped")
}

func mutualTLS(caFile, certFile, keyFile string) (*tls.Config, error) {
	caPem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	clients := x509.NewCertPool()
	if !clients.AppendCertsFromPEM(caPem) {
		return nil, fmt.Errorf("%s: no certificate", caFile)
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, ClientCAs: clients,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}, nil
}
