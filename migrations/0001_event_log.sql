-- The event log: append-only, in global order, gap-safe to tail.

-- A cluster's transaction ids only ever grow, so (tx_id, position) orders the log. A logical
-- restore (pg_dump -> pg_restore) into another cluster breaks that: its ids may start below the
-- stored ones. Each cluster that writes to the log gets an epoch, and the order is
-- (epoch, tx_id, position). See consult_log_epoch() and EventStore's gap-safe read.
CREATE TABLE consult_log_epochs (
    epoch integer PRIMARY KEY CHECK (epoch >= 1),
    system_identifier bigint NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    epoch integer NOT NULL,
    tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id text NOT NULL,
    stream_version integer NOT NULL CHECK (stream_version >= 1),
    type text NOT NULL,
    schema_version integer NOT NULL DEFAULT 1 CHECK (schema_version >= 1),
    event_id uuid NOT NULL,
    data jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version),
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);

-- The order readers tail and checkpoint by.
CREATE INDEX events_log_order ON events (epoch, tx_id, position);
CREATE INDEX events_recorded_at ON events (recorded_at);

-- The epoch new events are written in: the latest one, unless the latest was started by another
-- cluster (a restore), in which case this cluster starts the next one. Racing sessions agree:
-- the loser of the insert reads the winner's row.
CREATE FUNCTION consult_log_epoch() RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    this_cluster bigint := (SELECT system_identifier FROM pg_control_system());
    latest record;
BEGIN
    LOOP
        SELECT epoch, system_identifier INTO latest
        FROM consult_log_epochs ORDER BY epoch DESC LIMIT 1;
        IF FOUND AND latest.system_identifier = this_cluster THEN
            RETURN latest.epoch;
        END IF;
        INSERT INTO consult_log_epochs (epoch, system_identifier)
        VALUES (COALESCE(latest.epoch, 0) + 1, this_cluster)
        ON CONFLICT (epoch) DO NOTHING;
    END LOOP;
END;
$$;

-- The log is evidence: it is never changed in place. These triggers fire for every role and
-- ALWAYS, so even `session_replication_role = replica` does not switch them off.
CREATE FUNCTION consult_refuse_log_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only: % on events is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Correct a record by appending a RecordCorrected or RecordRetracted event.';
END;
$$;

CREATE TRIGGER events_refuse_update_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION consult_refuse_log_change();
CREATE TRIGGER events_refuse_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION consult_refuse_log_change();
ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_update_delete;
ALTER TABLE events ENABLE ALWAYS TRIGGER events_refuse_truncate;
