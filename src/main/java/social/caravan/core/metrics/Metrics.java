package social.caravan.core.metrics;

import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import social.caravan.core.http.ApiException;

/**
 * The Prometheus registry. {@code /metrics} is not public: it answers on the main port only to a
 * request bearing CARAVAN_METRICS_TOKEN, and without a token on CARAVAN_METRICS_PORT.
 */
public final class Metrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Optional<String> token;

    public Metrics(Optional<String> token) {
        this.token = token;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The handler on the main port: a bearer token is required, and unknown without one configured. */
    public void guardedScrape(Context ctx) {
        String header = ctx.header("Authorization");
        boolean allowed = token.isPresent() && header != null
                && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
                        ("Bearer " + token.get()).getBytes(StandardCharsets.UTF_8));
        if (!allowed) {
            throw new ApiException(404, "Not found");
        }
        scrape(ctx);
    }

    public void scrape(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
    }
}
