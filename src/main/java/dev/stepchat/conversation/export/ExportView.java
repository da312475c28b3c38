package dev.stepchat.conversation.export;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.stepchat.conversation.api.ConversationView;
import dev.stepchat.conversation.api.MessageView;

/** The shape of the JSON export, for the OpenAPI document (the export itself is written as a stream). */
@Schema(name = "ConversationExport")
public record ExportView(
        @Schema(enumeration = "conversation_export", required = true)
        String object,

        @Schema(description = "The format's version", required = true, examples = "1")
        int version,

        @Schema(required = true) ConversationView conversation,

        @Schema(description = "Every message of every branch, oldest first (parent_id gives the tree)", required = true)
        List<MessageView> messages) {}
