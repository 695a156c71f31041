-- Brokers (技术经纪人) get accounts of their own.
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check
    CHECK (role IN ('ministry', 'province', 'expert', 'institution', 'registrar', 'broker'));
