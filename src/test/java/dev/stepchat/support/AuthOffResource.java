package dev.stepchat.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Runs the packaged (prod) application with authentication explicitly off, for the *IT tests
 * that are about other things; AuthenticationTest covers tokens.
 */
public class AuthOffResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("stepchat.auth.enabled", "false");
    }

    @Override
    public void stop() {}
}
