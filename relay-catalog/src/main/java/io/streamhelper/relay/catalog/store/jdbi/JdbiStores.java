package io.streamhelper.relay.catalog.store.jdbi;

import io.streamhelper.relay.catalog.secret.SecretBox;
import io.streamhelper.relay.catalog.store.AuditLog;
import io.streamhelper.relay.catalog.store.DestinationStore;
import io.streamhelper.relay.catalog.store.SessionStore;
import io.streamhelper.relay.catalog.store.StreamSessionStore;
import io.streamhelper.relay.catalog.store.StreamStore;
import io.streamhelper.relay.catalog.store.UserStore;
import java.time.Clock;
import org.jdbi.v3.core.Jdbi;

/** The Jdbi implementation of every store, over one migrated database. Used by {@code Database}. */
public final class JdbiStores {
    private final UserStore users;
    private final SessionStore sessions;
    private final StreamStore streams;
    private final DestinationStore destinations;
    private final AuditLog audit;
    private final StreamSessionStore streamSessions;

    public JdbiStores(Jdbi jdbi, SecretBox secrets, Clock clock) {
        this.users = new JdbiUserStore(jdbi, clock);
        this.sessions = new JdbiSessionStore(jdbi);
        this.streams = new JdbiStreamStore(jdbi, Sealing.streams(secrets), clock);
        this.destinations = new JdbiDestinationStore(jdbi, Sealing.destinations(secrets), clock);
        this.audit = new JdbiAuditLog(jdbi, clock);
        this.streamSessions = new JdbiStreamSessionStore(jdbi);
    }

    public UserStore users() {
        return users;
    }

    public SessionStore sessions() {
        return sessions;
    }

    public StreamStore streams() {
        return streams;
    }

    public DestinationStore destinations() {
        return destinations;
    }

    public AuditLog audit() {
        return audit;
    }

    public StreamSessionStore streamSessions() {
        return streamSessions;
    }
}
