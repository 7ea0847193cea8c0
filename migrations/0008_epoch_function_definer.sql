-- consult_log_epoch() records a new epoch in consult_log_epochs and reads pg_control_system().
-- It runs with its owner's rights, so the application can run as a role that may only insert into
-- and read the log (tools/app-role.sql) and still start an epoch.
-- Its search_path puts temporary schemas last: a session cannot hide a table of its own behind
-- the names the function uses and have the owner write to it.
ALTER FUNCTION consult_log_epoch() SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp;
