-- A deleted local account's actor is still served, in Mastodon's suspended form with its public key,
-- while its Delete is being delivered (so peers can fetch the key to verify it); ActorDeletion keeps
-- what that document needs beside the key, and removes the row once those deliveries are over.
ALTER TABLE deleted_actors
  ADD COLUMN username   text,
  ADD COLUMN public_key text,
  ADD COLUMN bot        boolean NOT NULL DEFAULT false,
  ADD COLUMN created_at timestamptz;

UPDATE deleted_actors SET username = substring(uri FROM '/users/([^/]+)$');

-- Names of deleted local accounts: their actor and WebFinger answer 410 Gone, as Mastodon answers for
-- the suspended account it keeps, unless the name has been registered again since (Caravan allows that).
CREATE TABLE gone_accounts (
  username   text PRIMARY KEY CHECK (username = lower(username)),
  deleted_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO gone_accounts (username, deleted_at)
SELECT lower(username), deleted_at FROM deleted_actors WHERE username IS NOT NULL
ON CONFLICT (username) DO NOTHING;
