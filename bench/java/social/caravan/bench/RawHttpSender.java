package social.caravan.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load generator that costs next to nothing: requests serialized beforehand, written on
 * {@code connections} kept-alive sockets, one at a time on each, answers read just far enough to
 * know their status. The JDK's HttpClient used about a tenth of the two cores the server shares
 * with it; other servers, not Caravan's cores, would pay for the senders in the real world.
 */
final class RawHttpSender {
    private RawHttpSender() {}

    /** A request as bytes on the wire. */
    static byte[] request(String method, String path, String host, List<String[]> headers, byte[] body) {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(host).append("\r\n");
        for (String[] header : headers) {
            head.append(header[0]).append(": ").append(header[1]).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[start.length + body.length];
        System.arraycopy(start, 0, all, 0, start.length);
        System.arraycopy(body, 0, all, start.length, body.length);
        return all;
    }

    /** Sends every request over {@code connections} sockets to 127.0.0.1:{@code port}; counts answers by status. */
    static void send(int port, List<byte[]> requests, int connections, AtomicInteger accepted, AtomicInteger refused)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        Thread[] senders = new Thread[connections];
        for (int c = 0; c < connections; c++) {
            senders[c] = Thread.ofVirtual().start(() -> {
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setTcpNoDelay(true);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
                    for (int i = next.getAndIncrement(); i < requests.size(); i = next.getAndIncrement()) {
                        out.write(requests.get(i));
                        out.flush();
                        (status(in) == 202 ? accepted : refused).incrementAndGet();
                    }
                } catch (IOException e) {
                    refused.incrementAndGet();
                }
            });
        }
        for (Thread sender : senders) {
            sender.join();
        }
    }

    /** Reads one answer: its status line, its headers, and its body (by Content-Length, or chunked). */
    private static int status(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long length = 0;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(line(in).trim(), 16); size > 0; size = Long.parseLong(line(in).trim(), 16)) {
                in.skipNBytes(size);
                line(in);
            }
            line(in);
        } else {
            in.skipNBytes(length);
        }
        return status;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
