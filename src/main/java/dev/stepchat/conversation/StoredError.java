package dev.stepchat.conversation;

import java.net.URI;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.stepchat.problem.Problem;

/**
 * Why a message's turn failed, as it is stored (the {@code message.error} JSON column). Kept apart
 * from the API's {@link Problem} so that the API can change without rewriting stored rows; its
 * JSON names are those the column has always held.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredError(
        String type, String title, int status, String detail, String instance, List<Field> errors, String requestId) {

    @RegisterForReflection
    public record Field(String field, String message) {}

    public static StoredError of(Problem problem) {
        List<Field> fields = problem.errors() == null
                ? null
                : problem.errors().stream()
                        .map(e -> new Field(e.field(), e.message()))
                        .toList();
        return new StoredError(
                problem.type().toString(),
                problem.title(),
                problem.status(),
                problem.detail(),
                problem.instance(),
                fields,
                problem.requestId());
    }

    public Problem toProblem() {
        List<Problem.FieldError> fields = errors == null
                ? null
                : errors.stream()
                        .map(e -> new Problem.FieldError(e.field(), e.message()))
                        .toList();
        return new Problem(URI.create(type), title, status, detail, instance, fields, requestId);
    }
}
