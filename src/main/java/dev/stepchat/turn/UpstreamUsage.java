package dev.stepchat.turn;

import dev.stepchat.stepfun.Usage;
import dev.stepchat.usage.TokenUsage;

/** StepFun's usage object (the wire) as the service's tokens (the domain): the one place that maps one to the other. */
final class UpstreamUsage {

    private UpstreamUsage() {}

    /** The tokens of an answer; {@link TokenUsage#ZERO} when StepFun sent no usage. */
    static TokenUsage of(Usage usage) {
        if (usage == null) {
            return TokenUsage.ZERO;
        }
        return new TokenUsage(usage.promptOrZero(), usage.completionOrZero(), usage.totalOrSum(), usage.cachedOrZero());
    }
}
