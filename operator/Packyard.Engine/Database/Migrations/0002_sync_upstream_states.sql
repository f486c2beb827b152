-- What the last successful sync of a repository from a remote saw upstream, as its content type summarised it (e.g. the
-- digest of a signed APT Release file), with the settings it ran with and the version that was latest after it. A later
-- sync that sees the same state, with the same settings, while that version is still the latest, changes nothing and may
-- stop early instead of staging every unit again.
create table sync_upstream_states (
    repository_id  bigint not null references repositories (id) on delete cascade,
    remote_id      bigint not null references remotes (id) on delete cascade,
    settings       text not null,
    state          text not null,
    version        bigint not null,
    updated        timestamptz not null default now(),
    primary key (repository_id, remote_id)
);
