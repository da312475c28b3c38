package dev.stepchat.conversation;

import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.engine.spi.SharedSessionContractImplementor;

/**
 * Plain JDBC statements on the connection of the current Hibernate session (so in its transaction),
 * for the few writes of a turn's hot path: no query translation, no entity, no flush. Everything
 * else goes through Panache.
 */
public final class Jdbc {

    /** A null parameter (an Object[] of parameters cannot hold a plain null in List.of). */
    public static final Object NULL = new Object();

    private Jdbc() {
    }

    /** The Hibernate session behind an entity manager. */
    public static SharedSessionContractImplementor session(jakarta.persistence.EntityManager entityManager) {
        return entityManager.unwrap(SharedSessionContractImplementor.class);
    }

    /** Runs one statement with positional parameters; returns the rows it changed. */
    public static int update(SharedSessionContractImplementor session, String sql, Object... parameters) {
        return session.doReturningWork(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                bind(statement, parameters);
                return statement.executeUpdate();
            }
        });
    }

    /** One row mapped from a query, or empty. */
    public interface Row<T> {
        T map(java.sql.ResultSet row) throws SQLException;
    }

    /** The first row of a query with positional parameters, mapped; empty when there is none. */
    public static <T> java.util.Optional<T> first(SharedSessionContractImplementor session, String sql, Row<T> mapper,
                                                  Object... parameters) {
        return session.doReturningWork(connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                bind(statement, parameters);
                try (java.sql.ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? java.util.Optional.of(mapper.map(rows)) : java.util.Optional.<T>empty();
                }
            }
        });
    }

    /** A value as Hibernate's own JSON format mapper writes it into a JSON column. */
    public static <T> String json(SharedSessionContractImplementor session, T value, Class<T> type) {
        SessionFactoryImplementor factory = session.getFactory();
        return factory.getSessionFactoryOptions().getJsonFormatMapper().toString(value,
                factory.getTypeConfiguration().getJavaTypeRegistry().resolveDescriptor(type), session);
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object value = parameters[i];
            int index = i + 1;
            switch (value) {
                case null -> statement.setNull(index, Types.NULL);
                case Object o when o == NULL -> statement.setNull(index, Types.NULL);
                case UUID uuid -> statement.setObject(index, uuid);
                case String text -> statement.setString(index, text);
                case Integer number -> statement.setInt(index, number);
                case Long number -> statement.setLong(index, number);
                case Double number -> statement.setDouble(index, number);
                case BigDecimal decimal -> statement.setBigDecimal(index, decimal);
                case Boolean bool -> statement.setBoolean(index, bool);
                case Instant instant -> statement.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
                case LocalDate date -> statement.setObject(index, date);
                default -> throw new IllegalArgumentException("No JDBC binding for " + value.getClass());
            }
        }
    }
}
