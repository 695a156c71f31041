-- Why an expert is assigned to a zone: to review the province's plan (专家论证), or as the ministry's own expert
-- consulted on a plan under its review or on a term (调研咨询, 总结评估).
ALTER TABLE expert_assignments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'plan_review'
    CHECK (purpose IN ('plan_review', 'consultation'));
