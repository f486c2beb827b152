-- A running task's progress as its worker last recorded it (throttled: at most one write every few seconds, see
-- TaskProgressStore), so a controller in another process can put it on the resource's status; kept after the task ends as
-- the last progress seen (`packyard logs TASK`).
alter table tasks add column progress jsonb;
