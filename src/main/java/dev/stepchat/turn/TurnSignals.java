package dev.stepchat.turn;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;

/**
 * What replicas tell each other about streamed turns, through PostgreSQL's LISTEN/NOTIFY on the
 * channel {@value TurnSignal#CHANNEL}: {@code stop:<message id>} (a stop asked for on any replica; the one
 * running the turn cancels it) and {@code end:<message id>} (a turn's end is stored; readers on
 * other replicas send the rest at once instead of at their next look). Each replica listens on one
 * connection of its own, outside the pool (to {@code stepchat.signals.jdbc-url} when set, else the
 * pool's URL), and reconnects when it breaks (after a failover, to whichever host the URL finds). A missed notification
 * costs time, never correctness: the running replica also reads stop requests at every flush, and
 * readers look at the database at least once per flush period.
 */
@ApplicationScoped
public class TurnSignals {

    private static final Duration WAIT = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

    private final Optional<String> url;
    private final Optional<String> user;
    private final Optional<String> password;
    private final Map<UUID, Set<Runnable>> watchers = new ConcurrentHashMap<>();
    private volatile Consumer<UUID> onStop = id -> {};
    private volatile boolean running = true;
    private Thread listener;

    /**
     * @param signalsUrl a URL of its own for the listening connection (stepchat.signals.jdbc-url),
     *     for a pool behind a transaction-mode pooler, which cannot carry LISTEN; else the pool's
     */
    TurnSignals(
            @ConfigProperty(name = "quarkus.datasource.jdbc.url") Optional<String> url,
            @ConfigProperty(name = "stepchat.signals.jdbc-url") Optional<String> signalsUrl,
            @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
            @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.url = signalsUrl.filter(u -> !u.isBlank()).or(() -> url);
        this.user = user;
        this.password = password;
    }

    void start(@Observes StartupEvent event) {
        if (url.isEmpty()) {
            return;
        }
        listener = Thread.ofPlatform().daemon().name("turn-signals").start(this::listen);
    }

    /** Who cancels a turn running here when a stop for it is announced. */
    void onStop(Consumer<UUID> handler) {
        this.onStop = handler;
    }

    /** Runs {@code wake} whenever the end of {@code message} is announced, until the returned handle is closed. */
    AutoCloseable watch(UUID message, Runnable wake) {
        watchers.computeIfAbsent(message, id -> ConcurrentHashMap.newKeySet()).add(wake);
        return () -> watchers.computeIfPresent(message, (id, set) -> {
            set.remove(wake);
            return set.isEmpty() ? null : set;
        });
    }

    private void listen() {
        long backoff = 100;
        while (running) {
            try (Connection connection = connect()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + TurnSignal.CHANNEL);
                }
                backoff = 100;
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications((int) WAIT.toMillis());
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            dispatch(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                Log.debugf("Turn signals: no listening connection (%s); again in %d ms", e.getMessage(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF.toMillis(), backoff * 2);
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        user.ifPresent(u -> properties.setProperty("user", u));
        password.ifPresent(p -> properties.setProperty("password", p));
        properties.setProperty("ApplicationName", "stepchat-turn-signals");
        properties.setProperty("tcpKeepAlive", "true");
        Connection connection = new org.postgresql.Driver().connect(url.orElseThrow(), properties);
        if (connection == null) {
            throw new SQLException("Not a PostgreSQL URL: turn signals are off");
        }
        connection.setAutoCommit(true);
        return connection;
    }

    void dispatch(String payload) {
        TurnSignal.parse(payload).ifPresent(signal -> {
            switch (signal.kind()) {
                case STOP -> onStop.accept(signal.answer());
                case END -> {
                    Set<Runnable> wakes = watchers.get(signal.answer());
                    if (wakes != null) {
                        wakes.forEach(Runnable::run);
                    }
                }
            }
        });
    }

    @PreDestroy
    void stop() {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }
}
