package io.latencylib.pulsar.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The few calls of Pulsar's admin REST API the adapter makes (topics, broker configuration), over
 * plain HTTP: no admin client on the application's classpath. Internal.
 */
public final class PulsarAdminHttp {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private PulsarAdminHttp() {
    }

    /**
     * The web service URL of a broker by Pulsar's default ports: {@code pulsar://host:6650} gives
     * {@code http://host:8080}, {@code pulsar+ssl://host:6651} gives {@code https://host:8443} (the
     * first host of a list); null when the service URL is not of those forms.
     */
    public static String defaultHttpUrl(String serviceUrl) {
        if (serviceUrl == null) {
            return null;
        }
        String scheme;
        String port;
        String rest;
        if (serviceUrl.startsWith("pulsar://")) {
            scheme = "http://";
            port = ":8080";
            rest = serviceUrl.substring("pulsar://".length());
        } else if (serviceUrl.startsWith("pulsar+ssl://")) {
            scheme = "https://";
            port = ":8443";
            rest = serviceUrl.substring("pulsar+ssl://".length());
        } else {
            return null;
        }
        String hostPort = rest.split("[,/]")[0];
        int colon = hostPort.lastIndexOf(':');
        String host = colon > 0 && !hostPort.endsWith("]") ? hostPort.substring(0, colon) : hostPort;
        return host.isEmpty() ? null : scheme + host + port;
    }

    /** @return the REST path of a topic, {@code persistent://t/n/x} → {@code persistent/t/n/x} */
    public static String topicPath(String topic) {
        String full = topic.contains("://") ? topic : "persistent://public/default/" + topic;
        return full.replace("://", "/");
    }

    /**
     * Creates a topic: partitioned with {@code partitions} &gt; 1 (or when {@code partitioned}), else
     * non-partitioned.
     *
     * @return the HTTP status (2xx created, 409 it exists already)
     * @throws IllegalStateException when the broker refuses for another reason or does not answer
     */
    public static int createTopic(String httpUrl, String topic, int partitions, boolean partitioned) {
        String path = "/admin/v2/" + topicPath(topic) + (partitioned ? "/partitions" : "");
        HttpResponse<String> response = send(httpUrl, "PUT", path, partitioned ? Integer.toString(partitions) : "");
        int status = response.statusCode();
        if (status / 100 != 2 && status != 409) {
            throw new IllegalStateException("could not create " + (partitioned ? "partitioned topic" : "topic") + " '"
                    + topic + "' through " + httpUrl + ": HTTP " + status + " " + response.body()
                    + (status == 404 ? " (does its tenant and namespace exist?)" : ""));
        }
        return status;
    }

    /** Deletes a topic and its subscriptions, even with clients still connected. */
    public static void deleteTopic(String httpUrl, String topic, boolean partitioned) {
        String path = "/admin/v2/" + topicPath(topic) + (partitioned ? "/partitions" : "") + "?force=true";
        HttpResponse<String> response = send(httpUrl, "DELETE", path, null);
        if (response.statusCode() / 100 != 2 && response.statusCode() != 404) {
            throw new IllegalStateException("could not delete topic '" + topic + "' through " + httpUrl + ": HTTP "
                    + response.statusCode() + " " + response.body());
        }
    }

    /**
     * Sends one request.
     *
     * @throws IllegalStateException when the broker does not answer
     */
    public static HttpResponse<String> send(String httpUrl, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(strip(httpUrl) + path)).timeout(TIMEOUT);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the Pulsar admin API at " + httpUrl + " does not answer: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling the Pulsar admin API at " + httpUrl, e);
        }
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
