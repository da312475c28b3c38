package dev.stepchat.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3 server for the tests: S3Proxy (from Maven Central, copied to target/s3-server by the build)
 * on an in-memory store, run in a JVM of its own on a free port, with a bucket made for the files.
 * It hands the service the S3 store's configuration.
 */
public class S3Server implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "stepchat-files";
    public static final String ACCESS_KEY = "stepchat-test";
    public static final String SECRET_KEY = "stepchat-test-secret";

    private static final Path JAR = Path.of("target/s3-server/s3proxy.jar");

    private static String endpoint;
    private Process process;

    @Override
    public Map<String, String> start() {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the build copies it (mvn generate-test-resources)");
        }
        try {
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            endpoint = "http://127.0.0.1:" + port;
            Path properties = Files.createTempFile("s3proxy", ".properties");
            Files.writeString(
                    properties,
                    String.join(
                            "\n",
                            "s3proxy.endpoint=" + endpoint,
                            "s3proxy.authorization=aws-v2-or-v4",
                            "s3proxy.identity=" + ACCESS_KEY,
                            "s3proxy.credential=" + SECRET_KEY,
                            "jclouds.provider=transient",
                            "jclouds.identity=" + ACCESS_KEY,
                            "jclouds.credential=" + SECRET_KEY,
                            ""));
            String java = ProcessHandle.current().info().command().orElse("java");
            process = new ProcessBuilder(
                            java, "-Xmx256m", "-jar", JAR.toString(), "--properties", properties.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(Path.of("target/s3-server/s3proxy.log").toFile())
                    .start();
            awaitPort(port);
            try (S3Client s3 = client()) {
                s3.createBucket(b -> b.bucket(BUCKET));
            }
        } catch (IOException e) {
            throw new IllegalStateException("The S3 server did not start", e);
        }
        return Map.of(
                "stepchat.files.store", "s3",
                "stepchat.files.s3.bucket", BUCKET,
                "stepchat.files.s3.endpoint", endpoint,
                "stepchat.files.s3.path-style", "true",
                "stepchat.files.s3.access-key-id", ACCESS_KEY,
                "stepchat.files.s3.secret-access-key", SECRET_KEY);
    }

    private void awaitPort(int port) throws IOException {
        Instant until = Instant.now().plus(Duration.ofSeconds(60));
        while (true) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive() || Instant.now().isAfter(until)) {
                    throw new IOException("S3Proxy did not listen on " + port + "; see target/s3-server/s3proxy.log");
                }
                try {
                    process.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }
    }

    /** A client of the running server, for tests that look at what the service stored. */
    public static S3Client client() {
        return S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .endpointOverride(URI.create(endpoint))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    @Override
    public void stop() {
        if (process != null) {
            process.destroy();
        }
    }
}
