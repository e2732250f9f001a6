-- Statuses, the social graph, favourites, bookmarks, home feeds and notifications.

CREATE TABLE statuses (
  id                     bigint PRIMARY KEY DEFAULT next_id(),
  account_id             bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- What the author typed (kept for edits and delete-and-redraft) and its rendered HTML.
  text                   text NOT NULL DEFAULT '',
  content                text NOT NULL DEFAULT '',
  spoiler_text           text NOT NULL DEFAULT '',
  sensitive              boolean NOT NULL DEFAULT false,
  visibility             text NOT NULL CHECK (visibility IN ('public', 'unlisted', 'private', 'direct')),
  language               text,
  in_reply_to_id         bigint REFERENCES statuses (id) ON DELETE SET NULL,
  in_reply_to_account_id bigint REFERENCES accounts (id) ON DELETE SET NULL,
  reblog_of_id           bigint REFERENCES statuses (id) ON DELETE CASCADE,
  -- The status at the root of the reply thread (itself for a thread's first post).
  conversation_id        bigint,
  application_id         bigint REFERENCES oauth_applications (id) ON DELETE SET NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  edited_at              timestamptz,
  deleted_at             timestamptz
);
CREATE INDEX statuses_account ON statuses (account_id, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX statuses_public ON statuses (id DESC) WHERE deleted_at IS NULL AND visibility = 'public' AND reblog_of_id IS NULL;
CREATE INDEX statuses_in_reply_to ON statuses (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL;
CREATE INDEX statuses_reblog_of ON statuses (reblog_of_id, account_id) WHERE reblog_of_id IS NOT NULL;

CREATE TABLE status_stats (
  status_id        bigint PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
  replies_count    integer NOT NULL DEFAULT 0,
  reblogs_count    integer NOT NULL DEFAULT 0,
  favourites_count integer NOT NULL DEFAULT 0
);

CREATE TABLE status_edits (
  id           bigint PRIMARY KEY DEFAULT next_id(),
  status_id    bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  text         text NOT NULL,
  content      text NOT NULL,
  spoiler_text text NOT NULL,
  sensitive    boolean NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_edits_status ON status_edits (status_id, id);

CREATE TABLE mentions (
  status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  PRIMARY KEY (status_id, account_id)
);
CREATE INDEX mentions_account ON mentions (account_id, status_id DESC);

CREATE TABLE tags (
  id   bigint PRIMARY KEY DEFAULT next_id(),
  name text NOT NULL
);
CREATE UNIQUE INDEX tags_name ON tags (lower(name));

CREATE TABLE statuses_tags (
  status_id bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  tag_id    bigint NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
  PRIMARY KEY (tag_id, status_id)
);
CREATE INDEX statuses_tags_status ON statuses_tags (status_id);

CREATE TABLE account_stats (
  account_id      bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  statuses_count  integer NOT NULL DEFAULT 0,
  followers_count integer NOT NULL DEFAULT 0,
  following_count integer NOT NULL DEFAULT 0,
  last_status_at  timestamptz
);

CREATE TABLE follows (
  id                bigint PRIMARY KEY DEFAULT next_id(),
  account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  show_reblogs      boolean NOT NULL DEFAULT true,
  notify            boolean NOT NULL DEFAULT false,
  languages         text[],
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, target_account_id),
  CHECK (account_id <> target_account_id)
);
CREATE INDEX follows_target ON follows (target_account_id, id DESC);

CREATE TABLE follow_requests (
  id                bigint PRIMARY KEY DEFAULT next_id(),
  account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  show_reblogs      boolean NOT NULL DEFAULT true,
  notify            boolean NOT NULL DEFAULT false,
  languages         text[],
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, target_account_id),
  CHECK (account_id <> target_account_id)
);
CREATE INDEX follow_requests_target ON follow_requests (target_account_id, id DESC);

CREATE TABLE blocks (
  id                bigint PRIMARY KEY DEFAULT next_id(),
  account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX blocks_target ON blocks (target_account_id);

CREATE TABLE mutes (
  id                 bigint PRIMARY KEY DEFAULT next_id(),
  account_id         bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  hide_notifications boolean NOT NULL DEFAULT true,
  expires_at         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, target_account_id)
);

CREATE TABLE account_domain_blocks (
  id         bigint PRIMARY KEY DEFAULT next_id(),
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  domain     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, domain)
);

CREATE TABLE account_notes (
  account_id        bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  target_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  comment           text NOT NULL,
  PRIMARY KEY (account_id, target_account_id)
);

CREATE TABLE favourites (
  id         bigint PRIMARY KEY DEFAULT next_id(),
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, status_id)
);
CREATE INDEX favourites_status ON favourites (status_id, id DESC);
CREATE INDEX favourites_account ON favourites (account_id, id DESC);

CREATE TABLE bookmarks (
  id         bigint PRIMARY KEY DEFAULT next_id(),
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, status_id)
);
CREATE INDEX bookmarks_account ON bookmarks (account_id, id DESC);

CREATE TABLE status_pins (
  id         bigint PRIMARY KEY DEFAULT next_id(),
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, status_id)
);

CREATE TABLE conversation_mutes (
  account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  conversation_id bigint NOT NULL,
  PRIMARY KEY (account_id, conversation_id)
);

-- Home feeds, filled on write: entry_id is the status shown (a reblog's own id for boosts).
CREATE TABLE home_feed_entries (
  account_id   bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  entry_id     bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  -- For boosts, what they boost: "is this status, or a boost of it, already in the feed?" is one probe.
  reblog_of_id bigint,
  PRIMARY KEY (account_id, entry_id)
);
CREATE INDEX home_feed_entries_reblogs ON home_feed_entries (account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL;

-- One row per account that has a home feed. Fan-out fills only feeds read in the last
-- CARAVAN_ACTIVE_DAYS (active_at, bumped at most daily by reading home); a returning reader's feed
-- is rebuilt by a job meanwhile (rebuilding). entries counts rows so trimming probes only full feeds;
-- it may run high (cascaded deletes) and is made exact at each trim.
CREATE TABLE home_feeds (
  account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  active_at  timestamptz,
  rebuilding boolean NOT NULL DEFAULT false,
  entries    integer NOT NULL DEFAULT 0
);

-- Notification ids count up from 1, as Mastodon's do: v2 renders most_recent_notification_id as a
-- JSON number, and a time-ordered 64-bit id would lose precision in JavaScript apps.
CREATE TABLE notifications (
  id              bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  from_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  type            text NOT NULL,
  status_id       bigint REFERENCES statuses (id) ON DELETE CASCADE,
  -- Notifications with one key show as one group in /api/v2/notifications; null: a group of its own.
  group_key       text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_account ON notifications (account_id, id DESC);
-- Groups (counts, samples, the latest group of a kind); one sender's notifications (and that
-- sender's deletion); a status's deletion.
CREATE INDEX notifications_group ON notifications (account_id, group_key, id DESC) WHERE group_key IS NOT NULL;
CREATE INDEX notifications_from ON notifications (from_account_id, account_id, id DESC);
CREATE INDEX notifications_status ON notifications (status_id) WHERE status_id IS NOT NULL;

CREATE TABLE idempotency_keys (
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  key        text NOT NULL,
  status_id  bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, key)
);
