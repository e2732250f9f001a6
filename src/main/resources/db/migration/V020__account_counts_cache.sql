-- An account's counts change with every post it makes, its profile seldom. Counts get a cache kind of
-- their own, c, so a post leaves the cached profile (and the key its signatures are checked with) in place.
DROP TRIGGER account_stats_cache ON account_stats;
CREATE TRIGGER account_stats_cache AFTER INSERT OR UPDATE ON account_stats
  FOR EACH ROW EXECUTE FUNCTION notify_cache('c', 'account_id');
