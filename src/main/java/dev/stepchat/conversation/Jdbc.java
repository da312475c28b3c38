package dev.stepchat.conversation;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManagerFactory;

import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * Plain JDBC statements for the few reads and writes of a turn's hot path: no query translation,
 * no entity, no flush. Everything else goes through Panache.
 *
 * <p>The connection comes from the same datasource as Hibernate's, inside the caller's JTA
 * transaction: the pool hands out the connection already enlisted in that transaction, so these
 * statements and the entity manager's commit or roll back together. Hibernate does not flush
 * before them, so a caller never mixes them with pending entity changes they depend on.
 */
@ApplicationScoped
public class Jdbc {

    /** A null parameter, for parameter lists built with List.of (which refuses null). */
    public static final Object NULL = new Object();

    private final DataSource dataSource;
    private final SessionFactoryImplementor sessionFactory;

    Jdbc(DataSource dataSource, EntityManagerFactory entityManagerFactory) {
        this.dataSource = dataSource;
        this.sessionFactory = entityManagerFactory.unwrap(SessionFactoryImplementor.class);
    }

    /** Runs one statement with positional parameters; returns the rows it changed. */
    public int update(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** One row mapped from a result. */
    public interface Row<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** The first row of a query with positional parameters, mapped; empty when there is none. */
    public <T> Optional<T> first(String sql, Row<T> mapper, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(mapper.map(rows)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Every row of a query with positional parameters, mapped. */
    public <T> java.util.List<T> list(String sql, Row<T> mapper, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            try (ResultSet rows = statement.executeQuery()) {
                java.util.List<T> list = new java.util.ArrayList<>();
                while (rows.next()) {
                    list.add(mapper.map(rows));
                }
                return list;
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** A value as Hibernate's own JSON format mapper writes it into a JSON column of an entity. */
    public <T> String json(T value, Class<T> type) {
        return sessionFactory.getSessionFactoryOptions().getJsonFormatMapper().toString(value,
                sessionFactory.getTypeConfiguration().getJavaTypeRegistry().resolveDescriptor(type),
                sessionFactory.getWrapperOptions());
    }

    private RuntimeException failed(SQLException e) {
        // translated like Hibernate's own statements (constraint violations, lock timeouts...)
        return sessionFactory.getJdbcServices().getSqlExceptionHelper().convert(e, "plain JDBC statement");
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
