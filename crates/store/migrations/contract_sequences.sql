-- The last registration number used per registering locality and year (the number's first ten digits): the next
-- registration takes the one after it without searching the registered contracts, and numbers a registry file or
-- a filer brought in the same scheme raise it, so TTDZ never hands out a number already in use.
CREATE TABLE contract_sequences (
    prefix TEXT PRIMARY KEY CHECK (length(prefix) = 10),
    last   BIGINT NOT NULL CHECK (last >= 0)
);
INSERT INTO contract_sequences (prefix, last)
SELECT substr(contract_no, 1, 10), max(CAST(substr(contract_no, 11) AS BIGINT))
FROM contracts
WHERE contract_no IS NOT NULL AND length(contract_no) = 16 AND trim(contract_no, '0123456789') = ''
GROUP BY substr(contract_no, 1, 10);
