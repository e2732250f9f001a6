-- Lists of followed accounts with their own feeds, and endorsed ("featured") accounts.

CREATE TABLE lists (
  id             bigint PRIMARY KEY DEFAULT next_id(),
  account_id     bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  title          text NOT NULL,
  replies_policy text NOT NULL DEFAULT 'list' CHECK (replies_policy IN ('followed', 'list', 'none')),
  -- Members' posts stay out of the owner's home feed.
  exclusive      boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lists_account ON lists (account_id, id);

-- A member is an account the owner follows (follow_id), or the owner itself (no follow). Ending the
-- follow, by unfollowing, a block or a domain block, takes the account off the owner's lists.
CREATE TABLE list_accounts (
  list_id    bigint NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  follow_id  bigint REFERENCES follows (id) ON DELETE CASCADE,
  PRIMARY KEY (list_id, account_id)
);
-- Fan-out looks up the lists that hold a post's author.
CREATE INDEX list_accounts_account ON list_accounts (account_id);
CREATE INDEX list_accounts_follow ON list_accounts (follow_id) WHERE follow_id IS NOT NULL;

-- List feeds, filled on write like home feeds: entry_id is the status shown (a boost's own id).
CREATE TABLE list_feed_entries (
  list_id      bigint NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  entry_id     bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  reblog_of_id bigint,
  PRIMARY KEY (list_id, entry_id)
);
CREATE INDEX list_feed_entries_reblogs ON list_feed_entries (list_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL;

-- How many entries a list feed holds, so only full feeds pay for a trim (as home_feeds.entries).
CREATE TABLE list_feeds (
  list_id bigint PRIMARY KEY REFERENCES lists (id) ON DELETE CASCADE,
  entries integer NOT NULL DEFAULT 0
);

-- Endorsements live as long as the follow they need (Mastodon removes them on unfollow).
CREATE TABLE account_pins (
  id                bigint PRIMARY KEY DEFAULT next_id(),
  account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  follow_id         bigint NOT NULL REFERENCES follows (id) ON DELETE CASCADE,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX account_pins_follow ON account_pins (follow_id);
