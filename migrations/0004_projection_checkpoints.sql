-- Where each view (projection) is in the log. A worker advances a view's checkpoint in the same
-- transaction as the view's rows, so the two never disagree, whenever the worker stops.
-- The view tables themselves are derived data: the Projections module creates them (and rebuilds
-- them from the first event when their definition changes, tracked by `version`).
CREATE TABLE projection_checkpoints (
    name text PRIMARY KEY,
    version integer NOT NULL,
    epoch integer NOT NULL DEFAULT 0,
    tx_id xid8 NOT NULL DEFAULT '0',
    position bigint NOT NULL DEFAULT 0,
    events_applied bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);
