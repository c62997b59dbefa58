package io.streamhelper.relay.rtmp.ingest;

import io.streamhelper.relay.rtmp.chunk.ChunkLimits;
import io.streamhelper.relay.rtmp.chunk.MessageBufferLimits;
import java.time.Duration;
import java.util.Objects;

/**
 * How the ingest listens and how patient it is.
 *
 * @param bindAddress   address to listen on ("0.0.0.0" for all)
 * @param port          TCP port (0 picks a free one, for tests)
 * @param application   the RTMP application publishers connect to ("live")
 * @param idleTimeout   a connection that sends nothing, or a publisher that sends no media, for this long is dropped
 * @param limits        chunk stream limits per connection
 * @param connections   connection counts and the handshake deadline
 * @param buffers       what a connection's partial messages may hold, before and after its publish, and in total
 * @param publishDeadline from {@code connect} to a granted publish; a client without a key goes no further
 */
public record IngestSettings(String bindAddress, int port, String application, Duration idleTimeout, ChunkLimits limits,
        ConnectionLimits connections, MessageBufferLimits buffers, Duration publishDeadline) {
    public static final Duration DEFAULT_PUBLISH_DEADLINE = Duration.ofSeconds(5);

    public IngestSettings {
        Objects.requireNonNull(buffers, "buffers");
        Objects.requireNonNull(publishDeadline, "publishDeadline");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(application, "application");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(connections, "connections");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public IngestSettings(String bindAddress, int port, String application, Duration idleTimeout, ChunkLimits limits,
            ConnectionLimits connections) {
        this(bindAddress, port, application, idleTimeout, limits, connections, MessageBufferLimits.DEFAULT,
                DEFAULT_PUBLISH_DEADLINE);
    }

    public IngestSettings(String bindAddress, int port, String application, Duration idleTimeout, ChunkLimits limits) {
        this(bindAddress, port, application, idleTimeout, limits, ConnectionLimits.DEFAULT);
    }

    public static IngestSettings defaults(int port) {
        return new IngestSettings("0.0.0.0", port, "live", Duration.ofSeconds(10), ChunkLimits.DEFAULT);
    }

    public IngestSettings withIdleTimeout(Duration timeout) {
        return new IngestSettings(bindAddress, port, application, timeout, limits, connections, buffers, publishDeadline);
    }

    public IngestSettings withBindAddress(String address) {
        return new IngestSettings(address, port, application, idleTimeout, limits, connections, buffers, publishDeadline);
    }

    public IngestSettings withChunkLimits(ChunkLimits chunkLimits) {
        return new IngestSettings(bindAddress, port, application, idleTimeout, chunkLimits, connections, buffers, publishDeadline);
    }

    public IngestSettings withConnectionLimits(ConnectionLimits limits) {
        return new IngestSettings(bindAddress, port, application, idleTimeout, this.limits, limits, buffers, publishDeadline);
    }

    public IngestSettings withMessageBuffers(MessageBufferLimits messageBuffers) {
        return new IngestSettings(bindAddress, port, application, idleTimeout, limits, connections, messageBuffers,
                publishDeadline);
    }

    public IngestSettings withPublishDeadline(Duration deadline) {
        return new IngestSettings(bindAddress, port, application, idleTimeout, limits, connections, buffers, deadline);
    }
}
