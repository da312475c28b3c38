package dev.stepchat.conversation.service;

import jakarta.enterprise.context.ApplicationScoped;

/** Who the caller is: the owner of the conversations it creates and the only one who sees them. */
@ApplicationScoped
public class CurrentOwner {

    /** The single owner while authentication is off. */
    public static final String LOCAL = "local";

    public String id() {
        return LOCAL;
    }
}
