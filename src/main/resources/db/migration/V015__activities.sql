-- Federation stage B: statuses from other servers and the ids of activities exchanged with them.

-- A remote status keeps its ActivityPub id and its web page; local statuses leave both null (their URIs
-- are derived from the author). Attachments of remote statuses stay on their server until the media
-- issue caches them: `media` holds them as rendered Mastodon MediaAttachment objects.
ALTER TABLE statuses
  ADD COLUMN uri   text,
  ADD COLUMN url   text,
  ADD COLUMN media jsonb;
CREATE UNIQUE INDEX statuses_uri ON statuses (uri) WHERE uri IS NOT NULL;

-- The id of the Follow activity behind a follow or a request: a remote follower's, answered by our
-- Accept or Reject; ours to a remote account, named again by our Undo.
ALTER TABLE follows ADD COLUMN uri text;
ALTER TABLE follow_requests ADD COLUMN uri text;

-- Every process keeps the list of domain blocks (checked for each inbound activity and delivery); a
-- change anywhere tells them all to read it again ('d:0', see V009).
CREATE FUNCTION notify_domain_blocks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('caravan_cache', 'd:0');
  RETURN NULL;
END $$;
CREATE TRIGGER domain_blocks_cache AFTER INSERT OR UPDATE OR DELETE ON domain_blocks
  FOR EACH STATEMENT EXECUTE FUNCTION notify_domain_blocks();
