package dev.stepchat.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.stepchat.config.ChatConfig;

/**
 * Who the caller is: the owner of the conversations it creates and the only one who sees them.
 * With authentication on, the subject ({@code sub}) of the caller's verified JWT; with it off
 * (dev mode, the offline quick start), the single local owner.
 */
@ApplicationScoped
public class CurrentOwner {

    /** The single owner while authentication is off. */
    public static final String LOCAL = "local";

    /** The longest subject an owner can have (the owner columns hold 255 characters). */
    static final int MAX_SUBJECT_LENGTH = 255;

    private final boolean authenticated;
    private final Instance<JsonWebToken> token;

    CurrentOwner(ChatConfig config, Instance<JsonWebToken> token) {
        this.authenticated = config.auth().enabled();
        this.token = token;
    }

    public String id() {
        if (!authenticated) {
            return LOCAL;
        }
        String subject = token.get().getSubject();
        if (subject == null || subject.isBlank()) {
            // the permission check lets no request without a verified token this far
            throw new io.quarkus.security.UnauthorizedException("The token has no subject");
        }
        if (subject.length() > MAX_SUBJECT_LENGTH) {
            // an owner is stored in columns of 255 characters: such a token names no owner we keep
            throw new io.quarkus.security.UnauthorizedException(
                    "The token's subject is longer than " + MAX_SUBJECT_LENGTH + " characters");
        }
        return subject;
    }
}
