-- Portable between SQLite and PostgreSQL.
--
-- Which video and audio track of a multitrack publish (enhanced RTMP v2) a destination is sent:
-- 0 is the track every encoder sends in ordinary tags, so existing destinations keep what they
-- had. Track ids are one byte on the wire.
ALTER TABLE stream_destinations ADD COLUMN video_track INTEGER NOT NULL DEFAULT 0 CHECK (video_track BETWEEN 0 AND 255);
ALTER TABLE stream_destinations ADD COLUMN audio_track INTEGER NOT NULL DEFAULT 0 CHECK (audio_track BETWEEN 0 AND 255);
