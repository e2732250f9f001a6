-- The registry of the event bus (core/bus): which streaming node listens to which channel, so
-- publishers send an event only when someone will receive it. A node refreshes seen_at every
-- few seconds; publishers ignore nodes not seen lately, and nodes clear out long-dead ones.

CREATE TABLE streaming_nodes (
  id      text PRIMARY KEY,
  seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE streaming_channels (
  channel text NOT NULL,
  node_id text NOT NULL REFERENCES streaming_nodes (id) ON DELETE CASCADE,
  PRIMARY KEY (channel, node_id)
);

CREATE INDEX streaming_channels_node ON streaming_channels (node_id);

-- Streams ask who mutes the author of a status or blocks its domain (blocks have blocks_target already).
CREATE INDEX mutes_target ON mutes (target_account_id);
CREATE INDEX account_domain_blocks_domain ON account_domain_blocks (domain);
