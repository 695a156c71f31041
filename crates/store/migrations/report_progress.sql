-- Each annual report states the progress of every key task of the approved plan: done, on track or late, with
-- evidence (a JSON list of objects with task, status and evidence).
ALTER TABLE annual_reports ADD COLUMN progress_json TEXT NOT NULL DEFAULT '[]';
