-- Packyard metadata schema, version 1.
-- Kubernetes resources are the source of truth for specs; these tables hold the engine's state.

create table remotes (
    id          bigserial primary key,
    namespace   text not null,
    name        text not null,
    type        text not null,
    url         text not null,
    policy      text not null,
    -- Resolved download settings (auth, TLS, proxy, limits). Holds credentials: never logged or shown.
    config      jsonb not null default '{}',
    updated     timestamptz not null default now(),
    unique (namespace, name)
);

create table repositories (
    id              bigserial primary key,
    namespace       text not null,
    name            text not null,
    type            text not null,
    latest_version  bigint not null default 0,
    uploads_enabled boolean not null default false,
    -- Fingerprint of the remote and sync settings of the last successful sync: a change means "sync again".
    sync_fingerprint text,
    last_sync_started timestamptz,
    created         timestamptz not null default now(),
    unique (namespace, name)
);

-- Stored blobs, content-addressed. Shared by every repository that holds them.
create table artifacts (
    sha256   text primary key,
    size     bigint not null,
    created  timestamptz not null default now()
);

-- Immutable content units. natural_key identifies a unit; units with the same repo_key replace each other in a version.
create table content_units (
    id           bigserial primary key,
    type         text not null,
    natural_key  text not null,
    repo_key     text not null,
    name         text not null,
    version      text,
    metadata     jsonb not null default '{}',
    created      timestamptz not null default now(),
    unique (type, natural_key)
);

-- The files of a content unit, with the digest its metadata declares (present in artifacts once downloaded).
create table content_artifacts (
    id             bigserial primary key,
    content_id     bigint not null references content_units (id) on delete cascade,
    relative_path  text not null,
    sha256         text not null,
    size           bigint,
    unique (content_id, relative_path)
);
create index content_artifacts_relative_path on content_artifacts (relative_path);
create index content_artifacts_sha256 on content_artifacts (sha256);

-- Where an artifact can be downloaded from (OnDemand, Streamed, resumed syncs).
create table remote_artifacts (
    content_artifact_id  bigint not null references content_artifacts (id) on delete cascade,
    remote_id            bigint not null references remotes (id) on delete cascade,
    url                  text not null,
    primary key (content_artifact_id, remote_id)
);

create table repository_versions (
    repository_id  bigint not null references repositories (id) on delete cascade,
    number         bigint not null,
    created        timestamptz not null default clock_timestamp(),
    added          bigint not null,
    removed        bigint not null,
    content_count  bigint not null,
    reason         text not null,
    primary key (repository_id, number)
);

-- Membership as ranges: a unit is in version v when version_added <= v < coalesce(version_removed, infinity).
create table repository_content (
    repository_id    bigint not null references repositories (id) on delete cascade,
    content_id       bigint not null references content_units (id),
    version_added    bigint not null,
    version_removed  bigint,
    primary key (repository_id, content_id, version_added)
);
create index repository_content_current on repository_content (repository_id, content_id) where version_removed is null;
create index repository_content_removed on repository_content (repository_id, version_removed);
create index repository_content_content on repository_content (content_id);

create table publications (
    id             bigserial primary key,
    repository_id  bigint not null references repositories (id) on delete cascade,
    version        bigint not null,
    created        timestamptz not null default clock_timestamp(),
    -- When true, the version's content artifacts are served at their relative paths beside the published files.
    pass_through   boolean not null,
    unique (repository_id, version)
);
create index publications_created on publications (repository_id, created);

create table published_files (
    publication_id  bigint not null references publications (id) on delete cascade,
    relative_path   text not null,
    sha256          text not null,
    size            bigint not null,
    media_type      text not null,
    primary key (publication_id, relative_path)
);

create table distributions (
    id                      bigserial primary key,
    namespace               text not null,
    name                    text not null,
    base_path               text not null unique,
    repository_id           bigint references repositories (id) on delete set null,
    version                 bigint,
    checkpoints             boolean not null default false,
    -- Hashed credentials of the content guard, or null for a public distribution.
    guard                   jsonb,
    pull_through_remote_id  bigint references remotes (id) on delete set null,
    updated                 timestamptz not null default now(),
    unique (namespace, name)
);

create table tasks (
    id             bigserial primary key,
    kind           text not null,
    repository_id  bigint references repositories (id) on delete cascade,
    args           jsonb not null default '{}',
    state          text not null default 'queued' check (state in ('queued', 'running', 'succeeded', 'failed', 'canceled')),
    worker         text,
    heartbeat      timestamptz,
    created        timestamptz not null default now(),
    started        timestamptz,
    finished       timestamptz,
    error          text,
    result         jsonb
);
create index tasks_open on tasks (created) where state in ('queued', 'running');
-- One running task per repository, whatever process runs it.
create unique index tasks_one_running_per_repository on tasks (repository_id) where state = 'running';
