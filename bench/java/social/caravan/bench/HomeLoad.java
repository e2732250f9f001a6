package social.caravan.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import social.caravan.App;
import social.caravan.core.json.Json;
import tools.jackson.databind.JsonNode;

/** Load on GET /api/v1/timelines/home?limit=40: a check pass, closed-loop throughput, open-loop latency. */
final class HomeLoad {
    static final double THROUGHPUT_TARGET = 1_500;
    static final double P99_TARGET_MS = 50;

    private final String url;
    private final List<String> tokens;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final RawHttp raw;

    HomeLoad(String url, List<String> tokens) {
        this.url = url;
        this.tokens = tokens;
        this.raw = new RawHttp(url);
    }

    private HttpRequest request(String token) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(30)).GET().build();
    }

    /**
     * Every reader's home once (the first read of the day records activity: one UPDATE each), then
     * again, one request at a time: status codes, statuses per page, response size, and the latency
     * of a request alone on the server.
     */
    void check(App app) {
        System.out.println();
        System.out.println("Check: every sampled reader's home timeline, one request at a time");
        for (int pass = 1; pass <= 2; pass++) {
            TreeMap<Integer, Integer> codes = new TreeMap<>();
            long[] nanos = new long[tokens.size()];
            long bytes = 0;
            int statuses = 0;
            int reblogs = 0;
            int shortPages = 0;
            for (int i = 0; i < tokens.size(); i++) {
                long start = System.nanoTime();
                HttpResponse<String> response = send(request(tokens.get(i)), HttpResponse.BodyHandlers.ofString());
                nanos[i] = System.nanoTime() - start;
                codes.merge(response.statusCode(), 1, Integer::sum);
                bytes += response.body().length();
                if (response.statusCode() / 100 == 2) {
                    JsonNode page = Json.read(response.body());
                    statuses += page.size();
                    shortPages += page.size() < 40 ? 1 : 0;
                    for (JsonNode status : page) {
                        reblogs += status.get("reblog").isNull() ? 0 : 1;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "  pass %d: status codes %s; %.1f statuses per page (%d pages under 40),"
                            + " %.0f%% of them boosts; %.0f KiB per response%n", pass, codes,
                    statuses / (double) tokens.size(), shortPages, 100.0 * reblogs / Math.max(1, statuses),
                    bytes / 1024.0 / tokens.size());
            System.out.println(Stats.line("  latency, one request at a time", nanos));
            if (codes.keySet().stream().anyMatch(c -> c != 200)) {
                throw new IllegalStateException("the home timeline answered " + codes + ": expected only 200");
            }
        }
    }

    TimelineBench.Verdict throughput(String clientKind, int connections, int warmup, int duration) throws Exception {
        System.out.println();
        System.out.printf("Throughput: GET /api/v1/timelines/home?limit=40, %d connections, %d s warm-up, %d s measured,"
                + " %d readers' tokens in turn (client: %s)%n", connections, warmup, duration, tokens.size(), clientKind);
        double rps = clientKind.equals("java") ? javaThroughput(connections, warmup, duration)
                : wrkThroughput(connections, warmup, duration);
        return new TimelineBench.Verdict("home timeline, 40 statuses: >= 1,500 requests/s",
                String.format(Locale.ROOT, "%.0f requests/s", rps), rps >= THROUGHPUT_TARGET);
    }

    /** wrk (C, epoll): 2 threads, the connections spread over them; the tokens rotate through a Lua script. */
    private double wrkThroughput(int connections, int warmup, int duration) throws Exception {
        Path script = Path.of("target/bench/timelines/home.lua").toAbsolutePath();
        Files.createDirectories(script.getParent());
        StringBuilder lua = new StringBuilder("local tokens = {\n");
        for (String token : tokens) {
            lua.append("  \"").append(token).append("\",\n");
        }
        lua.append("""
                }
                local threads = 0
                function setup(thread)
                  thread:set("offset", threads * 7919)
                  threads = threads + 1
                end
                function init(args)
                  i = offset or 0
                end
                function request()
                  i = i + 1
                  return wrk.format("GET", nil, { ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1] })
                end
                """);
        Files.writeString(script, lua);
        runWrk(script, connections, warmup, false);
        return runWrk(script, connections, duration, true);
    }

    private double runWrk(Path script, int connections, int seconds, boolean report) throws Exception {
        Process wrk = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency", "--timeout", "10s",
                "-s", script.toString(), url).redirectErrorStream(true).start();
        CpuMeter cpu = CpuMeter.start(wrk.pid());
        String out = new String(wrk.getInputStream().readAllBytes());
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        double rps = number(out, "Requests/sec:\\s+([\\d.]+)");
        if (!report) {
            System.out.printf(Locale.ROOT, "  warm-up: %.0f requests/s%n", rps);
            return rps;
        }
        long requests = (long) number(out, "(\\d+) requests in");
        long non2xx = (long) number(out, "Non-2xx or 3xx responses: (\\d+)");
        Matcher socket = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
        long socketErrors = 0;
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(socket.group(g));
            }
        }
        StringBuilder latency = new StringBuilder();
        Matcher m = Pattern.compile("(?m)^\\s+(50|75|90|99)%\\s+([\\d.]+)(us|ms|s)\\s*$").matcher(out);
        while (m.find()) {
            double v = Double.parseDouble(m.group(2)) * switch (m.group(3)) {
                case "us" -> 0.001;
                case "s" -> 1000;
                default -> 1;
            };
            latency.append(String.format(Locale.ROOT, "  p%s %.1f ms", m.group(1), v));
        }
        double mb = transfer(out);
        System.out.printf(Locale.ROOT, "  %.0f requests/s (%d requests in %d s, %.1f MiB/s);%s; errors: %d non-2xx, %d socket%n",
                rps, requests, seconds, mb / seconds, latency, non2xx, socketErrors);
        System.out.println("  " + cpu.report(requests, "wrk"));
        return rps;
    }

    private static double transfer(String out) {
        Matcher m = Pattern.compile("requests in [\\d.]+\\w+, ([\\d.]+)(KB|MB|GB) read").matcher(out);
        if (!m.find()) {
            return 0;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "KB" -> v / 1024;
            case "GB" -> v * 1024;
            default -> v;
        };
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /**
     * The Java client (plain keep-alive sockets, {@link RawHttp}, in this JVM): one virtual thread per
     * connection, each sending its next request when the last one is answered.
     */
    private double javaThroughput(int connections, int warmup, int duration) throws InterruptedException {
        closedLoop(connections, warmup);
        CpuMeter cpu = CpuMeter.start(0);
        ClosedLoopResult r = closedLoop(connections, duration);
        double rps = r.latencies().length / (double) duration;
        System.out.printf(Locale.ROOT, "  %.0f requests/s (%d requests in %d s); errors: %d%n", rps, r.latencies().length,
                duration, r.errors());
        System.out.println(Stats.line("  latency", r.latencies()));
        System.out.println("  " + cpu.report(r.latencies().length, "") + " (the JVM includes the Java load generator)");
        return rps;
    }

    private record ClosedLoopResult(long[] latencies, long errors) {}

    private ClosedLoopResult closedLoop(int connections, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        ConcurrentLinkedQueue<long[]> results = new ConcurrentLinkedQueue<>();
        AtomicLong errors = new AtomicLong();
        AtomicInteger next = new AtomicInteger(ThreadLocalRandom.current().nextInt(tokens.size()));
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                long[] mine = new long[1 << 16];
                int n = 0;
                while (System.nanoTime() < deadline) {
                    long start = System.nanoTime();
                    try {
                        if (raw.get(tokens.get(Math.floorMod(next.getAndIncrement(), tokens.size()))) != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                    }
                    if (n == mine.length) {
                        mine = Arrays.copyOf(mine, n * 2);
                    }
                    mine[n++] = System.nanoTime() - start;
                }
                results.add(Arrays.copyOf(mine, n));
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return new ClosedLoopResult(results.stream().flatMapToLong(Arrays::stream).toArray(), errors.get());
    }

    /**
     * Open loop: request i is due at start + i / rate, whether or not earlier ones were answered, and
     * its latency counts from when it was due (no coordinated omission). Each request runs on its
     * own virtual thread, so a slow answer never delays the next request.
     */
    TimelineBench.Verdict latency(int rate, int duration) throws InterruptedException {
        System.out.println();
        System.out.printf("Latency: open loop at %d requests/s, 5 s warm-up, %d s measured; client: plain keep-alive"
                + " sockets on virtual threads in the server's JVM%n", rate, duration);
        openLoop(rate, 5);
        CpuMeter cpu = CpuMeter.start(0);
        OpenLoopResult r = openLoop(rate, duration);
        System.out.printf(Locale.ROOT, "  %d requests, achieved %.1f requests/s, errors: %d%n", r.latencies().length,
                r.latencies().length / (double) duration, r.errors());
        System.out.println(Stats.line("  latency (from the due time)", r.latencies()));
        System.out.println("  " + cpu.report(r.latencies().length, "") + " (the JVM includes the load generator)");
        System.out.println("  " + gc());
        double p99 = Stats.percentileMillis(r.latencies(), 99);
        return new TimelineBench.Verdict("p99 under 50 ms at " + rate + " requests/s",
                String.format(Locale.ROOT, "p99 %.1f ms", p99), p99 < P99_TARGET_MS && r.errors() == 0);
    }

    private record OpenLoopResult(long[] latencies, long errors) {}

    private OpenLoopResult openLoop(int rate, int seconds) throws InterruptedException {
        int total = rate * seconds;
        long period = 1_000_000_000L / rate;
        long[] latencies = new long[total];
        AtomicLong errors = new AtomicLong();
        Thread[] threads = new Thread[total];
        long start = System.nanoTime() + 10_000_000L;
        for (int i = 0; i < total; i++) {
            long due = start + i * period;
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            int index = i;
            String token = tokens.get(ThreadLocalRandom.current().nextInt(tokens.size()));
            threads[i] = Thread.ofVirtual().start(() -> {
                try {
                    if (raw.get(token) != 200) {
                        errors.incrementAndGet();
                    }
                } catch (IOException e) {
                    errors.incrementAndGet();
                }
                latencies[index] = System.nanoTime() - due;
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        return new OpenLoopResult(latencies, errors.get());
    }

    /** Young and old collections so far (G1): counts and total pause time, from the JVM's own beans. */
    static String gc() {
        StringBuilder sb = new StringBuilder("GC so far:");
        for (java.lang.management.GarbageCollectorMXBean bean : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            sb.append(String.format(Locale.ROOT, " %s %d collections %d ms;", bean.getName(), bean.getCollectionCount(),
                    bean.getCollectionTime()));
        }
        return sb.toString();
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request, handler);
        } catch (IOException e) {
            throw TimelineBench.unchecked(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
