package dev.stepchat.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.Config;

import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;

import dev.stepchat.config.ChatConfig;

/**
 * Checks at start that authentication is configured as it should be: with it on, a key to verify
 * tokens must be set (else every request would be a 401); with it off in production, the choice
 * is logged loudly.
 */
@ApplicationScoped
public class AuthenticationCheck {

    void check(@Observes StartupEvent event, ChatConfig config, Config mp) {
        if (!config.auth().enabled()) {
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                Log.warn("Authentication is OFF (stepchat.auth.enabled=false): anyone who reaches this service can read"
                        + " and write every conversation, all as the single owner '" + "local" + "'.");
            } else {
                Log.info("Authentication is off in " + LaunchMode.current().getDefaultProfile()
                        + " mode: every request acts as the single local owner.");
            }
            return;
        }
        boolean hasKey = mp.getOptionalValue("mp.jwt.verify.publickey.location", String.class)
                        .isPresent()
                || mp.getOptionalValue("mp.jwt.verify.publickey", String.class).isPresent();
        if (!hasKey) {
            throw new IllegalStateException("Authentication is on but no key verifies tokens: set"
                    + " MP_JWT_VERIFY_PUBLICKEY_LOCATION (a PEM or JWKS file or URL) with MP_JWT_VERIFY_ISSUER,"
                    + " or turn authentication off explicitly with STEPCHAT_AUTH_ENABLED=false");
        }
    }
}
