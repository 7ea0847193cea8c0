-- consult_log_epoch() records a new epoch in consult_log_epochs and reads pg_control_system().
-- It runs with its owner's rights, so the application can run as a role that may only insert into
-- and read the log (tools/app-role.sql) and still start an epoch.
ALTER FUNCTION consult_log_epoch() SECURITY DEFINER SET search_path = pg_catalog, public;
