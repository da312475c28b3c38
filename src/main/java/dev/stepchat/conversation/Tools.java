package dev.stepchat.conversation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;

/**
 * The tools a conversation or a turn offers the model, checked as OpenAI and StepFun define them,
 * then kept and sent exactly as given: at most 128; a function tool has a name of at most 64
 * letters, digits, {@code _} or {@code -} (unique among the tools) and, when it has parameters, a
 * JSON Schema object; StepFun's built-in tools (any other {@code type}) pass through.
 */
public final class Tools {

    public static final int MAX = 128;
    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");
    private static final Set<String> CHOICES = Set.of("auto", "none", "required");

    private Tools() {}

    /** The tools of a request (field {@code field}); null (or JSON null) when none. */
    public static JsonNode check(JsonNode tools, String field) {
        if (tools == null || tools.isNull()) {
            return null;
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        if (!tools.isArray()) {
            throw ProblemException.invalid(field, "must be a list of tools or null");
        }
        if (tools.size() > MAX) {
            throw ProblemException.invalid(field, "must hold at most " + MAX + " tools");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String at = field + "[" + i + "]";
            if (!tool.isObject()
                    || !tool.path("type").isTextual()
                    || tool.get("type").textValue().isBlank()) {
                errors.add(new Problem.FieldError(at + ".type", "must be function or a StepFun built-in tool type"));
                continue;
            }
            if (!"function".equals(tool.get("type").textValue())) {
                continue; // a built-in tool: passed through as given
            }
            JsonNode function = tool.get("function");
            if (function == null || !function.isObject()) {
                errors.add(new Problem.FieldError(at + ".function", "must be an object with name and parameters"));
                continue;
            }
            JsonNode name = function.get("name");
            if (name == null
                    || !name.isTextual()
                    || !NAME.matcher(name.textValue()).matches()) {
                errors.add(new Problem.FieldError(at + ".function.name", "must be 1 to 64 letters, digits, _ or -"));
            } else if (!names.add(name.textValue())) {
                errors.add(new Problem.FieldError(at + ".function.name", "must be unique among the tools"));
            }
            JsonNode parameters = function.get("parameters");
            if (parameters != null
                    && !parameters.isNull()
                    && (!parameters.isObject()
                            || (parameters.has("type")
                                    && !"object".equals(parameters.get("type").asText())))) {
                errors.add(new Problem.FieldError(
                        at + ".function.parameters", "must be a JSON Schema object (type object)"));
            }
            JsonNode description = function.get("description");
            if (description != null && !description.isNull() && !description.isTextual()) {
                errors.add(new Problem.FieldError(at + ".function.description", "must be text"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ProblemException(ProblemType.VALIDATION_FAILED, "The request has invalid fields", errors, null);
        }
        return tools.isEmpty() ? null : tools;
    }

    /**
     * A turn's tool_choice: {@code auto}, {@code none}, {@code required}, or a named function among
     * {@code tools}; null when none. Asking for a choice with no tools is a 400.
     */
    public static JsonNode checkChoice(JsonNode choice, JsonNode tools) {
        if (choice == null || choice.isNull()) {
            return null;
        }
        if (tools == null) {
            throw ProblemException.invalid("tool_choice", "needs tools (on the turn or its conversation)");
        }
        if (choice.isTextual() && CHOICES.contains(choice.textValue())) {
            return choice;
        }
        if (choice.isObject() && "function".equals(choice.path("type").asText(null))) {
            String name = choice.path("function").path("name").asText(null);
            for (JsonNode tool : tools) {
                if ("function".equals(tool.path("type").asText())
                        && tool.path("function").path("name").asText("").equals(name)) {
                    return choice;
                }
            }
            throw ProblemException.invalid("tool_choice.function.name", "must name one of the function tools");
        }
        throw ProblemException.invalid(
                "tool_choice", "must be auto, none, required or {\"type\":\"function\",\"function\":{\"name\"}}");
    }
}
