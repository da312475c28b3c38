package dev.stepchat.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.restassured.path.json.JsonPath;

/** Reads the server-sent events of a turn the way a client does: id, event name and JSON data. */
public final class Sse {

    private Sse() {}

    public record Event(String id, String name, JsonPath data) {}

    public static BufferedReader lines(InputStream body) {
        return new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
    }

    /** The next event of a stream, or null at its end. */
    public static Event next(BufferedReader lines) throws IOException {
        String id = null;
        String name = null;
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.startsWith("id:")) {
                id = line.substring(3).strip();
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                return new Event(id, name, JsonPath.from(line.substring(5).strip()));
            }
        }
        return null;
    }

    /** Reads events until the stream ends; {@code onFirstDelta} runs as soon as the first delta is read. */
    public static List<Event> read(BufferedReader lines, Runnable onFirstDelta) throws IOException {
        List<Event> events = new ArrayList<>();
        try (lines) {
            Event event;
            while ((event = next(lines)) != null) {
                events.add(event);
                if (onFirstDelta != null && "delta".equals(event.name())) {
                    onFirstDelta.run();
                    onFirstDelta = null;
                }
            }
        }
        return events;
    }

    /** The text of the deltas of {@code events}, concatenated. */
    public static String text(List<Event> events) {
        StringBuilder text = new StringBuilder();
        events.stream()
                .filter(e -> "delta".equals(e.name()))
                .forEach(e -> text.append(
                        e.data().getString("content") == null ? "" : e.data().getString("content")));
        return text.toString();
    }
}
