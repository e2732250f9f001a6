-- Time-ordered ids: (epoch milliseconds << 16) | (sequence mod 65536). One sequence serves every
-- process, so ids made in the same millisecond by different hosts never collide.
CREATE SEQUENCE id_sequence CYCLE;

CREATE FUNCTION next_id() RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT ((extract(epoch FROM clock_timestamp()) * 1000)::bigint << 16) | (nextval('id_sequence') & 65535)
$$;

CREATE TABLE accounts (
  id               bigint PRIMARY KEY DEFAULT next_id(),
  username         text NOT NULL,
  domain           text,
  display_name     text NOT NULL DEFAULT '',
  note             text NOT NULL DEFAULT '',
  fields           jsonb NOT NULL DEFAULT '[]',
  locked           boolean NOT NULL DEFAULT false,
  bot              boolean NOT NULL DEFAULT false,
  discoverable     boolean NOT NULL DEFAULT true,
  indexable        boolean NOT NULL DEFAULT true,
  hide_collections boolean NOT NULL DEFAULT false,
  public_key       text NOT NULL,
  private_key      text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_username_domain ON accounts (lower(username), coalesce(lower(domain), ''));

CREATE TABLE users (
  account_id          bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  email               text NOT NULL,
  password_hash       text NOT NULL,
  role                text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'moderator', 'admin', 'owner')),
  approved            boolean NOT NULL DEFAULT true,
  disabled            boolean NOT NULL DEFAULT false,
  locale              text NOT NULL DEFAULT 'en',
  default_privacy     text NOT NULL DEFAULT 'public' CHECK (default_privacy IN ('public', 'unlisted', 'private', 'direct')),
  default_sensitive   boolean NOT NULL DEFAULT false,
  default_language    text,
  registration_reason text,
  sign_up_ip          text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  last_sign_in_at     timestamptz
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

CREATE TABLE oauth_applications (
  id                 bigint PRIMARY KEY DEFAULT next_id(),
  name               text NOT NULL,
  website            text,
  redirect_uris      text[] NOT NULL,
  scopes             text NOT NULL,
  client_id          text NOT NULL UNIQUE,
  client_secret_hash text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);

-- Tokens, codes and sessions are stored as SHA-256 digests: a leaked table grants nothing.
CREATE TABLE oauth_access_tokens (
  id             bigint PRIMARY KEY DEFAULT next_id(),
  application_id bigint NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
  account_id     bigint REFERENCES accounts (id) ON DELETE CASCADE,
  token_hash     text NOT NULL UNIQUE,
  scopes         text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  revoked_at     timestamptz,
  last_used_at   timestamptz
);
CREATE INDEX oauth_access_tokens_account ON oauth_access_tokens (account_id);

CREATE TABLE oauth_authorization_codes (
  id                    bigint PRIMARY KEY DEFAULT next_id(),
  application_id        bigint NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
  account_id            bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  code_hash             text NOT NULL UNIQUE,
  redirect_uri          text NOT NULL,
  scopes                text NOT NULL,
  code_challenge        text,
  code_challenge_method text,
  expires_at            timestamptz NOT NULL,
  used_at               timestamptz,
  token_id              bigint REFERENCES oauth_access_tokens (id) ON DELETE SET NULL
);

CREATE TABLE web_sessions (
  id           bigint PRIMARY KEY DEFAULT next_id(),
  account_id   bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  token_hash   text NOT NULL UNIQUE,
  user_agent   text,
  ip           text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE markers (
  account_id   bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  timeline     text NOT NULL CHECK (timeline IN ('home', 'notifications')),
  last_read_id bigint NOT NULL,
  version      integer NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, timeline)
);

CREATE TABLE instance_rules (
  id         bigint PRIMARY KEY DEFAULT next_id(),
  text       text NOT NULL,
  hint       text NOT NULL DEFAULT '',
  position   integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
