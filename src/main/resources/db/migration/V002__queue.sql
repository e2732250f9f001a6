-- The job queue. A job is ready when run_at has passed; claiming one moves run_at to the end of
-- the lease, so a job whose worker died becomes ready again by itself. Done jobs are deleted;
-- dead ones stay, with their reason, until retried, discarded or pruned.
CREATE TABLE jobs (
  id          bigint PRIMARY KEY DEFAULT next_id(),
  queue       text NOT NULL,
  type        text NOT NULL,
  -- Kept as text, not jsonb: a payload that no longer parses must still load, to go to the dead set.
  payload     text NOT NULL,
  unique_key  text,
  run_at      timestamptz NOT NULL DEFAULT now(),
  attempts    integer NOT NULL DEFAULT 0,
  locked_by   text,
  last_error  text,
  dead_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_ready ON jobs (queue, run_at) WHERE dead_at IS NULL;
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key) WHERE unique_key IS NOT NULL AND dead_at IS NULL;
CREATE INDEX jobs_dead ON jobs (dead_at) WHERE dead_at IS NOT NULL;
CREATE INDEX jobs_locked_by ON jobs (locked_by) WHERE locked_by IS NOT NULL;

-- Recurring jobs: each period is claimed by advancing next_run_at, which one transaction wins.
CREATE TABLE recurring_jobs (
  name             text PRIMARY KEY,
  queue            text NOT NULL,
  type             text NOT NULL,
  interval_seconds integer NOT NULL CHECK (interval_seconds > 0),
  next_run_at      timestamptz NOT NULL
);

-- Leases: one holder in the whole cluster at a time (the recurring-job scheduler).
CREATE TABLE leases (
  name       text PRIMARY KEY,
  holder     text NOT NULL,
  expires_at timestamptz NOT NULL
);

-- Delivery lanes: outbound requests queued per destination host, one claim per host at a time.
CREATE TABLE delivery_destinations (
  host            text PRIMARY KEY,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  failures        integer NOT NULL DEFAULT 0,
  failing_since   timestamptz,
  failure_days    date[] NOT NULL DEFAULT '{}',
  unavailable     boolean NOT NULL DEFAULT false,
  claimed_by      text,
  claimed_until   timestamptz
);

CREATE TABLE deliveries (
  id         bigint PRIMARY KEY DEFAULT next_id(),
  host       text NOT NULL REFERENCES delivery_destinations (host) ON DELETE CASCADE,
  target     text NOT NULL,
  payload    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_host ON deliveries (host, id);
