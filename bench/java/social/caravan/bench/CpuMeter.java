package social.caravan.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * CPU time used while a run lasts, from /proc (Linux): the whole machine, this JVM (the server and,
 * with the Java client, the load generator), the PostgreSQL processes, and an optional other
 * process (wrk). Tells, per request, who spends the two cores.
 */
final class CpuMeter {
    private static final double TICK = 100.0; // USER_HZ on Linux
    private final long otherPid;
    private final Sample start;

    private record Sample(long nanos, double machineBusy, double machineTotal, double jvm, double postgres, double other) {}

    /** The other process's CPU, sampled while it runs (its /proc entry is gone once it exits). */
    private volatile double otherLast;

    private CpuMeter(long otherPid) {
        this.otherPid = otherPid;
        this.start = sample();
        if (otherPid > 0) {
            Thread.ofPlatform().daemon().name("cpu-sampler").start(() -> {
                while (ProcessHandle.of(otherPid).map(ProcessHandle::isAlive).orElse(false)) {
                    double v = processSeconds(otherPid);
                    if (v > 0) {
                        otherLast = v;
                    }
                    TimelineBench.sleep(100);
                }
            });
        }
    }

    static CpuMeter start(long otherPid) {
        return new CpuMeter(otherPid);
    }

    /** "CPU: machine 97% busy; per request: JVM 0.52 ms, PostgreSQL 0.61 ms, wrk 0.05 ms". */
    String report(long requests, String otherName) {
        Sample end = sample();
        double busy = end.machineBusy() - start.machineBusy();
        double total = end.machineTotal() - start.machineTotal();
        double perRequest = 1000.0 / Math.max(1, requests);
        double jvm = end.jvm() - start.jvm();
        double postgres = end.postgres() - start.postgres();
        double otherSeconds = otherPid > 0 ? Math.max(end.other(), otherLast) - start.other() : 0;
        double rest = busy - jvm - postgres - otherSeconds;
        String other = otherPid > 0 ? String.format(Locale.ROOT, ", %s %.3f ms", otherName, otherSeconds * perRequest) : "";
        return String.format(Locale.ROOT, "CPU: machine %.0f%% busy (of %d cores); CPU time per request: JVM %.3f ms,"
                        + " PostgreSQL %.3f ms%s, anything else %.3f ms",
                total == 0 ? 0 : 100.0 * busy / total, Runtime.getRuntime().availableProcessors(),
                jvm * perRequest, postgres * perRequest, other, Math.max(0, rest) * perRequest);
    }

    private Sample sample() {
        double busy = 0;
        double total = 0;
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            for (int i = 1; i < cpu.length && i <= 8; i++) {
                long v = Long.parseLong(cpu[i]);
                total += v;
                if (i != 4 && i != 5) { // idle, iowait
                    busy += v;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the report shows zeros
        }
        return new Sample(System.nanoTime(), busy / TICK, total / TICK, processSeconds(ProcessHandle.current().pid()),
                postgresSeconds(), otherPid > 0 ? processSeconds(otherPid) : 0);
    }

    private static long parent(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    }

    /** utime + stime of a process, in seconds; 0 when it is gone. */
    static double processSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICK;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The bench's own PostgreSQL (its postmaster and the postmaster's children); 0: every process named postgres. */
    static volatile long postmasterPid;

    private static double postgresSeconds() {
        double sum = 0;
        long postmaster = postmasterPid;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    long pid = Long.parseLong(name);
                    if (postmaster > 0 ? pid == postmaster || parent(pid) == postmaster
                            : Files.readString(p.resolve("comm")).trim().equals("postgres")) {
                        sum += processSeconds(pid);
                    }
                } catch (IOException | RuntimeException e) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return sum;
    }
}
