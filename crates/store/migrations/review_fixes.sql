-- A batch belongs to the province it was recorded for (NULL: national, the ministry or the command line); only
-- that province or the ministry may replace it.
ALTER TABLE datasets ADD COLUMN scope TEXT CHECK (length(scope) = 6);

-- Draft report values used to be stored as a batch on every save, and so were public at once. A report's values
-- are now stored when the ministry accepts it: remove what unaccepted reports left behind.
DELETE FROM element_values WHERE dataset IN
    (SELECT 'report:' || zone_key || '-' || year FROM annual_reports WHERE status <> 'accepted');
DELETE FROM zone_values WHERE dataset IN
    (SELECT 'report:' || zone_key || '-' || year FROM annual_reports WHERE status <> 'accepted');
DELETE FROM datasets WHERE name IN
    (SELECT 'report:' || zone_key || '-' || year FROM annual_reports WHERE status <> 'accepted');

-- Assumed terms ran two calendar years, shorter than the 3 to 5 years the guideline sets: make them three.
UPDATE zone_lifecycle SET term_end = CAST(CAST(substr(term_start, 1, 4) AS INTEGER) + 2 AS TEXT) || '-12-31'
    WHERE term_assumed = 1 AND term_start LIKE '____-01-01';

-- Each zone's approval note and source in Chinese, for the Chinese pages (the English ones stay for the English).
ALTER TABLE zones ADD COLUMN approval_note_zh TEXT NOT NULL DEFAULT '';
ALTER TABLE zones ADD COLUMN source_zh TEXT NOT NULL DEFAULT '';
