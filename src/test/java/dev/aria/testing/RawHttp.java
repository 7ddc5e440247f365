package dev.aria.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * HTTP/1.1 over a plain socket, for requests no well-behaved client sends: bodies larger than the server accepts,
 * headers and request lines over its limits, connections closed half-way.
 */
public final class RawHttp {

    /** A response as read off the wire; {@code body} is de-chunked. */
    public record Reply(int status, Map<String, String> headers, byte[] body) {

        /** The Content-Type header, or {@code null}. */
        public String contentType() {
            return headers.get("content-type");
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private RawHttp() {
    }

    /**
     * Sends {@code head} (request line and headers, ending with an empty line), lets {@code body} write what it will
     * on another thread (failures to write, e.g. because the server closed the connection, are ignored), and reads
     * the response until the server closes the connection.
     */
    public static Reply exchange(String host, int port, String head, Consumer<OutputStream> body) {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    body.accept(out);
                    out.flush();
                } catch (RuntimeException | IOException e) {
                    // the server may refuse and close before the body is sent: that is what is being tested
                }
            });
            Reply reply = read(socket.getInputStream());
            writing.cancel(true);
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens a connection, sends {@code head} (request line and headers, ending with an empty line) and {@code body},
     * and returns the still-open socket, which reads time out after 30 s.
     */
    public static Socket send(String host, int port, String head, byte[] body) throws IOException {
        Socket socket = new Socket(host, port);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        return socket;
    }

    /** Reads the status line and headers of a response, then its body: by length, chunked, or to the end. */
    public static Reply read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = headers(in);
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int size = nextChunk(in); size > 0; size = nextChunk(in)) {
                all.write(in.readNBytes(size));
                line(in);
            }
            body = all.toByteArray();
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length").trim()));
        } else {
            body = in.readAllBytes();
        }
        return new Reply(status, headers, body);
    }

    /** Reads header lines up to the empty line; names lower-cased. */
    public static Map<String, String> headers(InputStream in) throws IOException {
        Map<String, String> headers = new TreeMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    /** The size of the next chunk of a chunked body (reads its size line). */
    public static int nextChunk(InputStream in) throws IOException {
        String size = line(in);
        if (size == null) {
            return 0;
        }
        int semicolon = size.indexOf(';');
        return Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
    }

    /** One CRLF-terminated line, without the CRLF; {@code null} at the end of the stream. */
    public static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
