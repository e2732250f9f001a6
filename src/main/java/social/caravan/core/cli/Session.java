package social.caravan.core.cli;

import java.util.function.ToIntFunction;

/**
 * How an operator command reaches its service: {@code caravan} opens the App (the database, no
 * HTTP), runs the chore and closes it; tests hand in a running server's service. The chore returns
 * the command's exit code.
 */
@FunctionalInterface
public interface Session<S> {
    int run(ToIntFunction<S> chore);
}
