package dev.stepchat.admin.rest;

import java.net.URI;
import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.smallrye.common.annotation.RunOnVirtualThread;

import dev.stepchat.admin.AdminJobs;
import dev.stepchat.admin.AdminViews.AuditEntry;
import dev.stepchat.admin.AdminViews.AuditEntryList;
import dev.stepchat.admin.AdminViews.Job;
import dev.stepchat.admin.AuditLog;
import dev.stepchat.conversation.PageRequest;
import dev.stepchat.conversation.rest.Ids;
import dev.stepchat.problem.TimeParam;
import dev.stepchat.security.AdminGuard;

/** Administrators' erasure of an owner, its job, and the audit log; the administrators' group only. */
@Path("/")
@Tag(name = "Administration")
@RunOnVirtualThread
public class AdminResource {

    private final AdminJobs jobs;
    private final AuditLog audit;
    private final AdminGuard admins;

    AdminResource(AdminJobs jobs, AuditLog audit, AdminGuard admins) {
        this.jobs = jobs;
        this.audit = audit;
        this.admins = admins;
    }

    @DELETE
    @Path("admin/owners/{owner}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "eraseOwner",
            summary = "Erase an owner (administrators)",
            description = "Starts a job that deletes every conversation (with its messages and share links),"
                    + " idempotency record and limit override of the owner, and replaces the owner in the usage ledger,"
                    + " its daily totals, the audit log and the jobs by a keyed one-way pseudonym, so that totals stay"
                    + " true. Answers at once with the job; read it at the Location. An erasure of the owner still"
                    + " running is answered instead of a second one. Recorded in the audit log.")
    @APIResponse(
            responseCode = "202",
            description = "The job, pending or running",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Job.class),
                            examples =
                                    @ExampleObject(
                                            name = "pending",
                                            value =
                                                    "{\"id\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\",\"object\":\"job\",\"kind\":\"owner-erasure\",\"status\":\"pending\",\"created_at\":\"2026-12-07T10:00:00Z\",\"finished_at\":null,\"detail\":{},\"error\":null}")))
    @APIResponse(responseCode = "403", description = "The token is not in the administrators' group")
    @APIResponse(responseCode = "503", description = "No pseudonym key is configured (erasure-not-configured)")
    public Response erase(@Parameter(description = "The owner: a token subject") @PathParam("owner") String owner) {
        admins.require("erase owners");
        Job job = jobs.erase(owner);
        return Response.accepted(job)
                .location(URI.create("/admin/jobs/" + job.id()))
                .type(MediaType.APPLICATION_JSON_TYPE)
                .build();
    }

    @GET
    @Path("admin/jobs/{job_id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "getJob",
            summary = "An administrators' job (administrators)",
            description = "Its status: pending, running (a step that fails is tried again, from the start, when the"
                    + " job's lease expires), succeeded with what it did in detail, or failed with the error.")
    @APIResponse(
            responseCode = "200",
            description = "The job",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Job.class),
                            examples =
                                    @ExampleObject(
                                            name = "succeeded",
                                            value =
                                                    "{\"id\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\",\"object\":\"job\",\"kind\":\"owner-erasure\",\"status\":\"succeeded\",\"created_at\":\"2026-12-07T10:00:00Z\",\"finished_at\":\"2026-12-07T10:00:02Z\",\"detail\":{\"conversations_deleted\":12,\"files_deleted\":4,\"idempotency_records_deleted\":3,\"limit_overrides_deleted\":1,\"ledger_rows_pseudonymized\":48,\"usage_days_pseudonymized\":5,\"audit_entries_pseudonymized\":2},\"error\":null}")))
    @APIResponse(responseCode = "403", description = "The token is not in the administrators' group")
    @APIResponse(responseCode = "404", description = "Unknown job")
    public Job job(
            @Parameter(description = "The job's id", schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @PathParam("job_id")
                    String id) {
        admins.require("read jobs");
        return jobs.readOrNotFound(Ids.job(id));
    }

    @GET
    @Path("admin/audit")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "listAuditEntries",
            summary = "The audit log (administrators)",
            description = "Administrators' actions (limits set, owners erased) in the order they were taken, over the"
                    + " half-open range [from, to) (default: all), paged with limit and after. No method changes or"
                    + " deletes an entry.")
    @APIResponse(
            responseCode = "200",
            description = "A page of entries",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = AuditEntryList.class),
                            examples =
                                    @ExampleObject(
                                            name = "limits set",
                                            value =
                                                    "{\"object\":\"list\",\"data\":[{\"id\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\",\"at\":\"2026-12-07T10:00:00Z\",\"actor\":\"admin-1\",\"action\":\"limits.set\",\"target\":\"user-42\",\"detail\":{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":2000000}]}}],\"first_id\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\",\"last_id\":\"0193e4c2-8a01-7c55-8f00-1a2b3c4d5e6f\",\"has_more\":false}")))
    @APIResponse(responseCode = "400", description = "A bad from, to, limit or after")
    @APIResponse(responseCode = "403", description = "The token is not in the administrators' group")
    public AuditEntryList audit(
            @Parameter(
                            description = "Start, included: an RFC 3339 time or a date (UTC midnight)",
                            schema = @Schema(type = SchemaType.STRING, examples = "2026-12-01"))
                    @QueryParam("from")
                    String from,
            @Parameter(description = "End, excluded", schema = @Schema(type = SchemaType.STRING)) @QueryParam("to")
                    String to,
            @Parameter(
                            description = "Entries per page, 1 to 100 (default 20)",
                            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "100"))
                    @QueryParam("limit")
                    String limit,
            @Parameter(
                            description = "Entries after this one (a page's last_id)",
                            schema = @Schema(type = SchemaType.STRING, format = "uuid"))
                    @QueryParam("after")
                    String after) {
        admins.require("read the audit log");
        PageRequest page = PageRequest.parse(limit, after, null, null, false);
        Instant start = from == null ? Instant.EPOCH : TimeParam.parse("from", from);
        Instant end = to == null ? Instant.parse("9999-12-31T23:59:59Z") : TimeParam.parse("to", to);
        List<AuditEntry> entries = audit.list(start, end, page.after(), page.limit());
        boolean more = entries.size() > page.limit();
        List<AuditEntry> data = more ? entries.subList(0, page.limit()) : entries;
        return new AuditEntryList(
                "list",
                data,
                data.isEmpty() ? null : data.getFirst().id(),
                data.isEmpty() ? null : data.getLast().id(),
                more);
    }
}
