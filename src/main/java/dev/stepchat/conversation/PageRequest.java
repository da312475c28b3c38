package dev.stepchat.conversation;

import java.util.UUID;

import dev.stepchat.problem.ProblemException;

/**
 * The paging query parameters of a list: {@code limit} 1..100, cursors {@code after} and
 * {@code before} (ids of items of the same list), {@code order}.
 */
public record PageRequest(int limit, UUID after, UUID before, boolean descending) {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    /** Parses the raw query parameters; anything out of range is a validation problem naming it. */
    public static PageRequest parse(
            String limit, String after, String before, String order, boolean descendingByDefault) {
        int size = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit.strip());
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > MAX_LIMIT) {
                throw ProblemException.invalid("limit", "must be a whole number from 1 to " + MAX_LIMIT);
            }
        }
        boolean descending = descendingByDefault;
        if (order != null) {
            descending = switch (order) {
                case "asc" -> false;
                case "desc" -> true;
                default -> throw ProblemException.invalid("order", "must be asc or desc");
            };
        }
        return new PageRequest(size, cursor("after", after), cursor("before", before), descending);
    }

    private static UUID cursor(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid(name, "must be the id of an item of this list");
        }
    }
}
