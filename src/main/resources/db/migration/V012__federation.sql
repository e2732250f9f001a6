-- Remote accounts: where their actor lives and how to reach it. Local accounts leave these null (their
-- URLs are derived from the username).
ALTER TABLE accounts
  ADD COLUMN uri               text,
  ADD COLUMN url               text,
  ADD COLUMN actor_type        text,
  ADD COLUMN inbox_url         text,
  ADD COLUMN shared_inbox_url  text,
  ADD COLUMN outbox_url        text,
  ADD COLUMN followers_url     text,
  ADD COLUMN following_url     text,
  ADD COLUMN featured_url      text,
  ADD COLUMN key_id            text,
  ADD COLUMN avatar_remote_url text,
  ADD COLUMN header_remote_url text,
  ADD COLUMN last_fetched_at   timestamptz;
CREATE UNIQUE INDEX accounts_uri ON accounts (uri) WHERE uri IS NOT NULL;
CREATE INDEX accounts_key_id ON accounts (key_id) WHERE key_id IS NOT NULL;

-- The instance actor (/actor) signs server-to-server fetches; one row, made on first use.
CREATE TABLE instance_actor (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  public_key  text NOT NULL,
  private_key text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Operators' blocks of whole servers (caravan domains block). A block covers the domain's subdomains.
CREATE TABLE domain_blocks (
  domain       text PRIMARY KEY CHECK (domain = lower(domain)),
  severity     text NOT NULL CHECK (severity IN ('noop', 'silence', 'suspend')),
  reject_media boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
