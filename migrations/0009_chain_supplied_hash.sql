-- `consult restore` loads an export exactly as it was stored, hashes included: each inserted row
-- may now carry its hash. The chain trigger recomputes it as before (migration 0007) and, when the
-- writer supplied one, refuses the row unless the two agree: a restored event is stored only if
-- its content, recording time and place chain exactly as the export says. A writer still cannot
-- choose a hash: the stored hash is always the one computed here. Without a supplied hash the
-- trigger computes it, as before.
CREATE OR REPLACE FUNCTION consult_chain_event() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    previous bytea;
    computed bytea;
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
    computed := sha256(previous || consult_event_encoding(
        NEW.event_id, NEW.stream_id, NEW.stream_version, NEW.type, NEW.schema_version,
        NEW.recorded_at, NEW.data, NEW.metadata));
    -- SQLSTATE CH001 (a class of our own): the application maps it to invalid input.
    IF NEW.hash IS NOT NULL AND NEW.hash IS DISTINCT FROM computed THEN
        RAISE EXCEPTION 'event % (stream %, version %) does not match the hash it was given',
            NEW.event_id, NEW.stream_id, NEW.stream_version
            USING ERRCODE = 'CH001',
                  DETAIL = format('given %s, computed %s', encode(NEW.hash, 'hex'), encode(computed, 'hex'));
    END IF;
    NEW.hash := computed;
    RETURN NEW;
END;
$$;
