package dev.stepchat.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Rules of conversations and turns: defaults and limits. Keys start with {@code stepchat.}. */
@ConfigMapping(prefix = "stepchat")
public interface ChatConfig {

    /** Model of new conversations that name none (STEPCHAT_DEFAULT_MODEL). */
    @WithDefault("step-3.5-flash")
    String defaultModel();

    /** Length limits on what clients send. */
    Limits limits();

    interface Limits {
        /** Most characters in one message's content; more is a 413 (STEPCHAT_LIMITS_MAX_CONTENT_LENGTH). */
        @WithDefault("100000")
        int maxContentLength();

        /** Most characters in a conversation title (STEPCHAT_LIMITS_MAX_TITLE_LENGTH). */
        @WithDefault("256")
        int maxTitleLength();

        /** Most characters in a system prompt (STEPCHAT_LIMITS_MAX_SYSTEM_PROMPT_LENGTH). */
        @WithDefault("32000")
        int maxSystemPromptLength();

        /** Characters of the first message that become the title of an untitled conversation. */
        @WithDefault("80")
        int autoTitleLength();
    }
}
