-- An account that moved (an ActivityPub Move confirmed by the target's alsoKnownAs) points at where it went;
-- the client API shows it as the Account's `moved`.
ALTER TABLE accounts ADD COLUMN moved_to_account_id bigint REFERENCES accounts (id) ON DELETE SET NULL;

-- The custom emoji of each version of a status (CustomEmoji entities, as statuses.emojis), for its edit history.
ALTER TABLE status_edits ADD COLUMN emojis jsonb;
