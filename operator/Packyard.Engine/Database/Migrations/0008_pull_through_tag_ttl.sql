-- spec.pullThrough.tagTTL of a Distribution: how long a tag fetched through is served before it is checked upstream again
-- (null: the default, 5 minutes).
alter table distributions add column pull_through_tag_ttl interval;
