-- Every process keeps caches of statuses, viewers' flags and accounts (core/cache). These triggers
-- tell all of them, through NOTIFY caravan_cache, which row changed: '<kind>:<id>', where the kind is
-- s (a status: its row, mentions and tags, or its counts), v (a viewer's favourites, boosts,
-- bookmarks, pins or muted conversations) or a (an account: profile, role or counts).
-- PostgreSQL sends them at commit, once per distinct payload in a transaction.

CREATE FUNCTION notify_cache() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
  PERFORM pg_notify('caravan_cache', TG_ARGV[0] || ':' || (changed ->> TG_ARGV[1]));
  RETURN NULL;
END $$;

CREATE TRIGGER statuses_cache AFTER UPDATE ON statuses
  FOR EACH ROW EXECUTE FUNCTION notify_cache('s', 'id');
CREATE TRIGGER status_stats_cache AFTER INSERT OR UPDATE ON status_stats
  FOR EACH ROW EXECUTE FUNCTION notify_cache('s', 'status_id');

-- A boost made or undone (boosts are deleted by setting deleted_at) changes its author's
-- "reblogged" flag on the original.
CREATE TRIGGER boosts_flags_cache AFTER INSERT OR UPDATE ON statuses
  FOR EACH ROW WHEN (NEW.reblog_of_id IS NOT NULL)
  EXECUTE FUNCTION notify_cache('v', 'account_id');
CREATE TRIGGER favourites_cache AFTER INSERT OR DELETE ON favourites
  FOR EACH ROW EXECUTE FUNCTION notify_cache('v', 'account_id');
CREATE TRIGGER bookmarks_cache AFTER INSERT OR DELETE ON bookmarks
  FOR EACH ROW EXECUTE FUNCTION notify_cache('v', 'account_id');
CREATE TRIGGER status_pins_cache AFTER INSERT OR DELETE ON status_pins
  FOR EACH ROW EXECUTE FUNCTION notify_cache('v', 'account_id');
CREATE TRIGGER conversation_mutes_cache AFTER INSERT OR DELETE ON conversation_mutes
  FOR EACH ROW EXECUTE FUNCTION notify_cache('v', 'account_id');

CREATE TRIGGER accounts_cache AFTER UPDATE OR DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION notify_cache('a', 'id');
CREATE TRIGGER users_cache AFTER UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION notify_cache('a', 'account_id');
CREATE TRIGGER account_stats_cache AFTER INSERT OR UPDATE ON account_stats
  FOR EACH ROW EXECUTE FUNCTION notify_cache('a', 'account_id');
