package social.caravan.instance;

import java.util.List;
import org.jdbi.v3.core.Handle;

/** SQL for the instance_rules table. */
final class InstanceStore {

    List<Rule> rules(Handle h) {
        return h.createQuery("SELECT id, text, hint FROM instance_rules ORDER BY position, id")
                .map((rs, ctx) -> new Rule(rs.getLong("id"), rs.getString("text"), rs.getString("hint"))).list();
    }

    long addRule(Handle h, String text, String hint) {
        return h.createQuery("""
                        INSERT INTO instance_rules (text, hint, position)
                        VALUES (:text, :hint, (SELECT coalesce(max(position), 0) + 1 FROM instance_rules))
                        RETURNING id""")
                .bind("text", text).bind("hint", hint).mapTo(Long.class).one();
    }

    boolean removeRule(Handle h, long id) {
        return h.createUpdate("DELETE FROM instance_rules WHERE id = :id").bind("id", id).execute() > 0;
    }
}
