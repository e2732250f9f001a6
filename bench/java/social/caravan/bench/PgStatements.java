package social.caravan.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jdbi.v3.core.Jdbi;

/**
 * pg_stat_statements, when the server preloads it (the embedded one does): off during the load
 * runs, on while the profile runs, so its cost never shows in the throughput and latency figures.
 */
final class PgStatements {
    private PgStatements() {}

    static boolean available(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM pg_settings WHERE name = 'pg_stat_statements.track'")
                .mapTo(Integer.class).one() > 0);
    }

    static void off(Jdbi jdbi) {
        if (available(jdbi)) {
            jdbi.useHandle(h -> {
                h.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                h.execute("ALTER SYSTEM SET pg_stat_statements.track = 'none'");
                h.execute("ALTER SYSTEM SET pg_stat_statements.track_planning = off");
                h.execute("SELECT pg_reload_conf()");
            });
            TimelineBench.sleep(200);
        }
    }

    /** Switches tracking on, with planning, from an empty slate; false when the extension is not there. */
    static boolean on(Jdbi jdbi) {
        if (!available(jdbi)) {
            return false;
        }
        jdbi.useHandle(h -> {
            h.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            h.execute("ALTER SYSTEM SET pg_stat_statements.track = 'top'");
            h.execute("ALTER SYSTEM SET pg_stat_statements.track_planning = on");
            h.execute("SELECT pg_reload_conf()");
        });
        TimelineBench.sleep(300);
        jdbi.useHandle(h -> h.execute("SELECT pg_stat_statements_reset()"));
        return true;
    }

    /** The statements of the requests, by total time (planning + execution), per request. */
    static List<String> report(Jdbi jdbi, int requests) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "    %8s %8s %10s %10s %8s %8s  %s", "calls/rq", "plans/rq", "plan ms/rq",
                "exec ms/rq", "rows/call", "hits/call", "statement"));
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT calls, plans, total_plan_time, total_exec_time, rows, shared_blks_hit,
                               regexp_replace(query, '\\s+', ' ', 'g') AS q
                          FROM pg_stat_statements
                         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                           AND query NOT ILIKE '%pg_stat_statements%' AND query NOT ILIKE 'ALTER SYSTEM%'
                         ORDER BY total_plan_time + total_exec_time DESC LIMIT 30""")
                .map((rs, ctx) -> {
                    String q = rs.getString("q").trim();
                    return String.format(Locale.ROOT, "    %8.2f %8.2f %10.3f %10.3f %8.1f %8.0f  %s",
                            rs.getLong("calls") / (double) requests, rs.getLong("plans") / (double) requests,
                            rs.getDouble("total_plan_time") / requests, rs.getDouble("total_exec_time") / requests,
                            rs.getLong("rows") / (double) Math.max(1, rs.getLong("calls")),
                            rs.getLong("shared_blks_hit") / (double) Math.max(1, rs.getLong("calls")),
                            q.length() > 90 ? q.substring(0, 90) + " ..." : q);
                })
                .forEach(lines::add));
        jdbi.useHandle(h -> h.createQuery("""
                        SELECT sum(calls), sum(plans), sum(total_plan_time), sum(total_exec_time) FROM pg_stat_statements
                         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                           AND query NOT ILIKE '%pg_stat_statements%' AND query NOT ILIKE 'ALTER SYSTEM%'""")
                .map((rs, ctx) -> String.format(Locale.ROOT, "    %8.2f %8.2f %10.3f %10.3f  all statements (BEGIN/COMMIT included)",
                        rs.getLong(1) / (double) requests, rs.getLong(2) / (double) requests, rs.getDouble(3) / requests,
                        rs.getDouble(4) / requests))
                .forEach(lines::add));
        return lines;
    }
}
