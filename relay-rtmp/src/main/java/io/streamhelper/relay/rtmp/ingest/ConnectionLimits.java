package io.streamhelper.relay.rtmp.ingest;

import java.time.Duration;
import java.util.Objects;

/**
 * How many connections the ingest takes, and how long a new one may take to become a real
 * publisher.
 *
 * @param handshakeTimeout          from TCP accept to a complete handshake and connect command;
 *                                  a slow-loris dribbling bytes never gets there
 * @param maxConnections            open ingest connections in total
 * @param maxConnectionsPerAddress  open ingest connections from one client address
 */
public record ConnectionLimits(Duration handshakeTimeout, int maxConnections, int maxConnectionsPerAddress) {
    public static final ConnectionLimits DEFAULT = new ConnectionLimits(Duration.ofSeconds(5), 1000, 50);

    public ConnectionLimits {
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (maxConnections < 1 || maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("connection limits must be at least 1");
        }
    }
}
