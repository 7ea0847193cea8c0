-- Statement ids are unique across consultations; appends look them up by value.
CREATE INDEX events_statement_id ON events ((data->>'statementId')) WHERE type = 'StatementRecorded';
