package io.opampfleet.netty.server.internal;

import io.netty.handler.codec.http.FullHttpRequest;
import io.opampfleet.netty.server.ConnectionRequest;

/** An HTTP request the router and the callbacks accepted; the receiver releases the request. */
record AdmittedRequest(FullHttpRequest request, ConnectionRequest connection) {}
