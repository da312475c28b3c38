package dev.stepchat.support;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;

/** Bearer tokens of test callers, signed with the tests' key, and the profile that turns authentication on. */
public final class Tokens {

    private Tokens() {}

    /** The {@code @TestProfile} of the classes that call as signed-in users (one restart for all of them). */
    public static class AuthOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("stepchat.auth.enabled", "true");
        }
    }

    /** A token of {@code subject}, valid for five minutes. */
    public static String token(String subject) {
        return Jwt.issuer("https://issuer.test")
                .subject(subject)
                .audience("stepchat")
                .expiresIn(Duration.ofMinutes(5))
                .sign();
    }

    /** A token of {@code subject} in the administrators' group (stepchat-admin). */
    public static String admin(String subject) {
        return Jwt.issuer("https://issuer.test")
                .subject(subject)
                .audience("stepchat")
                .groups("stepchat-admin")
                .expiresIn(Duration.ofMinutes(5))
                .sign();
    }

    /** A request sent with {@code token}. */
    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }
}
