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
     * Keyset paging over a list made of segments, highest rank first (in the default descending
     * order): all rows of {@code segments[0]}, then all of {@code segments[1]}, each by id. Each
     * segment is read by a query of its own that stops at the page, so that an index in id order
     * can answer it without reading the whole list (a rank expression in ORDER BY could not). The
     * segments must not overlap. A cursor stands for its row's (segment, id). {@code leading}
     * names a column put ahead of id in ORDER BY, the same for every row of the list: it makes an
     * index that starts with it the only one that gives the order (see the caller).
     */
    static <E> Slice<E> fetchSegments(
            PanacheRepositoryBase<E, UUID> repository,
            String where,
            Map<String, Object> params,
            List<String> segments,
            String leading,
            PageRequest page) {
        Integer afterSegment = segmentOf(repository, where, params, segments, "after", page.after());
        Integer beforeSegment = segmentOf(repository, where, params, segments, "before", page.before());
        // the list's order of segments, then the order they are read in
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            order.add(page.descending() ? i : segments.size() - 1 - i);
        }
        boolean backwards = page.before() != null && page.after() == null;
        List<Integer> walk = backwards ? order.reversed() : order;
        if (afterSegment != null
                && beforeSegment != null
                && order.indexOf(beforeSegment) < order.indexOf(afterSegment)) {
            return new Slice<>(List.of(), false);
        }
        Integer start = backwards ? beforeSegment : afterSegment;
        boolean idDescending = page.descending() != backwards;
        Sort.Direction direction = idDescending ? Sort.Direction.Descending : Sort.Direction.Ascending;
        Sort sort = Sort.by(leading, direction).and("id", direction);
        List<E> rows = new ArrayList<>();
        for (int segment : walk.subList(start == null ? 0 : walk.indexOf(start), walk.size())) {
            Parameters parameters = new Parameters();
            params.forEach(parameters::and);
            StringBuilder query = new StringBuilder(where)
                    .append(" and (")
                    .append(segments.get(segment))
                    .append(')');
            if (page.after() != null && segment == afterSegment) {
                query.append(page.descending() ? " and id < :after" : " and id > :after");
                parameters.and("after", page.after());
            }
            if (page.before() != null && segment == beforeSegment) {
                query.append(page.descending() ? " and id > :before" : " and id < :before");
                parameters.and("before", page.before());
            }
            rows.addAll(repository
                    .find(query.toString(), sort, parameters)
                    .range(0, page.limit() - rows.size())
                    .list());
            boolean lastBeforeCursor = !backwards && beforeSegment != null && segment == beforeSegment;
            if (rows.size() > page.limit() || lastBeforeCursor) {
                break;
            }
        }
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

    /** The segment the cursor's row is in, or null without a cursor; a 400 if it is in none. */
    private static <E> Integer segmentOf(
            PanacheRepositoryBase<E, UUID> repository,
            String where,
            Map<String, Object> params,
            List<String> segments,
            String name,
            UUID cursor) {
        if (cursor == null) {
            return null;
        }
        for (int i = 0; i < segments.size(); i++) {
            Parameters parameters = new Parameters();
            params.forEach(parameters::and);
            String query = where + " and (" + segments.get(i) + ") and id = :cursor";
            if (repository.count(query, parameters.and("cursor", cursor)) > 0) {
                return i;
            }
        }
        throw unknownCursor(name);
    }

    /** A 400 invalid-cursor: {@code cursor} ('after' or 'before') is not the id of an item of the list. */
    public static ProblemException unknownCursor(String cursor) {
        return new ProblemException(
                ProblemType.INVALID_CURSOR,
                "'" + cursor + "' is not the id of an item of this list",
                List.of(new Problem.FieldError(cursor, "unknown id")),
                null);
    }

    /** The same paging over a list already in memory, in id order (a branch of a conversation). */
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
            throw unknownCursor(name);
        }
    }
}
