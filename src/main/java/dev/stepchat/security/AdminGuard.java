package dev.stepchat.security;

import jakarta.enterprise.context.RequestScoped;

import io.quarkus.security.identity.SecurityIdentity;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;

/**
 * Administrators' endpoints: a token in {@code stepchat.auth.admin-group}, else a 403 forbidden.
 * With authentication off, the single local owner is the administrator.
 */
@RequestScoped
public class AdminGuard {

    private final SecurityIdentity identity;
    private final ChatConfig config;

    AdminGuard(SecurityIdentity identity, ChatConfig config) {
        this.identity = identity;
        this.config = config;
    }

    /** Refuses a caller outside the administrators' group; {@code what} says what it may not do. */
    public void require(String what) {
        if (config.auth().enabled() && !identity.hasRole(config.auth().adminGroup())) {
            throw new ProblemException(
                    ProblemType.FORBIDDEN,
                    "Only tokens in the group " + config.auth().adminGroup() + " may " + what);
        }
    }
}
