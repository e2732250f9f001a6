package social.caravan.instance;

import java.util.List;
import org.jdbi.v3.core.Jdbi;
import social.caravan.core.http.ApiException;

/** The server's rules, kept in the database and managed by operators from the command line. */
public final class InstanceService {
    private final Jdbi jdbi;
    private final InstanceStore store = new InstanceStore();

    public InstanceService(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public List<Rule> rules() {
        return jdbi.withHandle(store::rules);
    }

    public long addRule(String text, String hint) {
        if (text == null || text.isBlank()) {
            throw ApiException.unprocessable("A rule needs a text");
        }
        return jdbi.withHandle(h -> store.addRule(h, text.strip(), hint == null ? "" : hint.strip()));
    }

    public void removeRule(long id) {
        if (!jdbi.withHandle(h -> store.removeRule(h, id))) {
            throw ApiException.notFound();
        }
    }
}
