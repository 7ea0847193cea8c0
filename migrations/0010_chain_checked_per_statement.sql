-- A writer that knows how PostgreSQL prints its event's data may compute the event's hash itself
-- (`consult log` does, for its batches): the chain trigger then no longer runs row by row, which
-- was most of the time a batch's COPY took. Instead every insert into the log is checked once per
-- statement, whoever wrote it and whatever it supplied: each inserted row's hash is recomputed
-- from the stored hash before it in its stream (inserted earlier or in the same statement), and
-- the whole statement is refused unless every row matches. A writer still cannot choose a hash:
-- a row it supplies a wrong one for is refused (SQLSTATE CH001, as migration 0009 refused it), and
-- a row without one gets the computed hash from the row trigger, as before.
--
-- The refusal names the event and, in its hint, its row in the statement (for a COPY, its line),
-- since an AFTER STATEMENT trigger has no COPY line in its context.
DROP TRIGGER events_chain ON events;
CREATE TRIGGER events_chain BEFORE INSERT ON events
    FOR EACH ROW WHEN (NEW.hash IS NULL) EXECUTE FUNCTION consult_chain_event();
ALTER TABLE events ENABLE ALWAYS TRIGGER events_chain;

CREATE FUNCTION consult_check_chained_hashes() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    bad record;
BEGIN
    -- The stored hash before each row is looked up by the (stream_id, stream_version) index, row
    -- by row (a scalar subquery), never by a scan of the log.
    SELECT r.* INTO bad FROM (
        SELECT i.event_id, i.stream_id, i.stream_version, i.hash,
               row_number() OVER (ORDER BY i.position) AS row_in_statement,
               CASE WHEN i.stream_version = 1 THEN decode(repeat('00', 32), 'hex')
                    ELSE (SELECT p.hash FROM events p
                          WHERE p.stream_id = i.stream_id AND p.stream_version = i.stream_version - 1)
               END AS previous,
               i.event_id AS id, i.type, i.schema_version, i.recorded_at, i.data, i.metadata
        FROM inserted i
    ) r
    WHERE r.previous IS NULL
       OR r.hash IS DISTINCT FROM sha256(r.previous || consult_event_encoding(
              r.id, r.stream_id, r.stream_version, r.type, r.schema_version, r.recorded_at, r.data, r.metadata))
    ORDER BY r.row_in_statement
    LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF bad.previous IS NULL THEN
        RAISE EXCEPTION 'stream % has no version % to chain version % to',
            bad.stream_id, bad.stream_version - 1, bad.stream_version
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = format('row %s of the statement', bad.row_in_statement);
    END IF;
    RAISE EXCEPTION 'event % (stream %, version %) does not match the hash it was given',
        bad.event_id, bad.stream_id, bad.stream_version
        USING ERRCODE = 'CH001',
              HINT = format('row %s of the statement', bad.row_in_statement);
END;
$$;
CREATE TRIGGER events_check_chained_hashes AFTER INSERT ON events
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION consult_check_chained_hashes();
ALTER TABLE events ENABLE ALWAYS TRIGGER events_check_chained_hashes;
