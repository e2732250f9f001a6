-- Polls: at most one per status, with one row per vote.

CREATE TABLE polls (
  id                  bigint PRIMARY KEY DEFAULT next_id(),
  status_id           bigint NOT NULL UNIQUE REFERENCES statuses (id) ON DELETE CASCADE,
  account_id          bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  options             text[] NOT NULL,
  -- Votes per option, in the order of options; votes_count is their sum.
  tallies             integer[] NOT NULL,
  votes_count         integer NOT NULL DEFAULT 0,
  voters_count        integer NOT NULL DEFAULT 0,
  multiple            boolean NOT NULL DEFAULT false,
  hide_totals         boolean NOT NULL DEFAULT false,
  expires_at          timestamptz NOT NULL,
  -- The expiry whose end voters and author were told of: the closing job's mark, so a retried job
  -- tells nobody twice, and a poll whose edit set a new expiry is announced again when that comes.
  announced_expiry    timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (cardinality(tallies) = cardinality(options))
);

CREATE TABLE poll_votes (
  id         bigint PRIMARY KEY DEFAULT next_id(),
  poll_id    bigint NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  choice     integer NOT NULL CHECK (choice >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (poll_id, account_id, choice)
);

-- A version of a status keeps the poll's options as they were then (Mastodon's StatusEdit#poll_options).
ALTER TABLE status_edits ADD COLUMN poll_options text[];
