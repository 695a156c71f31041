-- What a returned report held when the ministry returned it: on the next submission the ministry sees what the
-- province changed since.
ALTER TABLE annual_reports ADD COLUMN returned_snapshot TEXT;
