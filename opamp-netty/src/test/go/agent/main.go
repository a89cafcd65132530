// Command agent is an OpAMP agent built on opamp-go's client, used as an interop peer by the
// opamp-netty tests: it reports a description, applies every remote config it is offered (reporting
// APPLIED and the new effective config), and prints what happens as "EVENT ..." lines on stdout.
// It stops cleanly, sending agent_disconnect, when its standard input closes.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/open-telemetry/opamp-go/client"
	"github.com/open-telemetry/opamp-go/client/types"
	"github.com/open-telemetry/opamp-go/protobufs"
	"opampfleet/interop-peers/internal/events"
)

type logger struct{}

func (logger) Debugf(ctx context.Context, format string, v ...interface{}) {}
func (logger) Errorf(ctx context.Context, format string, v ...interface{}) {
	events.Print("log_error %s", strings.ReplaceAll(fmt.Sprintf(format, v...), "\n", " "))
}

func main() {
	url := flag.String("url", "", "OpAMP server URL: ws, wss, http or https")
	name := flag.String("name", "opamp-go-agent", "service.name to report")
	caFile := flag.String("ca", "", "CA certificate (PEM) to trust")
	certFile := flag.String("cert", "", "client certificate (PEM) for mutual TLS")
	keyFile := flag.String("key", "", "client key (PEM) for mutual TLS")
	heartbeat := flag.Duration("heartbeat", 500*time.Millisecond, "heartbeat and HTTP polling interval")
	flag.Parse()

	tlsConfig, err := tlsConfig(*caFile, *certFile, *keyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(2)
	}

	var opamp client.OpAMPClient
	if strings.HasPrefix(*url, "ws") {
		opamp = client.NewWebSocket(logger{})
	} else {
		opamp = client.NewHTTP(logger{})
	}

	var effective sync.Mutex
	config := &protobufs.AgentConfigMap{ConfigMap: map[string]*protobufs.AgentConfigFile{}}
	uid := types.InstanceUid{0x01, 0x9a, 0x00, 0x00, 0x00, 0x00, 0x70, 0x00, 0x80, 0x00}
	copy(uid[10:], []byte(fmt.Sprintf("%06d", os.Getpid()%1000000)))

	settings := types.StartSettings{
		OpAMPServerURL: *url,
		TLSConfig:      tlsConfig,
		InstanceUid:    uid,
		Capabilities: protobufs.AgentCapabilities_AgentCapabilities_ReportsStatus |
			protobufs.AgentCapabilities_AgentCapabilities_AcceptsRemoteConfig |
			protobufs.AgentCapabilities_AgentCapabilities_ReportsRemoteConfig |
			protobufs.AgentCapabilities_AgentCapabilities_ReportsEffectiveConfig |
			protobufs.AgentCapabilities_AgentCapabilities_ReportsHeartbeat,
		HeartbeatInterval: heartbeat,
		Callbacks: types.Callbacks{
			OnConnect:       func(ctx context.Context) { events.Print("connected") },
			OnConnectFailed: func(ctx context.Context, err error) { events.Print("connect_failed %v", err) },
			OnError: func(ctx context.Context, e *protobufs.ServerErrorResponse) {
				events.Print("error %s %s", e.Type, e.ErrorMessage)
			},
			GetEffectiveConfig: func(ctx context.Context) (*protobufs.EffectiveConfig, error) {
				effective.Lock()
				defer effective.Unlock()
				return &protobufs.EffectiveConfig{ConfigMap: config}, nil
			},
			OnMessage: func(ctx context.Context, msg *types.MessageData) {
				if msg.RemoteConfig == nil {
					return
				}
				effective.Lock()
				config = msg.RemoteConfig.Config
				effective.Unlock()
				hash := msg.RemoteConfig.ConfigHash
				events.Print("remote_config %s", hex.EncodeToString(hash))
				_ = opamp.SetRemoteConfigStatus(&protobufs.RemoteConfigStatus{
					LastRemoteConfigHash: hash,
					Status:               protobufs.RemoteConfigStatuses_RemoteConfigStatuses_APPLIED,
				})
				_ = opamp.UpdateEffectiveConfig(ctx)
			},
		},
	}
	settings.Callbacks.SetDefaults()

	if err := opamp.SetAgentDescription(&protobufs.AgentDescription{
		IdentifyingAttributes: []*protobufs.KeyValue{{
			Key:   "service.name",
			Value: &protobufs.AnyValue{Value: &protobufs.AnyValue_StringValue{StringValue: *name}},
		}},
		NonIdentifyingAttributes: []*protobufs.KeyValue{{
			Key:   "os.type",
			Value: &protobufs.AnyValue{Value: &protobufs.AnyValue_StringValue{StringValue: "linux"}},
		}},
	}); err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(2)
	}
	if err := opamp.Start(context.Background(), settings); err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(2)
	}
	events.Print("started %s", hex.EncodeToString(uid[:]))

	_, _ = io.Copy(io.Discard, os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := opamp.Stop(ctx); err != nil {
		events.Print("stop_failed %v", err)
	}
	events.Print("stopped")
}

func tlsConfig(caFile, certFile, keyFile string) (*tls.Config, error) {
	if caFile == "" {
		return nil, nil
	}
	caPem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPem) {
		return nil, fmt.Errorf("%s: no certificate", caFile)
	}
	config := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if certFile != "" {
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		config.Certificates = []tls.Certificate{pair}
	}
	return config, nil
}
