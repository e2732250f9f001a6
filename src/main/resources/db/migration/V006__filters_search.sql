-- Filters, as Mastodon's custom filters: a titled group of keywords and statuses, applied in the
-- contexts it names, until it expires.
CREATE TABLE custom_filters (
  id         bigint PRIMARY KEY DEFAULT next_id(),
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  title      text NOT NULL,
  context    text[] NOT NULL,
  action     text NOT NULL DEFAULT 'warn' CHECK (action IN ('warn', 'hide', 'blur')),
  expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX custom_filters_account ON custom_filters (account_id, id);

CREATE TABLE custom_filter_keywords (
  id               bigint PRIMARY KEY DEFAULT next_id(),
  custom_filter_id bigint NOT NULL REFERENCES custom_filters (id) ON DELETE CASCADE,
  keyword          text NOT NULL,
  whole_word       boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX custom_filter_keywords_filter ON custom_filter_keywords (custom_filter_id, id);

CREATE TABLE custom_filter_statuses (
  id               bigint PRIMARY KEY DEFAULT next_id(),
  custom_filter_id bigint NOT NULL REFERENCES custom_filters (id) ON DELETE CASCADE,
  status_id        bigint NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (custom_filter_id, status_id)
);

-- Search. Statuses by their words ('simple': no stemming, so every language is treated alike);
-- a status from elsewhere may have no source text, and then its HTML without the tags is used.
-- SearchStore repeats this expression exactly, so the planner uses the index.
CREATE INDEX statuses_search ON statuses USING gin (to_tsvector('simple', spoiler_text || ' ' ||
    CASE WHEN text <> '' THEN text ELSE regexp_replace(content, '<[^>]*>', ' ', 'g') END))
  WHERE deleted_at IS NULL AND reblog_of_id IS NULL;

-- Accounts by username prefix and by the words of their display name; hashtags by name prefix.
CREATE INDEX accounts_username_prefix ON accounts (lower(username) text_pattern_ops);
CREATE INDEX accounts_display_name_words ON accounts USING gin (to_tsvector('simple', display_name));
CREATE INDEX tags_name_prefix ON tags (lower(name) text_pattern_ops);
