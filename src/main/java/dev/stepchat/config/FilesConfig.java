package dev.stepchat.config;

import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Uploaded files (POST /files) and where their bytes are kept. Keys start with {@code stepchat.files.}. */
@ConfigMapping(prefix = "stepchat.files")
public interface FilesConfig {

    /** The largest file accepted, in bytes (STEPCHAT_FILES_MAX_SIZE); larger: 413. */
    @WithDefault("10M")
    MemorySize maxSize();

    /**
     * Where new files' bytes go (STEPCHAT_FILES_STORE): {@code postgres} (the database, in chunks)
     * or {@code s3} (an S3-compatible object store, {@code stepchat.files.s3.*}). Files keep the
     * store they were written to.
     */
    @WithDefault("postgres")
    String store();

    /**
     * How long a file no message uses is kept (STEPCHAT_FILES_UNUSED_FOR): after it, the cleanup
     * job deletes it, bytes and all.
     */
    @WithDefault("24H")
    Duration unusedFor();

    /** How often the cleanup job runs (STEPCHAT_FILES_CLEANUP_EVERY). */
    @WithDefault("10M")
    String cleanupEvery();

    /**
     * The most image bytes one upstream request carries (STEPCHAT_FILES_MAX_REQUEST_IMAGES_SIZE):
     * StepFun asks that the images of a request stay within 20 MB. A new message over it is refused
     * (413); older messages' images count against it in the context fitting.
     */
    @WithDefault("20M")
    MemorySize maxRequestImagesSize();

    /**
     * The image bytes this replica holds in StepFun requests at once (STEPCHAT_FILES_MAX_IMAGES_IN_FLIGHT):
     * a vision turn's images are in memory (as base64) while its call runs, so this bounds what
     * vision turns cost a replica; a turn that finds it used up waits up to 10 s, then is a 503
     * overloaded.
     */
    @WithDefault("128M")
    MemorySize maxImagesInFlight();

    /**
     * Tokens an image is counted as in the context fitting (STEPCHAT_FILES_IMAGE_TOKENS): StepFun
     * documents no fixed count (it scales each image to a size of its choosing), so a configured
     * estimate.
     */
    @WithDefault("1600")
    int imageTokens();

    /** The S3 store. */
    S3 s3();

    interface S3 {
        /** The bucket (STEPCHAT_FILES_S3_BUCKET); required with {@code store=s3}. */
        Optional<String> bucket();

        /** A key prefix for the objects (STEPCHAT_FILES_S3_PREFIX). */
        @WithDefault("files/")
        String prefix();

        /** The region (STEPCHAT_FILES_S3_REGION). */
        @WithDefault("us-east-1")
        String region();

        /**
         * Another S3-compatible service than AWS (MinIO, Ceph, R2...): its URL
         * (STEPCHAT_FILES_S3_ENDPOINT).
         */
        Optional<String> endpoint();

        /** Path-style URLs (bucket in the path), as most non-AWS services want (STEPCHAT_FILES_S3_PATH_STYLE). */
        @WithDefault("false")
        boolean pathStyle();

        /**
         * Static credentials (STEPCHAT_FILES_S3_ACCESS_KEY_ID and STEPCHAT_FILES_S3_SECRET_ACCESS_KEY);
         * without them, the AWS SDK's default chain (environment, web identity on Kubernetes, instance profile).
         */
        Optional<String> accessKeyId();

        Optional<String> secretAccessKey();
    }
}
