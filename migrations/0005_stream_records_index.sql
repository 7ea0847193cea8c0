-- A stream's events other than statements, in stream order. A consultation's stream holds every
-- statement made at it; what a commitment needs of its consultation is the ConsultationHeld event
-- and any correction or retraction, which this index finds without reading the statements.
CREATE INDEX events_stream_records ON events (stream_id, stream_version) WHERE type <> 'StatementRecorded';
