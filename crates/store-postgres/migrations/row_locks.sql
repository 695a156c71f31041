-- Writers no longer queue behind one lock: dataset revisions come from a sequence, which concurrent transactions
-- draw from without waiting for each other.
CREATE SEQUENCE dataset_revision;
SELECT setval('dataset_revision', (SELECT COALESCE(MAX(revision), 0) + 1 FROM datasets), false);
