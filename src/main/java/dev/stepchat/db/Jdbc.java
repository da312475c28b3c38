package dev.stepchat.db;

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
import java.util.ArrayList;
import java.util.List;
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

    private final DataSource dataSource;
    private final SessionFactoryImplementor sessionFactory;

    Jdbc(DataSource dataSource, EntityManagerFactory entityManagerFactory) {
        this.dataSource = dataSource;
        this.sessionFactory = entityManagerFactory.unwrap(SessionFactoryImplementor.class);
    }

    /** The id of a row these statements insert: a UUIDv7, as Hibernate generates for the entities. */
    public static UUID newId() {
        return org.hibernate.id.uuid.UuidVersion7Strategy.INSTANCE.generateUuid(null);
    }

    /**
     * Takes a transaction-scoped advisory lock on an owner: until the caller's transaction ends,
     * other transactions that lock the same owner (on any replica) wait; nobody else does.
     */
    public void lockOwner(String owner) {
        first(
                "select 1 from (select pg_advisory_xact_lock(hashtextextended(?, 20261207))) owner_lock",
                row -> 1,
                owner);
    }

    /** Runs one statement with positional parameters; returns the rows it changed. */
    public int update(String sql, Object... parameters) {
        return run(sql, parameters, PreparedStatement::executeUpdate);
    }

    /** One row mapped from a result. */
    public interface Row<T> {
        T map(ResultSet row) throws SQLException;
    }

    /** The first row of a query with positional parameters, mapped; empty when there is none. */
    public <T> Optional<T> first(String sql, Row<T> mapper, Object... parameters) {
        return run(sql, parameters, statement -> {
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(mapper.map(rows)) : Optional.empty();
            }
        });
    }

    /** Every row of a query with positional parameters, mapped. */
    public <T> List<T> list(String sql, Row<T> mapper, Object... parameters) {
        return run(sql, parameters, statement -> {
            try (ResultSet rows = statement.executeQuery()) {
                List<T> list = new ArrayList<>();
                while (rows.next()) {
                    list.add(mapper.map(rows));
                }
                return list;
            }
        });
    }

    private interface Work<T> {
        T on(PreparedStatement statement) throws SQLException;
    }

    /**
     * A statement on the transaction's connection with its parameters bound; SQLExceptions are
     * translated like Hibernate's own (constraint violations, lock timeouts...).
     */
    private <T> T run(String sql, Object[] parameters, Work<T> work) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return work.on(statement);
        } catch (SQLException e) {
            throw sessionFactory.getJdbcServices().getSqlExceptionHelper().convert(e, "plain JDBC statement");
        }
    }

    /** A value as Hibernate's own JSON format mapper writes it into a JSON column of an entity. */
    public <T> String json(T value, Class<T> type) {
        return sessionFactory
                .getSessionFactoryOptions()
                .getJsonFormatMapper()
                .toString(
                        value,
                        sessionFactory
                                .getTypeConfiguration()
                                .getJavaTypeRegistry()
                                .resolveDescriptor(type),
                        sessionFactory.getWrapperOptions());
    }

    /** A JSON column read back as Hibernate's own JSON format mapper reads it for an entity; null stays null. */
    public <T> T fromJson(String json, Class<T> type) {
        if (json == null) {
            return null;
        }
        return sessionFactory
                .getSessionFactoryOptions()
                .getJsonFormatMapper()
                .fromString(
                        json,
                        sessionFactory
                                .getTypeConfiguration()
                                .getJavaTypeRegistry()
                                .resolveDescriptor(type),
                        sessionFactory.getWrapperOptions());
    }

    /** A {@code timestamptz} column as an instant; null stays null. */
    public static Instant instant(ResultSet row, int column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object value = parameters[i];
            int index = i + 1;
            switch (value) {
                case null -> statement.setNull(index, Types.NULL);
                case UUID uuid -> statement.setObject(index, uuid);
                case UUID[] uuids ->
                    statement.setArray(index, statement.getConnection().createArrayOf("uuid", uuids));
                case String[] texts ->
                    statement.setArray(index, statement.getConnection().createArrayOf("text", texts));
                case Integer[] numbers ->
                    statement.setArray(index, statement.getConnection().createArrayOf("int4", numbers));
                case String text -> statement.setString(index, text);
                case byte[] bytes -> statement.setBytes(index, bytes);
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
