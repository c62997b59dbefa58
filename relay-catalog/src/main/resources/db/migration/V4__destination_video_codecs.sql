-- Portable between SQLite and PostgreSQL (placeholders: see V1).
--
-- The video codecs a destination is restricted to (issue 22), as FourCCs joined by commas
-- ("avc1,hvc1"). NULL, as on every row before this migration: the platform's own list, and for a
-- custom destination any codec. The service checks the names; the engine refuses to send a stream
-- in another codec to the destination.
ALTER TABLE stream_destinations ADD COLUMN video_codecs TEXT;
