package dev.stepchat.support;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs the packaged (prod) application with bearer JWT authentication on, verifying the tokens the
 * tests sign with {@code test-jwt-private.pem}.
 */
public class AuthOnResource implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "https://issuer.test";
    public static final String AUDIENCE = "stepchat";

    @Override
    public Map<String, String> start() {
        try {
            Path publicKey = Path.of(
                    AuthOnResource.class.getResource("/test-jwt-public.pem").toURI());
            return Map.of(
                    "stepchat.auth.enabled",
                    "true",
                    "mp.jwt.verify.publickey.location",
                    publicKey.toString(),
                    "mp.jwt.verify.issuer",
                    ISSUER,
                    "mp.jwt.verify.audiences",
                    AUDIENCE,
                    "stepchat.erasure.key",
                    "it-only-erasure-key-0123456789abcdefghij");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {}
}
