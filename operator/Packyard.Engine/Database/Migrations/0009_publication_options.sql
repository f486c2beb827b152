-- What a publication was made with: a fingerprint of the publish options (the type's publish block and the signing key),
-- so that changing spec.publish republishes the version being served instead of waiting for the next version. Null for
-- publications made before this column: taken as current (an upgrade republishes nothing).

alter table publications add column options_fingerprint text;
