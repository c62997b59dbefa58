package io.streamhelper.relay.rtmp.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How the destination client connects.
 *
 * @param trustedCaFile         extra PEM certificates to trust besides the system store (RELAY_TRUSTED_CA_FILE)
 * @param connectTimeout        TCP connect limit
 * @param publishTimeout        how long a destination may take from TCP connect to NetStream.Publish.Start
 * @param writeBufferLowMark    below this the link is writable again
 * @param writeBufferHighMark   above this the link reports not writable and the relay drops media
 */
public record ClientSettings(Optional<Path> trustedCaFile, Duration connectTimeout, Duration publishTimeout,
        int writeBufferLowMark, int writeBufferHighMark) {

    public static ClientSettings defaults() {
        return new ClientSettings(Optional.empty(), Duration.ofSeconds(10), Duration.ofSeconds(15), 512 * 1024, 2 * 1024 * 1024);
    }

    public ClientSettings withTrustedCaFile(Path file) {
        return new ClientSettings(Optional.ofNullable(file), connectTimeout, publishTimeout, writeBufferLowMark, writeBufferHighMark);
    }
}
