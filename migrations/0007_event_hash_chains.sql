-- Tamper evidence: every event stores a SHA-256 hash chained to the previous event of its stream,
-- and the newest event of every stream is recorded in event_stream_heads. `consult verify`
-- recomputes the chains outside the database and names the first event whose content, recording
-- time or place no longer matches, and any stream whose last events were deleted.
--
-- hash(event) = sha256(hash(previous event of the stream) || encoding(event)), where the previous
-- hash of a stream's first event is 32 zero bytes, and the encoding is the text
--   consult-event-1\n  then, for each of event id, stream id, stream version, type,
--   schema version, recorded_at in microseconds since 1970, data, metadata:
--   <length of the field in UTF-8 bytes>:<the field>
-- with the numbers in decimal, the uuid in lower-case hex with dashes, and data and metadata as
-- PostgreSQL prints jsonb (one canonical text per value: keys sorted, spacing fixed), in UTF-8.
-- The length prefixes keep fields from running into each other.

CREATE FUNCTION consult_event_encoding(
    event_id uuid, stream_id text, stream_version integer, type text, schema_version integer,
    recorded_at timestamptz, data jsonb, metadata jsonb
) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    id_text text := event_id::text;
    version_text text := stream_version::text;
    schema_text text := schema_version::text;
    micros_text text := ((extract(epoch FROM recorded_at) * 1000000)::bigint)::text;
    data_text text := data::text;
    metadata_text text := metadata::text;
BEGIN
    RETURN convert_to(concat(
        'consult-event-1', chr(10),
        octet_length(convert_to(id_text, 'UTF8')), ':', id_text,
        octet_length(convert_to(stream_id, 'UTF8')), ':', stream_id,
        octet_length(convert_to(version_text, 'UTF8')), ':', version_text,
        octet_length(convert_to(type, 'UTF8')), ':', type,
        octet_length(convert_to(schema_text, 'UTF8')), ':', schema_text,
        octet_length(convert_to(micros_text, 'UTF8')), ':', micros_text,
        octet_length(convert_to(data_text, 'UTF8')), ':', data_text,
        octet_length(convert_to(metadata_text, 'UTF8')), ':', metadata_text), 'UTF8');
END;
$$;

ALTER TABLE events ADD COLUMN hash bytea;

-- The chains of the events stored before this migration, stream by stream in version order.
-- The append-only trigger is set aside for this one UPDATE, inside this migration's transaction.
ALTER TABLE events DISABLE TRIGGER events_refuse_update_delete;
DO $$
DECLARE
    event record;
    stream text;
    previous bytea;
BEGIN
    FOR event IN
        SELECT position, event_id, stream_id, stream_version, type, schema_version, recorded_at, data, metadata
        FROM events ORDER BY stream_id, stream_version
    LOOP
        IF stream IS DISTINCT FROM event.stream_id THEN
            stream := event.stream_id;
            previous := decode(repeat('00', 32), 'hex');
        END IF;
        previous := sha256(previous || consult_event_encoding(
            event.event_id, event.stream_id, event.stream_version, event.type, event.schema_version,
            event.recorded_at, event.data, event.metadata));
        UPDATE events SET hash = previous WHERE position = event.position;
    END LOOP;
END;
$$;
ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_update_delete;
ALTER TABLE events ALTER COLUMN hash SET NOT NULL;
ALTER TABLE events ADD CONSTRAINT events_hash_check CHECK (octet_length(hash) = 32);

-- Every insert gets its hash here, whatever the writer sent: a writer cannot choose it. The
-- functions below fix their search_path (pg_catalog first, temporary schemas last), so a session
-- cannot put its own sha256, operators or temporary tables in their way.
CREATE FUNCTION consult_chain_event() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    previous bytea;
BEGIN
    IF NEW.stream_version = 1 THEN
        previous := decode(repeat('00', 32), 'hex');
    ELSE
        -- Rows inserted earlier by the same statement are visible here (a volatile trigger).
        SELECT hash INTO previous FROM events
        WHERE stream_id = NEW.stream_id AND stream_version = NEW.stream_version - 1;
        IF previous IS NULL THEN
            RAISE EXCEPTION 'stream % has no version % to chain version % to',
                NEW.stream_id, NEW.stream_version - 1, NEW.stream_version
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    NEW.hash := sha256(previous || consult_event_encoding(
        NEW.event_id, NEW.stream_id, NEW.stream_version, NEW.type, NEW.schema_version,
        NEW.recorded_at, NEW.data, NEW.metadata));
    RETURN NEW;
END;
$$;
CREATE TRIGGER events_chain BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION consult_chain_event();
ALTER TABLE events ENABLE ALWAYS TRIGGER events_chain;

-- The newest version and hash of every stream: deleting a stream's last events leaves the chain
-- itself whole, so this is what shows it. Kept by one set-based statement per insert statement.
CREATE TABLE event_stream_heads (
    stream_id text PRIMARY KEY,
    version integer NOT NULL CHECK (version >= 1),
    hash bytea NOT NULL CHECK (octet_length(hash) = 32)
);
INSERT INTO event_stream_heads (stream_id, version, hash)
SELECT DISTINCT ON (stream_id) stream_id, stream_version, hash FROM events ORDER BY stream_id, stream_version DESC;

-- SECURITY DEFINER: a role that may only insert into and read the log still moves the heads.
CREATE FUNCTION consult_advance_stream_heads() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    INSERT INTO event_stream_heads AS head (stream_id, version, hash)
    SELECT DISTINCT ON (stream_id) stream_id, stream_version, hash
    FROM inserted ORDER BY stream_id, stream_version DESC
    ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version, hash = EXCLUDED.hash
    WHERE head.version < EXCLUDED.version;
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_advance_stream_heads AFTER INSERT ON events
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION consult_advance_stream_heads();
ALTER TABLE events ENABLE ALWAYS TRIGGER events_advance_stream_heads;

-- Heads only move forward; they are never deleted.
CREATE FUNCTION consult_refuse_head_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.stream_id = OLD.stream_id AND NEW.version > OLD.version THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'stream heads only move forward: % on event_stream_heads is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER event_stream_heads_forward_only BEFORE UPDATE OR DELETE ON event_stream_heads
    FOR EACH ROW EXECUTE FUNCTION consult_refuse_head_change();
CREATE TRIGGER event_stream_heads_refuse_truncate BEFORE TRUNCATE ON event_stream_heads
    FOR EACH STATEMENT EXECUTE FUNCTION consult_refuse_head_change();
ALTER TABLE event_stream_heads ENABLE ALWAYS TRIGGER event_stream_heads_forward_only;
ALTER TABLE event_stream_heads ENABLE ALWAYS TRIGGER event_stream_heads_refuse_truncate;
