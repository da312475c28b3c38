package dev.stepchat.problem;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** A time in a query parameter: an RFC 3339 time, or a date (its UTC midnight). */
public final class TimeParam {

    private TimeParam() {}

    /** Parses {@code value}; a 400 validation-failed naming {@code field} when it is neither. */
    public static Instant parse(String field, String value) {
        try {
            if (value.length() == 10) {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(
                    field, "must be an RFC 3339 time (2026-11-01T00:00:00Z) or a date (2026-11-01)");
        }
    }
}
