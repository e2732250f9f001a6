-- Purging remote accounts: what a domain suspension severed, and what local accounts are told of it
-- (Mastodon's relationship_severance_events, severed_relationships, account_relationship_severance_events).

-- One per domain block raised to suspend (federation writes it with the block).
CREATE TABLE relationship_severance_events (
  id          bigint PRIMARY KEY DEFAULT next_id(),
  type        text NOT NULL CHECK (type IN ('domain_block', 'user_domain_block', 'account_suspension')),
  target_name text NOT NULL,
  purged      boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Each follow an event ended, seen from the local account: active when it followed the remote one,
-- passive when it was followed. Written in the transaction that ends the follow, so a purge that dies
-- midway and runs again still knows what it severed before.
CREATE TABLE severed_relationships (
  relationship_severance_event_id bigint NOT NULL REFERENCES relationship_severance_events (id) ON DELETE CASCADE,
  local_account_id                bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  remote_account_id               bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  direction                       text NOT NULL CHECK (direction IN ('active', 'passive')),
  PRIMARY KEY (relationship_severance_event_id, local_account_id, remote_account_id, direction)
);

-- What one local account lost to an event: the `event` of its severed_relationships notification.
CREATE TABLE account_relationship_severance_events (
  id                              bigint PRIMARY KEY DEFAULT next_id(),
  account_id                      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  relationship_severance_event_id bigint NOT NULL REFERENCES relationship_severance_events (id) ON DELETE CASCADE,
  followers_count                 integer NOT NULL DEFAULT 0,
  following_count                 integer NOT NULL DEFAULT 0,
  created_at                      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (relationship_severance_event_id, account_id)
);

ALTER TABLE notifications ADD COLUMN account_relationship_severance_event_id bigint
  REFERENCES account_relationship_severance_events (id) ON DELETE CASCADE;

-- A purge looks up an account's votes and the requests it caused by the account.
CREATE INDEX poll_votes_account ON poll_votes (account_id);
CREATE INDEX notification_requests_from ON notification_requests (from_account_id);
