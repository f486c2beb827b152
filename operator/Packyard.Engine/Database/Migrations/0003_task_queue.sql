-- The task queue: the controller enqueues work (a sync) as a 'queued' row whose args let a worker do it from the database
-- alone; a worker claims it (FOR UPDATE SKIP LOCKED, plus the repository's advisory lock held on its own connection),
-- heartbeats while it runs, stores the outcome in result, and the controller reports it on the resource's status.

-- False while a finished queued task's outcome has not been written to its resource's status yet.
alter table tasks add column reported boolean not null default false;
update tasks set reported = true where state in ('succeeded', 'failed', 'canceled');

-- How often a task was claimed (a second claim means a worker died or stopped and another took the task over).
alter table tasks add column attempts integer not null default 0;

-- No duplicate queued task for the same repository and kind: a new request updates the queued row instead.
create unique index tasks_one_queued_per_repository_kind on tasks (repository_id, kind) where state = 'queued';
-- Finished outcomes waiting for the controller.
create index tasks_unreported on tasks (repository_id) where not reported and state in ('succeeded', 'failed', 'canceled');
