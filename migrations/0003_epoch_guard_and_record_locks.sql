-- A new epoch also when this cluster's transaction ids run behind the latest epoch's: a clone of
-- the same data directory (same system identifier) that restored a newer dump, or a data-only
-- restore after this cluster had already started an epoch. Every stored id of the latest epoch
-- must be below the next id this cluster assigns (pg_snapshot_xmax), or new events could sort
-- before a reader's checkpoint.
CREATE OR REPLACE FUNCTION consult_log_epoch() RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    this_cluster bigint := (SELECT system_identifier FROM pg_control_system());
    next_id xid8 := pg_snapshot_xmax(pg_current_snapshot());
    latest record;
    newest_id xid8;
BEGIN
    LOOP
        SELECT epoch, system_identifier INTO latest
        FROM consult_log_epochs ORDER BY epoch DESC LIMIT 1;
        IF FOUND AND latest.system_identifier = this_cluster THEN
            SELECT tx_id INTO newest_id FROM events WHERE epoch = latest.epoch ORDER BY tx_id DESC LIMIT 1;
            IF newest_id IS NULL OR newest_id < next_id THEN
                RETURN latest.epoch;
            END IF;
        END IF;
        INSERT INTO consult_log_epochs (epoch, system_identifier)
        VALUES (COALESCE(latest.epoch, 0) + 1, this_cluster)
        ON CONFLICT (epoch) DO NOTHING;
    END LOOP;
END;
$$;

-- Serializes batches that touch the same records: an exclusive transaction-scoped advisory lock
-- for each record a batch registers, corrects or retracts, a shared one for each it refers to,
-- taken in one sorted order so that two batches cannot deadlock. Keys are hashed; a collision
-- only serializes two batches that did not need it.
CREATE FUNCTION consult_lock_records(keys text[], exclusive boolean[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT hashtext(k.key) AS hash, bool_or(k.exclusive) AS exclusive
        FROM unnest(keys, exclusive) AS k(key, exclusive)
        GROUP BY 1 ORDER BY 1
    LOOP
        IF item.exclusive THEN
            PERFORM pg_advisory_xact_lock(1668247155, item.hash);
        ELSE
            PERFORM pg_advisory_xact_lock_shared(1668247155, item.hash);
        END IF;
    END LOOP;
END;
$$;
