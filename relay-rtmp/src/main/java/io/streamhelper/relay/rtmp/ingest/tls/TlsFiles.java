package io.streamhelper.relay.rtmp.ingest.tls;

import java.util.Objects;
import java.nio.file.Path;

/**
 * Where the RTMPS ingest's certificate and key live, as certbot writes them.
 *
 * @param certificateChain PEM certificates, the server's first, then its intermediates ({@code fullchain.pem})
 * @param privateKey       PEM private key of the first certificate ({@code privkey.pem}): PKCS#8
 *                         {@code BEGIN PRIVATE KEY}, or {@code BEGIN RSA PRIVATE KEY} / {@code BEGIN EC PRIVATE KEY}
 */
public record TlsFiles(Path certificateChain, Path privateKey) {
    public TlsFiles {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
    }
}
