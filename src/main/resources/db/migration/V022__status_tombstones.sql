-- Remote statuses deleted before they arrived (a Delete overtook its Create, or came for a post never
-- stored here): a later Create of the URI is not stored, as Mastodon's tombstones keep it out.
CREATE TABLE status_tombstones (
  uri        text PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
