package dev.stepchat.problem;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

/**
 * Which failures of a database call are load or a fault of the database, not a bug: the pool had
 * no connection to give in time ({@link ProblemType#OVERLOADED}), or the database could not be
 * reached or dropped the connection ({@link ProblemType#DATABASE_UNAVAILABLE}). Both are 503s with
 * {@code Retry-After}; everything else stays a 500.
 */
public final class DatabaseFaults {

    /** What a caller is told to wait after either fault. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(2);

    private DatabaseFaults() {}

    /** The fault {@code failure} is, or null when it is neither. */
    public static ProblemType classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                String message = sql.getMessage() == null ? "" : sql.getMessage();
                String state = sql.getSQLState() == null ? "" : sql.getSQLState();
                if (message.contains("acquisition timeout") || state.equals("53300")) {
                    // Agroal's pool was exhausted, or the server has no more connection slots
                    return ProblemType.OVERLOADED;
                }
                if (state.startsWith("08") || state.startsWith("57P") || t instanceof SQLTransientConnectionException) {
                    // connection failures, admin shutdown, crash shutdown, cannot connect now
                    return ProblemType.DATABASE_UNAVAILABLE;
                }
            }
            if (t instanceof ConnectException
                    || t.getClass().getName().equals("org.hibernate.exception.JDBCConnectionException")) {
                return ProblemType.DATABASE_UNAVAILABLE;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    /** The problem for a fault, or null when {@code failure} is not one. */
    public static ProblemException toProblem(Throwable failure) {
        ProblemType type = classify(failure);
        if (type == null) {
            return null;
        }
        String detail = type == ProblemType.OVERLOADED
                ? "The service has more requests than it can take; try again shortly"
                : "The database cannot be reached; try again shortly";
        return new ProblemException(type, detail, null, RETRY_AFTER);
    }
}
