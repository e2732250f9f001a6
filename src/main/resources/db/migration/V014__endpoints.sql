-- Notification policies (Mastodon 4.3+): what happens to notifications from people the recipient
-- does not follow, who do not follow them, new accounts and unsolicited private mentions.

-- A filtered notification is kept out of the lists until its sender's request is accepted.
ALTER TABLE notifications ADD COLUMN filtered boolean NOT NULL DEFAULT false;
CREATE INDEX notifications_filtered ON notifications (account_id, from_account_id, id DESC) WHERE filtered;

-- A row only for people who changed a default; each column is accept, filter or drop.
CREATE TABLE notification_policies (
  account_id           bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  for_not_following    text NOT NULL DEFAULT 'accept' CHECK (for_not_following IN ('accept', 'filter', 'drop')),
  for_not_followers    text NOT NULL DEFAULT 'accept' CHECK (for_not_followers IN ('accept', 'filter', 'drop')),
  for_new_accounts     text NOT NULL DEFAULT 'accept' CHECK (for_new_accounts IN ('accept', 'filter', 'drop')),
  for_private_mentions text NOT NULL DEFAULT 'filter' CHECK (for_private_mentions IN ('accept', 'filter', 'drop')),
  for_limited_accounts text NOT NULL DEFAULT 'filter' CHECK (for_limited_accounts IN ('accept', 'filter', 'drop')),
  updated_at           timestamptz NOT NULL DEFAULT now()
);

-- One per sender whose mentions were filtered; what it counts is read from the notifications.
CREATE TABLE notification_requests (
  id              bigint PRIMARY KEY DEFAULT next_id(),
  account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  from_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  last_status_id  bigint REFERENCES statuses (id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, from_account_id)
);
CREATE INDEX notification_requests_account ON notification_requests (account_id, id DESC);

-- Senders whose request was accepted: their notifications are never filtered or dropped again.
CREATE TABLE notification_permissions (
  account_id      bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  from_account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, from_account_id)
);

-- The server's extended description and privacy policy, in Markdown, set by operators.
CREATE TABLE instance_texts (
  name       text PRIMARY KEY CHECK (name IN ('extended_description', 'privacy_policy')),
  text       text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Terms of service, one version per date it takes effect, in Markdown.
CREATE TABLE instance_terms (
  effective_date date PRIMARY KEY,
  text           text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
