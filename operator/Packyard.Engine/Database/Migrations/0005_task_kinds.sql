-- Every kind of engine work is a task: sync, publish, promote and reclaim (orphan cleanup). A queued task is unique per kind
-- and key (a sync or publish: its repository and what it publishes; a promotion: the Promotion; reclaim: one at a time), and
-- names the resource to reconcile when it changes (notify, "Kind/namespace/name"; none for reclaim).

alter table tasks add column key text not null default '';
alter table tasks add column notify text;
update tasks set key = coalesce(repository_id::text, ''), notify = 'Repository/' || (args->>'repository') where kind = 'sync';

drop index tasks_one_queued_per_repository_kind;
create unique index tasks_one_queued_per_kind_key on tasks (kind, key) where state = 'queued';
-- The newest reclaim task, for the scheduler's "none within the interval".
create index tasks_reclaim on tasks (created) where kind = 'reclaim';
