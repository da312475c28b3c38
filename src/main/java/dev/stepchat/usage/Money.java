package dev.stepchat.usage;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Costs as the API shows them: decimal strings with 8 places, never floating point. */
public final class Money {

    public static final int SCALE = 8;

    private Money() {}

    /** A cost rounded half-even to 8 places. */
    public static BigDecimal round(BigDecimal value) {
        return value.setScale(SCALE, RoundingMode.HALF_EVEN);
    }

    /** "0.00023100"; null for null. */
    public static String format(BigDecimal value) {
        return value == null ? null : round(value).toPlainString();
    }
}
