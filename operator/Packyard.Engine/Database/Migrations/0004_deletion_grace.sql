-- Deletion grace period: deleting a Repository detaches its row (with its versions, content ranges and publications) instead
-- of deleting it. A detached repository is invisible to lookups by namespace and name; a Repository of the same namespace,
-- name and type created before keep_until reattaches it; orphan cleanup deletes it (and so what only it referenced) after.
alter table repositories add column deleted timestamptz;
alter table repositories add column keep_until timestamptz;
alter table repositories add constraint repositories_detached_keep_until check ((deleted is null) = (keep_until is null));

-- Only one live repository per namespace and name; any number of detached ones beside it.
alter table repositories drop constraint repositories_namespace_name_key;
create unique index repositories_live_name on repositories (namespace, name) where deleted is null;
create index repositories_detached on repositories (namespace, name, type, deleted) where deleted is not null;
