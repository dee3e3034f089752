package io.pgfleet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.pgfleet.events.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code status} in each output format, against an HTTP server that answers as the three services' views do. */
class StatusCliTest {

    private HttpServer views;

    @BeforeEach
    void start() throws Exception {
        Map<String, String> answers = Map.of(
                "/p/instances/default/shop", "{\"phase\":\"READY\",\"message\":\"1 of 1 members ready\",\"observed\":{\"members\":"
                        + "[{\"name\":\"shop-1\",\"role\":\"primary\",\"host\":\"127.0.0.1\",\"port\":5433,\"state\":\"running\"}],"
                        + "\"poolers\":[{\"pool\":\"rw\",\"host\":\"127.0.0.1\",\"port\":6433,\"state\":\"running\"}]}}",
                "/u/instances/default/shop", "{\"users\":[{\"name\":\"app\",\"memberOf\":[\"shop_admin\"]}],\"databases\":[]}",
                "/b/instances/default/shop", "{\"enabled\":false,\"s3Bucket\":\"bk\"}",
                "/b/instances/default/shop/backups", "[]");
        views = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        views.createContext("/", exchange -> {
            String body = answers.get(exchange.getRequestURI().getPath());
            byte[] bytes = (body == null ? "" : body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : bytes.length);
            if (body != null) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        views.start();
    }

    @AfterEach
    void stop() {
        views.stop(0);
    }

    private String status(String... format) {
        String base = "http://127.0.0.1:" + views.getAddress().getPort();
        StringWriter out = new StringWriter();
        String[] args = new String[8 + format.length];
        System.arraycopy(new String[] {"status", "shop", "--provisioner-url", base + "/p", "--user-manager-url", base + "/u",
                "--backup-worker-url", base + "/b"}, 0, args, 0, 8);
        System.arraycopy(format, 0, args, 8, format.length);
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), withToken(args));
        assertThat(code).isZero();
        return out.toString();
    }

    private static String[] withToken(String[] args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--token";
        all[args.length + 1] = "t";
        return all;
    }

    @Test
    void theThreeViewsAreOneDocumentInJsonAndYamlAndLinesInATable() throws Exception {
        assertThat(status()).contains("instance   default/shop", "cluster    READY: 1 of 1 members ready", "user       app",
                "pooler     rw  127.0.0.1:6433 running");
        JsonNode json = Json.mapper().readTree(status("-o", "json"));
        JsonNode yaml = Json.yamlMapper().readTree(status("-o", "yaml"));
        assertThat(json).isEqualTo(yaml);
        assertThat(Json.mapper().readTree(status("--json"))).isEqualTo(json);
        assertThat(json.path("instance").asText()).isEqualTo("default/shop");
        assertThat(json.path("cluster").path("observed").path("members").get(0).path("name").asText()).isEqualTo("shop-1");
        assertThat(json.path("access").path("users").get(0).path("name").asText()).isEqualTo("app");
        assertThat(json.path("backups").isArray()).isTrue();
    }
}
