package social.caravan.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Many WebSocket clients of /api/v1/streaming?stream=public, as light as they can be: a blocking
 * handshake each, then two selector threads read everything and look for the expected text in the
 * raw bytes (frames from a server are not masked, so a text frame's payload is there as sent). The
 * first match of each connection records its arrival time.
 */
final class RawClients implements AutoCloseable {
    private static final int OPENING = 200;
    private static final int READERS = 2;

    private final List<SocketChannel> channels = new ArrayList<>();
    private final List<Selector> selectors = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLongArray received;
    private volatile byte[] expected = "\u0000never".getBytes(StandardCharsets.UTF_8);
    private volatile boolean running = true;

    /** What a connection carries over from its last read, so text split between two reads is still found. */
    private static final class Tail {
        final int slot;
        byte[] bytes = new byte[0];

        Tail(int slot) {
            this.slot = slot;
        }
    }

    private RawClients(AtomicLongArray received) {
        this.received = received;
    }

    static RawClients open(int port, List<String> tokens, AtomicLongArray received) throws Exception {
        RawClients clients = new RawClients(received);
        for (int i = 0; i < READERS; i++) {
            clients.selectors.add(Selector.open());
        }
        Semaphore opening = new Semaphore(OPENING);
        List<Future<SocketChannel>> opened = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String token : tokens) {
                opening.acquire();
                opened.add(pool.submit(() -> {
                    try {
                        return handshake(port, token);
                    } finally {
                        opening.release();
                    }
                }));
            }
        }
        for (int i = 0; i < opened.size(); i++) {
            try {
                SocketChannel channel = opened.get(i).get();
                channel.configureBlocking(false);
                Selector selector = clients.selectors.get(i % READERS);
                channel.register(selector, SelectionKey.OP_READ, new Tail(i));
                clients.channels.add(channel);
            } catch (Exception e) {
                // a failed connection is counted by the caller from size()
            }
        }
        for (Selector selector : clients.selectors) {
            clients.threads.add(Thread.ofPlatform().name("bench-reader").daemon().start(() -> clients.read(selector)));
        }
        return clients;
    }

    private static SocketChannel handshake(int port, String token) throws IOException {
        SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        channel.write(ByteBuffer.wrap(("GET /api/v1/streaming?stream=public&access_token=" + token + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer answer = ByteBuffer.allocate(4096);
        String text = "";
        while (!text.contains("\r\n\r\n")) {
            if (channel.read(answer) < 0) {
                throw new IOException("closed during the handshake");
            }
            text = new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
        }
        if (!text.startsWith("HTTP/1.1 101")) {
            channel.close();
            throw new IOException("handshake refused: " + text.lines().findFirst().orElse(""));
        }
        return channel;
    }

    int size() {
        return channels.size();
    }

    /** From now on, arrivals of {@code text} are recorded. */
    void expect(String text) {
        expected = text.getBytes(StandardCharsets.UTF_8);
    }

    private void read(Selector selector) {
        ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
        while (running) {
            try {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    Tail tail = (Tail) key.attachment();
                    buffer.clear();
                    buffer.put(tail.bytes);
                    int n = ((SocketChannel) key.channel()).read(buffer);
                    if (n < 0) {
                        key.cancel();
                        continue;
                    }
                    byte[] wanted = expected;
                    if (indexOf(buffer.array(), buffer.position(), wanted) >= 0) {
                        received.compareAndSet(tail.slot, 0, System.nanoTime());
                    }
                    int keep = Math.min(buffer.position(), wanted.length - 1);
                    tail.bytes = java.util.Arrays.copyOfRange(buffer.array(), buffer.position() - keep, buffer.position());
                }
                selector.selectedKeys().clear();
            } catch (IOException e) {
                if (running) {
                    System.err.println("reader: " + e.getMessage());
                }
            }
        }
    }

    private static int indexOf(byte[] data, int length, byte[] wanted) {
        outer:
        for (int i = 0; i <= length - wanted.length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (data[i + j] != wanted[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        running = false;
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (SocketChannel channel : channels) {
            channel.close();
        }
        for (Selector selector : selectors) {
            selector.close();
        }
    }
}
