package io.streamhelper.relay.rtmp.client;

import io.streamhelper.relay.engine.destination.AddressPolicy;
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
 * @param socketSendBuffer      SO_SNDBUF: fixed rather than auto-tuned, so a destination that stops
 *                              reading holds a bounded amount of kernel memory and is noticed in
 *                              seconds; 512 KiB (Linux doubles it) carries 40 Mbit/s at 100 ms RTT
 * @param addressPolicy         which resolved addresses the client may dial; the library default
 *                              allows any, the server passes its configured policy (public only
 *                              unless RELAY_ALLOW_PRIVATE_DESTINATIONS)
 */
public record ClientSettings(Optional<Path> trustedCaFile, Duration connectTimeout, Duration publishTimeout,
        int writeBufferLowMark, int writeBufferHighMark, int socketSendBuffer, AddressPolicy addressPolicy) {

    public static ClientSettings defaults() {
        return new ClientSettings(Optional.empty(), Duration.ofSeconds(10), Duration.ofSeconds(15),
                256 * 1024, 1024 * 1024, 512 * 1024, AddressPolicy.allowingPrivate());
    }

    public ClientSettings withTrustedCaFile(Path file) {
        return new ClientSettings(Optional.ofNullable(file), connectTimeout, publishTimeout, writeBufferLowMark,
                writeBufferHighMark, socketSendBuffer, addressPolicy);
    }

    public ClientSettings withAddressPolicy(AddressPolicy policy) {
        return new ClientSettings(trustedCaFile, connectTimeout, publishTimeout, writeBufferLowMark,
                writeBufferHighMark, socketSendBuffer, policy);
    }
}
