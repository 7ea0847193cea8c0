-- Fixes a race in consult_log_epoch() (0003): it took this cluster's next transaction id
-- (pg_snapshot_xmax) when the function started, then read the newest stored id in a later
-- statement, with a newer snapshot. A writer committing in between made a stored id look ahead
-- of the cluster, and a new epoch was started for nothing; writers still on the old epoch then
-- wrote behind readers that had moved to the new one. The next id is now taken after the newest
-- stored id is read: every id stored by then was assigned before, so it is below the next one,
-- unless the ids really run ahead (a restore), which is what the check is for.
CREATE OR REPLACE FUNCTION consult_log_epoch() RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    this_cluster bigint := (SELECT system_identifier FROM pg_control_system());
    latest record;
    newest_id xid8;
BEGIN
    LOOP
        SELECT epoch, system_identifier INTO latest
        FROM consult_log_epochs ORDER BY epoch DESC LIMIT 1;
        IF FOUND AND latest.system_identifier = this_cluster THEN
            SELECT tx_id INTO newest_id FROM events WHERE epoch = latest.epoch ORDER BY tx_id DESC LIMIT 1;
            IF newest_id IS NULL OR newest_id < pg_snapshot_xmax(pg_current_snapshot()) THEN
                RETURN latest.epoch;
            END IF;
        END IF;
        INSERT INTO consult_log_epochs (epoch, system_identifier)
        VALUES (COALESCE(latest.epoch, 0) + 1, this_cluster)
        ON CONFLICT (epoch) DO NOTHING;
    END LOOP;
END;
$$;
