package dev.stepchat.file;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.UUID;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.stepchat.config.FilesConfig;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * An S3-compatible object store (AWS S3, MinIO, Ceph, R2...) for operators whose files outgrow the
 * database: one object per file, {@code <prefix><id>}, written from the upload's checked local
 * copy and read as a stream. The client is made on first use, so that a service on the
 * PostgreSQL store needs no S3 configuration.
 */
@ApplicationScoped
class S3FileStore implements FileStore {

    static final String NAME = "s3";

    private final FilesConfig.S3 config;
    private volatile S3Client client;

    S3FileStore(FilesConfig config) {
        this.config = config.s3();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void put(UUID id, Path content, long size) {
        client().putObject(b -> b.bucket(bucket()).key(key(id)).contentLength(size), RequestBody.fromFile(content));
    }

    @Override
    public InputStream open(UUID id) throws IOException {
        try {
            return client().getObject(b -> b.bucket(bucket()).key(key(id)));
        } catch (NoSuchKeyException gone) {
            throw new IOException("No object " + key(id) + " in bucket " + bucket(), gone);
        }
    }

    @Override
    public void delete(UUID id) {
        client().deleteObject(b -> b.bucket(bucket()).key(key(id)));
    }

    private String key(UUID id) {
        return config.prefix() + id;
    }

    private String bucket() {
        return config.bucket()
                .orElseThrow(() -> new IllegalStateException(
                        "stepchat.files.s3.bucket (STEPCHAT_FILES_S3_BUCKET) must be set to use the S3 file store"));
    }

    private S3Client client() {
        S3Client made = client;
        if (made == null) {
            synchronized (this) {
                if (client == null) {
                    client = build();
                }
                made = client;
            }
        }
        return made;
    }

    private S3Client build() {
        AwsCredentialsProvider credentials = config.accessKeyId().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        config.accessKeyId().get(),
                        config.secretAccessKey()
                                .orElseThrow(() -> new IllegalStateException(
                                        "stepchat.files.s3.secret-access-key must be set with the access key id"))))
                : DefaultCredentialsProvider.builder().build();
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(config.pathStyle());
        config.endpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
        return builder.build();
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }
}
