-- The outbox's publication carries INSERTs only. Every event is an INSERT; the intake deletes each row again in the
-- same transaction (intake.outbox.mode=delete) and purges kept rows by age, and Debezium's EventRouter drops those
-- DELETEs anyway. Published, each DELETE was sent by the WAL sender and decoded by Debezium's one streaming thread
-- for nothing: half of what it decoded. Only the publication's owner may alter it, as for V3.
ALTER PUBLICATION orderflow_outbox SET (publish = 'insert');
