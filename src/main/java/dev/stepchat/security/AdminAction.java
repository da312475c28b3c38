package dev.stepchat.security;

/**
 * An administrator's action, fired as a CDI event by the endpoint that takes it, inside the
 * action's transaction; the audit log observes it and appends an entry in that transaction.
 *
 * @param action what was done, e.g. {@code limits.set}
 * @param target the owner acted on
 * @param detail the change, written as JSON
 */
public record AdminAction(String action, String target, Object detail) {}
