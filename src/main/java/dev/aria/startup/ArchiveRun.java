package dev.aria.startup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.jboss.logging.Logger;

import io.quarkus.vertx.http.HttpServer;

/**
 * The requests the class-data archive run ({@code aria.exit-when-ready}) sends to the service itself once its models
 * are ready: readiness, the page and an example painting, its emotion, and a short generation. The JVM archives
 * every class loaded by the time it exits, so that these paths start from the archive too, not only the start-up.
 */
final class ArchiveRun {

    private static final Logger LOG = Logger.getLogger(ArchiveRun.class);
    private static final String BOUNDARY = "aria-archive-run";

    private ArchiveRun() {
    }

    /** Sends the requests; false (and logged) when one fails or answers other than 200. */
    static boolean requests(HttpServer http) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        String base = "http://localhost:" + http.getPort();
        try {
            get(client, base + "/q/health/ready");
            get(client, base + "/");
            byte[] painting = get(client, base + "/examples/the-scream.jpg");
            post(client, base + "/emotion", Map.of(), "image", painting);
            post(client, base + "/generate", Map.of("valence", "0.5", "arousal", "0.5", "gen_len", "64"), null, null);
            LOG.info("Every model is ready and answered; exiting (aria.exit-when-ready)");
            return true;
        } catch (IOException e) {
            LOG.error("The archive run's requests failed (aria.exit-when-ready)", e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static byte[] get(HttpClient client, String url) throws IOException, InterruptedException {
        return send(client, HttpRequest.newBuilder(URI.create(url)).GET());
    }

    private static byte[] post(HttpClient client, String url, Map<String, String> fields, String fileField,
            byte[] file) throws IOException, InterruptedException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Map.Entry<String, String> f : fields.entrySet()) {
            body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + f.getKey()
                    + "\"\r\n\r\n" + f.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (fileField != null) {
            body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + fileField
                    + "\"; filename=\"" + fileField + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.writeBytes(file);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(client, HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    private static byte[] send(HttpClient client, HttpRequest.Builder request) throws IOException,
            InterruptedException {
        HttpResponse<byte[]> response = client.send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException(response.request().method() + " " + response.uri() + " answered "
                    + response.statusCode());
        }
        return response.body();
    }
}
