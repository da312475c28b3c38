package dev.stepchat.security;

import jakarta.ws.rs.core.Application;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Contact;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.servers.Server;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The API's OpenAPI header: what it is, who keeps it, where it runs, its tags, and the one bearer
 * scheme (Swagger UI's Authorize button uses it). Errors are documented by
 * {@code problem.ProblemDocumentation}.
 */
@OpenAPIDefinition(
        info =
                @Info(
                        title = "stepchat API",
                        version = "1.1",
                        description =
                                "Chat conversations with StepFun models: conversations and their messages, chat turns"
                                        + " (JSON or server-sent events) and exact token usage. Every error is an RFC 9457 problem"
                                        + " (application/problem+json) whose type URI names its kind.",
                        contact = @Contact(name = "stepchat maintainers", url = "https://stepchat.dev"),
                        license = @License(name = "Apache-2.0", identifier = "Apache-2.0")),
        servers = @Server(url = "/", description = "This service: the host this document was served from"),
        tags = {
            @Tag(
                    name = "Conversations",
                    description = "Chat threads: create, list, read, change, delete, and their usage"),
            @Tag(
                    name = "Messages",
                    description = "The messages of a conversation, and the chat turn that adds a"
                            + " user message and the model's reply"),
            @Tag(
                    name = "Models",
                    description =
                            "The models a conversation or a turn can name, with their context" + " windows and prices"),
            @Tag(
                    name = "Usage",
                    description = "What the caller used and spent, and spending limits (set by" + " administrators)"),
            @Tag(
                    name = "OpenAI-compatible",
                    description = "OpenAI's chat-completions protocol for clients that keep their own history (the"
                            + " OpenAI SDKs with base URL /v1); errors in OpenAI's shape"),
            @Tag(
                    name = "Administration",
                    description = "Erasing an owner (a job) and the audit log of administrators' actions; the"
                            + " administrators' group only"),
            @Tag(
                    name = "Files",
                    description = "Images the caller uploads to send in turns (PNG, JPEG, WebP, GIF), owned like"
                            + " conversations"),
            @Tag(
                    name = "Sharing",
                    description = "Read-only share links of a conversation: made, listed and revoked by its owner, read"
                            + " by anyone with the link"),
            @Tag(
                    name = "AI SDK",
                    description =
                            "A conversation's turns for the AI SDK's useChat: its chat transport's request, its UI"
                                    + " message stream, and resume")
        },
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(
        securitySchemeName = "bearer",
        type = SecuritySchemeType.HTTP,
        scheme = "bearer",
        bearerFormat = "JWT",
        description = "A JWT from the configured issuer; its subject owns the conversations it creates")
public class ApiDefinition extends Application {}
