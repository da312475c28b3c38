package dev.stepchat.conversation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;

import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;

/**
 * Keyset paging by id (ids are UUIDv7, so id order is creation order). {@code after} continues in
 * the list's order past the cursor, {@code before} returns the items just ahead of it. A cursor
 * that is not an item of the list is a 400 {@code invalid-cursor}.
 */
public final class Paging {

    private Paging() {}

    public record Slice<E>(List<E> rows, boolean hasMore) {}

    static <E> Slice<E> fetch(
            PanacheRepositoryBase<E, UUID> repository, String where, Map<String, Object> params, PageRequest page) {
        checkCursor(repository, where, params, "after", page.after());
        checkCursor(repository, where, params, "before", page.before());
        Parameters parameters = new Parameters();
        params.forEach(parameters::and);
        StringBuilder query = new StringBuilder(where);
        if (page.after() != null) {
            query.append(page.descending() ? " and id < :after" : " and id > :after");
            parameters.and("after", page.after());
        }
        if (page.before() != null) {
            query.append(page.descending() ? " and id > :before" : " and id < :before");
            parameters.and("before", page.before());
        }
        // with only a 'before' cursor, walk backwards from it and turn the rows round afterwards
        boolean backwards = page.before() != null && page.after() == null;
        boolean descending = page.descending() != backwards;
        Sort sort = Sort.by("id", descending ? Sort.Direction.Descending : Sort.Direction.Ascending);
        List<E> rows = new ArrayList<>(repository
                .find(query.toString(), sort, parameters)
                .range(0, page.limit())
                .list());
        return trimmed(rows, page, backwards);
    }

    /**
     * Keyset paging in rank order: {@code rank} (an integer HQL expression of the row, higher
     * first in the default descending order), then id. A cursor stands for its row's (rank, id).
     */
    static <E> Slice<E> fetchRanked(
            PanacheRepositoryBase<E, UUID> repository,
            String entity,
            String where,
            Map<String, Object> params,
            String rank,
            PageRequest page) {
        checkCursor(repository, where, params, "after", page.after());
        checkCursor(repository, where, params, "before", page.before());
        Parameters parameters = new Parameters();
        params.forEach(parameters::and);
        StringBuilder query = new StringBuilder(where);
        if (page.after() != null) {
            parameters
                    .and("after", page.after())
                    .and("afterRank", rankOf(repository, entity, rank, params, page.after()));
            query.append(
                    page.descending()
                            ? " and (" + rank + " < :afterRank or (" + rank + " = :afterRank and id < :after))"
                            : " and (" + rank + " > :afterRank or (" + rank + " = :afterRank and id > :after))");
        }
        if (page.before() != null) {
            parameters
                    .and("before", page.before())
                    .and("beforeRank", rankOf(repository, entity, rank, params, page.before()));
            query.append(
                    page.descending()
                            ? " and (" + rank + " > :beforeRank or (" + rank + " = :beforeRank and id > :before))"
                            : " and (" + rank + " < :beforeRank or (" + rank + " = :beforeRank and id < :before))");
        }
        boolean backwards = page.before() != null && page.after() == null;
        String direction = page.descending() != backwards ? " desc" : " asc";
        List<E> rows = new ArrayList<>(repository
                .find(query + " order by " + rank + direction + ", id" + direction, parameters)
                .range(0, page.limit())
                .list());
        return trimmed(rows, page, backwards);
    }

    /** A page from rows read one past the limit, turned round when they were read backwards. */
    private static <E> Slice<E> trimmed(List<E> rows, PageRequest page, boolean backwards) {
        boolean hasMore = rows.size() > page.limit();
        if (hasMore) {
            rows.removeLast();
        }
        if (backwards) {
            Collections.reverse(rows);
        }
        return new Slice<>(rows, hasMore);
    }

    private static <E> int rankOf(
            PanacheRepositoryBase<E, UUID> repository,
            String entity,
            String rank,
            Map<String, Object> params,
            UUID id) {
        var query = repository
                .getEntityManager()
                .createQuery("select " + rank + " from " + entity + " where id = :id", Integer.class)
                .setParameter("id", id);
        params.forEach((name, value) -> {
            if (rank.contains(":" + name)) {
                query.setParameter(name, value);
            }
        });
        return query.getSingleResult();
    }

    /** The same paging over a list already in memory, in id order (a branch of a conversation). */
    /** A 400 invalid-cursor: {@code cursor} ('after' or 'before') is not the id of an item of the list. */
    public static ProblemException unknownCursor(String cursor) {
        return new ProblemException(
                ProblemType.INVALID_CURSOR,
                "'" + cursor + "' is not the id of an item of this list",
                List.of(new Problem.FieldError(cursor, "unknown id")),
                null);
    }

    public static <E> Slice<E> slice(List<E> ascending, Function<E, UUID> id, PageRequest page) {
        List<UUID> ids = ascending.stream().map(id).toList();
        for (var cursor : List.of(
                Map.entry("after", Optional.ofNullable(page.after())),
                Map.entry("before", Optional.ofNullable(page.before())))) {
            if (cursor.getValue().isPresent() && !ids.contains(cursor.getValue().get())) {
                throw unknownCursor(cursor.getKey());
            }
        }
        List<E> ordered = new ArrayList<>(ascending);
        if (page.descending()) {
            Collections.reverse(ordered);
        }
        List<UUID> orderedIds = ordered.stream().map(id).toList();
        int from = page.after() == null ? 0 : orderedIds.indexOf(page.after()) + 1;
        int to = page.before() == null ? ordered.size() : orderedIds.indexOf(page.before());
        if (to < from) {
            return new Slice<>(List.of(), false);
        }
        List<E> window = ordered.subList(from, to);
        if (page.before() != null && page.after() == null) {
            // the items just ahead of 'before'
            int start = Math.max(0, window.size() - page.limit());
            return new Slice<>(List.copyOf(window.subList(start, window.size())), start > 0);
        }
        int end = Math.min(window.size(), page.limit());
        return new Slice<>(List.copyOf(window.subList(0, end)), window.size() > end);
    }

    private static <E> void checkCursor(
            PanacheRepositoryBase<E, UUID> repository,
            String where,
            Map<String, Object> params,
            String name,
            UUID cursor) {
        if (cursor == null) {
            return;
        }
        Parameters parameters = new Parameters();
        params.forEach(parameters::and);
        if (repository.count(where + " and id = :cursor", parameters.and("cursor", cursor)) == 0) {
            throw new ProblemException(
                    ProblemType.INVALID_CURSOR,
                    "'" + name + "' is not the id of an item of this list",
                    List.of(new Problem.FieldError(name, "unknown id")),
                    null);
        }
    }
}
