package dev.stepchat.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Rules of conversations and turns: defaults and limits. Keys start with {@code stepchat.}. */
@ConfigMapping(prefix = "stepchat")
public interface ChatConfig {

    /** Model of new conversations that name none (STEPCHAT_DEFAULT_MODEL). */
    @WithDefault("step-3.5-flash")
    String defaultModel();

    /**
     * Models the metrics name (STEPCHAT_METRIC_MODELS, comma-separated): a turn of any other model
     * is counted under {@code model="other"}, so clients cannot grow the number of time series.
     * The default model is always named.
     */
    @WithDefault("step-3.5-flash,step-3,step-2-mini,step-2-16k,step-1-8k,step-1-32k,step-1-256k")
    java.util.Set<String> metricModels();

    /**
     * The lease a running turn holds on its conversation (one turn at a time, across replicas). The
     * replica running it renews it every third of this; when that replica dies, the lease expires
     * and the turn is closed by the abandoned-turns job, so a dead replica blocks a conversation for
     * at most this plus that job's period (STEPCHAT_TURN_LEASE).
     */
    @WithDefault("30S")
    Duration turnLease();

    /** Streamed turns. */
    Streams streams();

    interface Streams {
        /**
         * How often the text of running streams is written to the database (one statement for all
         * of them): what a reader on another replica and the message list lag behind at most
         * (STEPCHAT_STREAMS_FLUSH_EVERY).
         */
        @WithDefault("1s")
        String flushEvery();

        /** How long a stop request waits for the turn's end to be stored before answering (STEPCHAT_STREAMS_STOP_WAIT). */
        @WithDefault("10S")
        Duration stopWait();

        /**
         * How long a stream may go without an event before a comment line ({@code : keep-alive}) is
         * sent: proxies keep quiet streams open, and a caller gone without closing its connection is
         * noticed (its reader's place freed) within this time (STEPCHAT_STREAMS_KEEP_ALIVE_EVERY).
         */
        @WithDefault("15S")
        Duration keepAliveEvery();
    }

    /** The chat page at {@code /}. */
    ChatPage chatPage();

    interface ChatPage {
        /**
         * Serve the chat page (and its scripts under {@code /chat/}) at {@code /}: on by default, also
         * in prod. It is a client of the public API like any other, with no rights of its own
         * (STEPCHAT_CHAT_PAGE_ENABLED=false leaves {@code /} a 404).
         */
        @WithDefault("true")
        boolean enabled();
    }

    /** The background jobs (abandoned turns, idempotency purge), run on every replica. */
    Jobs jobs();

    interface Jobs {
        /** How long after start the jobs first run (STEPCHAT_JOBS_DELAY). */
        @WithDefault("10s")
        String delay();

        /** How often turns whose lease expired (a dead instance's) are closed (STEPCHAT_JOBS_ABANDONED_TURNS_EVERY). */
        @WithDefault("10s")
        String abandonedTurnsEvery();
    }

    /** How long conversations are kept (off by default). */
    Retention retention();

    interface Retention {
        /**
         * Conversations not updated for this long are deleted, unless pinned; their ledger rows stay
         * (STEPCHAT_RETENTION_CONVERSATIONS, e.g. 90D; unset: kept until deleted).
         */
        Optional<Duration> conversations();

        /** How often the retention job looks (STEPCHAT_RETENTION_EVERY). */
        @WithDefault("1h")
        String every();

        /** Conversations deleted per transaction (STEPCHAT_RETENTION_BATCH). */
        @WithDefault("500")
        int batch();
    }

    /** Erasing an owner (DELETE /admin/owners/{owner}). */
    Erasure erasure();

    interface Erasure {
        /**
         * The secret of the keyed pseudonym (HMAC-SHA256) that replaces an erased owner in ledger
         * rows, audit entries and jobs; at least 32 characters; unset: erasure answers 503
         * erasure-not-configured (STEPCHAT_ERASURE_KEY). Keep it: the same owner erased twice gets
         * the same pseudonym, so their totals stay together.
         */
        Optional<String> key();

        /** Rows deleted or rewritten per transaction (STEPCHAT_ERASURE_BATCH). */
        @WithDefault("500")
        int batch();

        /** How often open jobs are looked for (a dead replica's included) (STEPCHAT_ERASURE_EVERY). */
        @WithDefault("1m")
        String every();
    }

    /** What one owner may take of the service, so that no owner crowds out the others. */
    Owners owners();

    interface Owners {
        /**
         * Turns of one owner running at once, across replicas; more is a 429 owner-rate-limited;
         * 0 turns the limit off (STEPCHAT_OWNERS_TURNS_IN_FLIGHT).
         */
        @WithDefault("4")
        int turnsInFlight();

        /**
         * Turns one owner may start in any 60 seconds, across replicas; more is a 429
         * owner-rate-limited; 0, the default, turns the limit off (STEPCHAT_OWNERS_TURNS_PER_MINUTE).
         */
        @WithDefault("0")
        int turnsPerMinute();

        /**
         * Streams one owner may have open at once, across replicas: a streamed turn's own and every
         * resume; more is a 429 owner-rate-limited; 0 turns the limit off (STEPCHAT_OWNERS_STREAM_READERS).
         */
        @WithDefault("16")
        int streamReaders();
    }

    /** How many turns are taken on, and how long their answers are kept trying to be stored. */
    Admission admission();

    interface Admission {
        /**
         * Turns between their first and last transaction per pooled connection
         * (STEPCHAT_ADMISSION_TURNS_PER_CONNECTION): 200 with a pool of 20 is 4,000 turns in flight.
         */
        @WithDefault("200")
        int turnsPerConnection();

        /** How long a turn waits for a place or a connection before a 503 (STEPCHAT_ADMISSION_MAX_WAIT). */
        @WithDefault("1S")
        Duration maxWait();

        /**
         * How long the completing transaction of an answered turn is retried across database
         * faults before the caller gets a 503; the answer's usage is then written once the database
         * is back (STEPCHAT_ADMISSION_COMPLETION_RETRY_FOR).
         */
        @WithDefault("20S")
        Duration completionRetryFor();
    }

    /** Bearer JWT authentication of /conversations. */
    Auth auth();

    interface Auth {
        /**
         * Whether /conversations needs a bearer JWT (STEPCHAT_AUTH_ENABLED). On in prod; turning it
         * off there is logged as a warning at every start. Off in dev mode and the tests.
         */
        @WithDefault("true")
        boolean enabled();

        /**
         * The JWT group (SmallRye JWT {@code groups} claim) whose tokens may set owners' spending limits
         * (STEPCHAT_AUTH_ADMIN_GROUP). With authentication off, the local owner may.
         */
        @WithDefault("stepchat-admin")
        String adminGroup();
    }

    /**
     * Default spending limits of every owner, per UTC day and calendar month, in tokens and in cost
     * (the configured currency); none when unset. Overrides per owner: PUT /admin/owners/{owner}/limits.
     */
    Spending spending();

    interface Spending {
        /** STEPCHAT_SPENDING_DAY_TOKENS */
        java.util.OptionalLong dayTokens();

        /** STEPCHAT_SPENDING_DAY_COST */
        java.util.Optional<java.math.BigDecimal> dayCost();

        /** STEPCHAT_SPENDING_MONTH_TOKENS */
        java.util.OptionalLong monthTokens();

        /** STEPCHAT_SPENDING_MONTH_COST */
        java.util.Optional<java.math.BigDecimal> monthCost();
    }

    /** Idempotency-Key handling. */
    Idempotency idempotency();

    interface Idempotency {
        /** How long keys and their responses are kept; at least 24 h (STEPCHAT_IDEMPOTENCY_RETENTION). */
        @WithDefault("24H")
        Duration retention();

        /**
         * How long a first request with a key counts as still running (a repeat gets a 409) until it
         * has started a turn; from then on it runs exactly while a live replica holds that turn's
         * lease (STEPCHAT_IDEMPOTENCY_IN_FLIGHT_FOR). Longer than a turn's first transaction may
         * take, database socket timeout included.
         */
        @WithDefault("2M")
        Duration inFlightFor();

        /** How often expired keys are purged (STEPCHAT_IDEMPOTENCY_PURGE_EVERY). */
        @WithDefault("1h")
        String purgeEvery();
    }

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

        /**
         * Largest request headers, a bearer token included; more is a 431 problem
         * (STEPCHAT_LIMITS_MAX_HEADER_SIZE). Keep quarkus.http.limits.max-header-size above it.
         */
        @WithDefault("32K")
        io.quarkus.runtime.configuration.MemorySize maxHeaderSize();

        /** Largest request body except an import's; more is a 413 (STEPCHAT_LIMITS_MAX_BODY_SIZE). */
        @WithDefault("1M")
        io.quarkus.runtime.configuration.MemorySize maxBodySize();

        /** Largest body of POST /conversations/import; more is a 413 (STEPCHAT_LIMITS_MAX_IMPORT_SIZE). */
        @WithDefault("50M")
        io.quarkus.runtime.configuration.MemorySize maxImportSize();

        /** Characters of the first message that become the title of an untitled conversation. */
        @WithDefault("80")
        int autoTitleLength();

        /** Most conversations in one import; more is a 400 import-too-large (STEPCHAT_LIMITS_MAX_IMPORT_CONVERSATIONS). */
        @WithDefault("10000")
        int maxImportConversations();

        /**
         * Most messages in one imported conversation; more is a 400 import-too-large
         * (STEPCHAT_LIMITS_MAX_IMPORT_MESSAGES).
         */
        @WithDefault("100000")
        int maxImportMessages();

        /**
         * Imports that may run at once on one replica (each spools its file to the temporary
         * folder first); another is a 503 overloaded (STEPCHAT_LIMITS_IMPORTS_AT_ONCE).
         */
        @WithDefault("1")
        int importsAtOnce();

        /**
         * The share of its time an import may spend reading and storing (above 0, at most 1); it
         * pauses for the rest, so that other owners' turns find the CPU and the database free in
         * between (STEPCHAT_LIMITS_IMPORT_SHARE). 1 never pauses.
         */
        @WithDefault("0.5")
        double importShare();
    }
}
