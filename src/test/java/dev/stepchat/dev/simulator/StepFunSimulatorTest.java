package dev.stepchat.dev.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stepchat.stepfun.ChatCompletionRequest;
import dev.stepchat.stepfun.ChatCompletionRequest.ChatMessage;
import dev.stepchat.stepfun.WireToolCall;

/** The dev-mode simulator plays a model that calls tools, so the whole loop runs offline. */
class StepFunSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ChatCompletionRequest request(List<ChatMessage> messages, String tools, String choice)
            throws Exception {
        JsonNode offered = tools == null ? null : JSON.readTree(tools);
        JsonNode chosen = choice == null ? null : JSON.readTree(choice);
        return new ChatCompletionRequest("step-3.5-flash", messages, null, null, null, null, offered, chosen);
    }

    private static final String TOOLS = """
            [{"type":"web_search"},{"type":"function","function":{"name":"get_weather"}}]""";

    @Test
    void offeredFunctionsItCallsTheFirstWithTheUsersWords() throws Exception {
        var call =
                StepFunSimulator.toolCall(request(List.of(new ChatMessage("user", "Weather in Kyoto?")), TOOLS, null));
        assertThat(call).hasValueSatisfying(c -> {
            assertThat(c.function().name()).isEqualTo("get_weather");
            assertThat(c.id()).startsWith("call_sim_");
            assertThat(c.function().arguments()).isEqualTo("{\"query\":\"Weather in Kyoto?\"}");
        });
    }

    @Test
    void withoutToolsWithToolChoiceNoneOrAfterResultsItAnswersInText() throws Exception {
        assertThat(StepFunSimulator.toolCall(request(List.of(new ChatMessage("user", "hi")), null, null)))
                .isEmpty();
        assertThat(StepFunSimulator.toolCall(request(List.of(new ChatMessage("user", "hi")), TOOLS, "\"none\"")))
                .isEmpty();
        List<ChatMessage> results = List.of(
                new ChatMessage("user", "Weather?"),
                new ChatMessage(
                        "assistant",
                        "",
                        List.of(new WireToolCall(
                                null, "c1", "function", new WireToolCall.Function("get_weather", "{}"))),
                        null,
                        null),
                new ChatMessage("tool", "sunny", null, "c1", null));
        ChatCompletionRequest answered = request(results, TOOLS, null);
        assertThat(StepFunSimulator.toolCall(answered)).isEmpty();
        assertThat(StepFunSimulator.reply(answered)).contains("tool results").contains("sunny");
    }
}
