-- An account's filters are cached by every process that renders statuses (filters/FilterService):
-- any change to a filter, its keywords or its statuses tells them, as V009's triggers do, with
-- 'f:<account id>'.

CREATE TRIGGER custom_filters_cache AFTER INSERT OR UPDATE OR DELETE ON custom_filters
  FOR EACH ROW EXECUTE FUNCTION notify_cache('f', 'account_id');

-- Keywords and statuses name their filter, not its owner.
CREATE FUNCTION notify_filter_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('caravan_cache', 'f:' || f.account_id)
     FROM custom_filters f
    WHERE f.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.custom_filter_id ELSE NEW.custom_filter_id END;
  RETURN NULL;
END $$;

CREATE TRIGGER custom_filter_keywords_cache AFTER INSERT OR UPDATE OR DELETE ON custom_filter_keywords
  FOR EACH ROW EXECUTE FUNCTION notify_filter_owner();
CREATE TRIGGER custom_filter_statuses_cache AFTER INSERT OR UPDATE OR DELETE ON custom_filter_statuses
  FOR EACH ROW EXECUTE FUNCTION notify_filter_owner();
