package social.caravan.core.queue;

import java.net.InetAddress;
import java.util.concurrent.ThreadLocalRandom;

/** Names a worker so an operator can tell which host and process holds a job: host:pid:random. */
final class WorkerIds {
    private WorkerIds() {}

    static String next() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown";
        }
        return host + ":" + ProcessHandle.current().pid() + ":" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
    }
}
