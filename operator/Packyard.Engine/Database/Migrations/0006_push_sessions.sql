-- Pushes (the OCI distribution API's blob uploads and manifest PUTs, or any type's resumable upload). A session's row lives
-- here, not in one replica's memory, so its PATCH requests may reach any content replica; each chunk is an object of the
-- artifact store (content-addressed, with an artifacts row) listed in upload_chunks in order. A finished upload becomes a
-- content unit that is pending in its repository until a version takes it in (the manifest PUT of an image). Orphan cleanup
-- drops sessions and pending units not touched for a while (OrphanCleanupOptions.PendingUploadAge), and with them what only
-- they kept.
create table upload_sessions (
    id             uuid primary key,
    repository_id  bigint not null references repositories (id) on delete cascade,
    -- Bytes received so far: the offset the next chunk must start at.
    size           bigint not null default 0,
    created        timestamptz not null default now(),
    updated        timestamptz not null default now()
);
create index upload_sessions_updated on upload_sessions (updated);

create table upload_chunks (
    session_id  uuid not null references upload_sessions (id) on delete cascade,
    start       bigint not null,
    sha256      text not null,
    size        bigint not null,
    primary key (session_id, start)
);
create index upload_chunks_sha256 on upload_chunks (sha256);

create table pending_content (
    repository_id  bigint not null references repositories (id) on delete cascade,
    content_id     bigint not null references content_units (id),
    updated        timestamptz not null default now(),
    primary key (repository_id, content_id)
);
create index pending_content_content on pending_content (content_id);
create index pending_content_updated on pending_content (updated);
