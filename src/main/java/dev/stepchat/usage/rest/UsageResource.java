package dev.stepchat.usage.rest;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.event.Event;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.RunOnVirtualThread;

import dev.stepchat.problem.ProblemException;
import dev.stepchat.security.AdminAction;
import dev.stepchat.security.AdminGuard;
import dev.stepchat.usage.Money;
import dev.stepchat.usage.SpendingLimits;
import dev.stepchat.usage.UsageReports;
import dev.stepchat.usage.api.LimitsView;
import dev.stepchat.usage.api.UsageView;

/** Usage reports for callers, and spending limits for administrators. */
@Path("/")
@Tag(name = "Usage")
@RunOnVirtualThread
public class UsageResource {

    private final UsageReports reports;
    private final SpendingLimits limits;
    private final AdminGuard admins;
    private final Event<AdminAction> adminActions;

    UsageResource(UsageReports reports, SpendingLimits limits, AdminGuard admins, Event<AdminAction> adminActions) {
        this.reports = reports;
        this.limits = limits;
        this.admins = admins;
        this.adminActions = adminActions;
    }

    @GET
    @Path("usage")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "getUsageReport",
            summary = "The caller's usage and cost over a time range",
            description =
                    "From the usage ledger (deleted conversations included): totals and groups by UTC day, model or"
                            + " conversation over the half-open range [from, to) (default: the current UTC month), and the"
                            + " caller's spending limits with what is left of them.")
    @APIResponse(
            responseCode = "200",
            description = "The report",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = UsageView.class),
                            examples =
                                    @ExampleObject(
                                            name = "by day",
                                            value =
                                                    "{\"object\":\"usage_report\",\"from\":\"2026-11-01T00:00:00Z\",\"to\":\"2026-12-01T00:00:00Z\",\"currency\":\"USD\",\"totals\":{\"prompt_tokens\":1200,\"completion_tokens\":300,\"total_tokens\":1500,\"cached_tokens\":200,\"turns\":1,\"cost\":\"0.00019400\",\"cost_complete\":true},\"groups\":[{\"key\":\"2026-11-25\",\"prompt_tokens\":1200,\"completion_tokens\":300,\"total_tokens\":1500,\"cached_tokens\":200,\"turns\":1,\"cost\":\"0.00019400\",\"cost_complete\":true}],\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":2000000,\"used\":1500,\"remaining\":1998500,\"resets_at\":\"2026-11-26T00:00:00Z\"}]}")))
    @APIResponse(responseCode = "400", description = "A bad from, to or group_by")
    public UsageView report(
            @Parameter(
                            description = "Start, included: an RFC 3339 time or a date (UTC midnight)",
                            schema = @Schema(type = SchemaType.STRING, examples = "2026-11-01"))
                    @QueryParam("from")
                    String from,
            @Parameter(
                            description = "End, excluded",
                            schema = @Schema(type = SchemaType.STRING, examples = "2026-12-01"))
                    @QueryParam("to")
                    String to,
            @Parameter(
                            description = "day (default), model or conversation",
                            schema = @Schema(enumeration = {"day", "model", "conversation"}))
                    @QueryParam("group_by")
                    String groupBy) {
        return reports.report(from, to, groupBy);
    }

    @GET
    @Path("admin/owners/{owner}/limits")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "getOwnerLimits",
            summary = "An owner's spending limits in force (administrators)",
            description =
                    "The four limits (per UTC day and calendar month, in tokens and in cost) that apply to the owner:"
                            + " the configured defaults, or the overrides set with PUT. Only tokens in the administrators' group.")
    @APIResponse(
            responseCode = "200",
            description = "The limits in force (configured defaults or overrides)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = LimitsView.class)))
    @APIResponse(responseCode = "403", description = "The token is not in the administrators' group")
    public LimitsView getLimits(
            @Parameter(description = "The owner: a token subject") @PathParam("owner") String owner) {
        admins.require("read or set spending limits");
        return view(owner);
    }

    @PUT
    @Path("admin/owners/{owner}/limits")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "setOwnerLimits",
            summary = "Set an owner's spending limits (administrators)",
            description =
                    "Overrides the configured defaults for the limits named; null lifts a limit. Answers with all the"
                            + " owner's limits in force.")
    @APIResponse(
            responseCode = "200",
            description = "The limits in force",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = LimitsView.class)))
    @APIResponse(responseCode = "400", description = "Malformed JSON or an invalid limit")
    @APIResponse(responseCode = "403", description = "The token is not in the administrators' group")
    @APIResponse(responseCode = "415", description = "Not JSON")
    public LimitsView setLimits(
            @Parameter(description = "The owner: a token subject") @PathParam("owner") String owner,
            @RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON,
                                            schema = @Schema(implementation = LimitsView.class),
                                            examples =
                                                    @ExampleObject(
                                                            name = "two million tokens a day",
                                                            value =
                                                                    "{\"limits\":[{\"window\":\"day\",\"unit\":\"tokens\",\"limit\":2000000},"
                                                                            + "{\"window\":\"month\",\"unit\":\"cost\",\"limit\":\"25.00\"}]}")))
                    @NotNull
                    @Valid
                    LimitsView body) {
        admins.require("read or set spending limits");
        QuarkusTransaction.requiringNew().run(() -> {
            limits.override(
                    owner, body.limits().stream().map(UsageResource::limit).toList());
            adminActions.fire(new AdminAction("limits.set", owner, Map.of("limits", body.limits())));
        });
        return view(owner);
    }

    private LimitsView view(String owner) {
        List<LimitsView.Limit> list = limits.inForce(owner).stream()
                .map(l -> new LimitsView.Limit(
                        SpendingLimits.name(l.window()),
                        SpendingLimits.name(l.unit()),
                        l.max() == null
                                ? com.fasterxml.jackson.databind.node.NullNode.getInstance()
                                : l.unit() == SpendingLimits.Unit.TOKENS
                                        ? com.fasterxml.jackson.databind.node.LongNode.valueOf(
                                                l.max().longValue())
                                        : com.fasterxml.jackson.databind.node.TextNode.valueOf(Money.format(l.max()))))
                .toList();
        return new LimitsView(list);
    }

    private static SpendingLimits.Limit limit(LimitsView.Limit given) {
        SpendingLimits.Unit unit = SpendingLimits.Unit.valueOf(given.unit().toUpperCase(java.util.Locale.ROOT));
        SpendingLimits.Window window =
                SpendingLimits.Window.valueOf(given.window().toUpperCase(java.util.Locale.ROOT));
        var value = given.limit();
        java.math.BigDecimal max;
        if (value == null || value.isNull()) {
            max = null;
        } else if (unit == SpendingLimits.Unit.TOKENS && value.isIntegralNumber() && value.longValue() > 0) {
            max = java.math.BigDecimal.valueOf(value.longValue());
        } else if (unit == SpendingLimits.Unit.COST && value.isTextual()) {
            try {
                max = new java.math.BigDecimal(value.textValue());
            } catch (NumberFormatException e) {
                throw ProblemException.invalid("limits.limit", "a cost limit is a decimal string, say \"25.00\"");
            }
            // the column is numeric(24, 8): at most 16 digits before the point and 8 after
            if (max.signum() <= 0 || max.scale() > 8 || max.precision() - max.scale() > 16) {
                throw ProblemException.invalid(
                        "limits.limit", "a cost limit is positive, below 10^16, with at most 8 decimal places");
            }
        } else {
            throw ProblemException.invalid(
                    "limits.limit",
                    unit == SpendingLimits.Unit.TOKENS
                            ? "a token limit is a positive integer"
                            : "a cost limit is a decimal string, say \"25.00\"");
        }
        return new SpendingLimits.Limit(window, unit, max);
    }

    /** Administrators only: tokens whose groups hold the configured admin group (anyone while authentication is off). */
}
