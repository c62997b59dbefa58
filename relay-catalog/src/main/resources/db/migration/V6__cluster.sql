-- Several relay nodes on one database (issue 24). Portable between SQLite and PostgreSQL, like
-- V1..V5; only PostgreSQL ever writes these tables (a server on SQLite is a single node and has
-- no one to share a stream with). Times are epoch milliseconds in BIGINT, always taken from the
-- database's own clock by the queries (never a node's clock), so nodes whose clocks disagree still
-- agree on who is alive.
--
-- A node is alive while its heartbeat is younger than the expiry (10 s); it renews every 2 s. One
-- row per node, not one per stream: renewing costs one write per node however many streams it
-- holds. status is the JSON the node publishes about its own live streams (no keys, no URLs
-- beyond host names): how every other node answers for the whole service.
CREATE TABLE relay_nodes (
    node_id      TEXT   NOT NULL PRIMARY KEY,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    status       TEXT   NOT NULL DEFAULT '{}'
);

-- Who relays a stream now. A lease is valid while its node is alive (relay_nodes); a node that
-- stops heartbeating loses every lease at once, without a write per stream. state is 'live' (a
-- publisher feeds it: a publish elsewhere is refused) or 'reconnecting' (the owner holds it in its
-- reconnect grace: a publish elsewhere asks the owner to let go and takes it over).
CREATE TABLE stream_leases (
    stream_id BIGINT NOT NULL PRIMARY KEY REFERENCES streams (id) ON DELETE CASCADE,
    node_id   TEXT   NOT NULL,
    state     TEXT   NOT NULL,
    since     BIGINT NOT NULL
);
CREATE INDEX stream_leases_node_id ON stream_leases (node_id);
