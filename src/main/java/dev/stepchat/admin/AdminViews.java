package dev.stepchat.admin;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** What the administrators' endpoints answer: audit entries and jobs. */
public final class AdminViews {

    private AdminViews() {}

    /** One administrator's action, as the audit log keeps it. */
    @RegisterForReflection
    @Schema(name = "AuditEntry")
    public record AuditEntry(
            @Schema(required = true) UUID id,
            @Schema(required = true, format = "date-time") String at,

            @Schema(required = true, description = "The administrator's token subject (sub)")
            String actor,

            @Schema(
                    required = true,
                    enumeration = {"limits.set", "owner.erase"})
            String action,

            @Schema(required = true, description = "The owner acted on (its pseudonym once erased)")
            String target,

            @Schema(required = true, description = "The change: the limits set, or the erasure's job id")
            Map<String, Object> detail) {}

    /** A page of the audit log, paged as the other lists are. */
    @RegisterForReflection
    @Schema(name = "AuditEntryList")
    public record AuditEntryList(
            @Schema(required = true, enumeration = "list") String object,
            @Schema(required = true) List<AuditEntry> data,

            @Schema(required = true, nullable = true, description = "Id of the first entry; null on an empty page")
            UUID firstId,

            @Schema(required = true, nullable = true, description = "Id of the last entry; null on an empty page")
            UUID lastId,

            @Schema(required = true, description = "Whether more entries follow")
            boolean hasMore) {}

    /** An administrator's job: an owner's erasure. */
    @RegisterForReflection
    @Schema(name = "Job")
    public record Job(
            @Schema(required = true) UUID id,
            @Schema(required = true, enumeration = "job") String object,

            @Schema(required = true, enumeration = "owner-erasure")
            String kind,

            @Schema(
                    required = true,
                    enumeration = {"pending", "running", "succeeded", "failed"})
            String status,

            @Schema(required = true, format = "date-time") String createdAt,

            @Schema(required = true, nullable = true, format = "date-time", description = "null until it ends")
            String finishedAt,

            @Schema(
                    required = true,
                    description = "What it did so far: conversations deleted, ledger rows and audit entries"
                            + " pseudonymized, and so on")
            Map<String, Object> detail,

            @Schema(required = true, nullable = true, description = "Why it failed; null unless failed")
            String error) {}
}
