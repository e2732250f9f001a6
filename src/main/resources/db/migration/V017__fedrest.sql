-- Silenced domains (Mastodon's "limit"): each account carries whether the operator's blocks silence its
-- domain, so timelines, fan-out and notification policies test a column instead of matching domains.

-- The most specific block of a domain (an account's domain may carry a port) decides, as DomainBlocks does.
CREATE FUNCTION domain_silenced(account_domain text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce((
    SELECT b.severity = 'silence'
      FROM domain_blocks b, lower(regexp_replace(account_domain, ':[0-9]+$', '')) host
     WHERE host = b.domain OR host LIKE '%.' || b.domain
     ORDER BY length(b.domain) DESC
     LIMIT 1), false)
$$;

ALTER TABLE accounts ADD COLUMN silenced boolean NOT NULL DEFAULT false;
UPDATE accounts SET silenced = true WHERE domain IS NOT NULL AND domain_silenced(domain);

CREATE FUNCTION accounts_silenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.silenced := NEW.domain IS NOT NULL AND domain_silenced(NEW.domain);
  RETURN NEW;
END $$;
CREATE TRIGGER accounts_silenced BEFORE INSERT OR UPDATE OF domain ON accounts
  FOR EACH ROW EXECUTE FUNCTION accounts_silenced();

-- A block made, changed or lifted: the accounts it covers follow (their rows' cache triggers tell the caches).
CREATE FUNCTION domain_blocks_silence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts SET silenced = NOT silenced
   WHERE domain IS NOT NULL AND silenced <> domain_silenced(domain);
  RETURN NULL;
END $$;
CREATE TRIGGER domain_blocks_silence AFTER INSERT OR UPDATE OR DELETE ON domain_blocks
  FOR EACH STATEMENT EXECUTE FUNCTION domain_blocks_silence();

-- The keys of deleted local accounts: the Delete of the actor is signed with them when the delivery
-- lanes send it (and retry it), after the account's rows are gone.
CREATE TABLE deleted_actors (
  uri         text PRIMARY KEY,
  private_key text NOT NULL,
  deleted_at  timestamptz NOT NULL DEFAULT now()
);

-- Custom emoji of remote posts and profiles, as Mastodon's CustomEmoji entities (remote image URLs).
ALTER TABLE statuses ADD COLUMN emojis jsonb;
ALTER TABLE accounts ADD COLUMN emojis jsonb;
