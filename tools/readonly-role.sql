-- A role for `consult serve` that can read the log and the views and nothing else: the server never
-- writes, and with this role it cannot. Run it once, as the role that owns consult's tables (the
-- one `consult migrate` and the projection workers use), in the store's database:
--
--   psql "$CONSULT_DATABASE_URL" -f tools/readonly-role.sql
--
-- then make a login role in it, and give it a password without putting one on a command line:
--
--   CREATE ROLE consult_web LOGIN IN ROLE consult_reader;
--   ALTER ROLE consult_web SET default_transaction_read_only = on;
--   \password consult_web
--
-- and serve with CONSULT_DATABASE_URL=postgresql://consult_web@host/db (the password in
-- ~/.pgpass or PGPASSWORD). With this role the server does not bring the views up to date
-- itself: run `consult project --follow` (as the owner) beside it. Safe to run again.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'consult_reader') THEN
        CREATE ROLE consult_reader NOLOGIN;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO consult_reader', current_database());
END
$$;

GRANT USAGE ON SCHEMA public TO consult_reader;
-- The log, the views and their checkpoints: read only.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO consult_reader;
-- A replay builds a view's tables anew and swaps them in: they are readable as they are made.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO consult_reader;
