package dev.stepchat.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.stepchat.conversation.ToolCall;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.turn.api.ToolCallDelta;

/** Where a reader of a stream is, as event ids say it, and the tool calls laid out as one stream. */
class CursorAndToolStreamTest {

    @Test
    void eventIdsAreReadBackAsTheCursorsTheyWrite() {
        Cursor text = Cursor.at(12, 3, 0);
        assertThat(text.id()).isEqualTo("12.3");
        assertThat(Cursor.parse(text.id())).isEqualTo(text);
        Cursor tools = Cursor.at(0, 0, 17);
        assertThat(tools.id()).isEqualTo("0.0.17");
        assertThat(Cursor.parse("0.0.17")).isEqualTo(tools);
        assertThat(Cursor.parse(null)).isEqualTo(Cursor.BEFORE_START);
        assertThat(Cursor.parse("end").ended()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "1", "1.2.3.4", "-1.0", "1.-2", "1.2.-3", "a.b"})
    void anythingElseIsA400(String id) {
        assertThatThrownBy(() -> Cursor.parse(id)).isInstanceOf(ProblemException.class);
    }

    private static final List<ToolCall> CALLS = List.of(
            ToolCall.function("a", "get_weather", "{\"city\":\"Oslo\"}"), ToolCall.function("b", "get_time", "{}"));

    @Test
    void fromAnyPositionTheRestOfTheCallsArrivesOnce() {
        int length = ToolStream.length(CALLS);
        assertThat(length).isEqualTo(1 + 15 + 1 + 2);
        for (int position = 0; position <= length; position++) {
            List<ToolCallDelta> rest = ToolStream.from(CALLS, position);
            List<String[]> seen = new ArrayList<>();
            // what a reader had before: the stream up to position, rebuilt the same way from 0 on a prefix
            for (int p = 0; p < position; p++) {
                merge(seen, ToolStream.from(prefix(p + 1), p));
            }
            merge(seen, rest);
            assertThat(seen)
                    .extracting(call -> call[0] + " " + call[1] + " " + call[2])
                    .containsExactly("a get_weather {\"city\":\"Oslo\"}", "b get_time {}");
        }
        assertThat(ToolStream.from(CALLS, length)).isNull();
        assertThat(ToolStream.from(List.of(), 0)).isNull();
    }

    /** The calls as they were when the stream had {@code units} units. */
    private static List<ToolCall> prefix(int units) {
        List<ToolCall> calls = new ArrayList<>();
        int left = units;
        for (ToolCall call : CALLS) {
            if (left <= 0) {
                break;
            }
            left--;
            String arguments = call.function().arguments();
            int taken = Math.min(left, arguments.length());
            calls.add(ToolCall.function(call.id(), call.function().name(), arguments.substring(0, taken)));
            left -= taken;
        }
        return calls;
    }

    private static void merge(List<String[]> calls, List<ToolCallDelta> pieces) {
        if (pieces == null) {
            return;
        }
        for (ToolCallDelta piece : pieces) {
            while (calls.size() <= piece.index()) {
                calls.add(new String[] {"", "", ""});
            }
            String[] call = calls.get(piece.index());
            if (piece.id() != null) {
                assertThat(call[0]).isEmpty();
                call[0] = piece.id();
                call[1] = piece.function().name();
            }
            call[2] += piece.function().arguments();
        }
    }
}
