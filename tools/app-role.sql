-- Grants a login role what `consult` needs to log events, read, and run projection workers, while
-- on the log itself it may only read and append:
--   events             SELECT, and INSERT of the columns a writer supplies (never position, tx_id or
--                      recorded_at, which the database sets; hash it may supply, which the
--                      database recomputes and refuses unless equal, migration 0010); no UPDATE,
--                      DELETE or TRUNCATE, and, not being the owner, it cannot disable the log's
--                      triggers;
--   event_stream_heads, consult_log_epochs, consult_migrations
--                      SELECT only (the log's triggers and consult_log_epoch() write them with
--                      their owner's rights);
--   projection_checkpoints and the view tables (view_*), which are derived and rebuilt by
--                      `consult replay`: it reads and writes them, and owns the view tables so it
--                      can build and swap them; CREATE on the schema for new ones.
-- It cannot apply migrations: run `consult migrate` as the schema's owner first, and again after
-- each upgrade, then run this script again.
--
-- Usage, as the owner of the schema (the role that ran `consult migrate`):
--   psql "$OWNER_URL" -c 'CREATE ROLE consult_app LOGIN'    # then \password consult_app in psql,
--                                                           # never a password on a command line
--   psql "$OWNER_URL" -v role=consult_app -f tools/app-role.sql
-- and run consult with CONSULT_DATABASE_URL naming consult_app (its password in PGPASSWORD or
-- ~/.pgpass).
\set ON_ERROR_STOP on
\if :{?role}
\else
  \echo 'tools/app-role.sql: give the role with -v role=NAME'
  \quit
\endif

BEGIN;
GRANT USAGE, CREATE ON SCHEMA public TO :"role";
GRANT SELECT ON events, event_stream_heads, consult_log_epochs, consult_migrations TO :"role";
GRANT INSERT (epoch, stream_id, stream_version, type, schema_version, event_id, data, metadata, hash)
    ON events TO :"role";
GRANT SELECT, INSERT, UPDATE, DELETE ON projection_checkpoints TO :"role";
-- View tables built so far (by the owner, say) become the role's.
SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'role')
FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'view\_%'
\gexec
COMMIT;
