package dev.stepchat.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The API reference's problem table (docs/api.md, "Problems") names every problem type the
 * service answers with, in the row of its status, and no other: a client handles what it lists.
 */
class ProblemDocsTest {

    /** A row of the table: its statuses, then the cell of types. */
    private static final Pattern ROW = Pattern.compile("(?m)^\\| ([0-9, ]+) \\| ([^|]+) \\|");

    private static final Pattern SLUG = Pattern.compile("`([a-z-]+)`");

    @Test
    void theProblemTableListsEveryProblemTypeUnderItsStatus() throws IOException {
        String api = Files.readString(Path.of("docs/api.md"));
        String table = api.substring(api.indexOf("\n## Problems"));
        List<String> listed = new ArrayList<>();
        Matcher row = ROW.matcher(table);
        while (row.find()) {
            List<Integer> statuses = List.of(row.group(1).split(",")).stream()
                    .map(String::strip)
                    .map(Integer::valueOf)
                    .toList();
            Matcher slug = SLUG.matcher(row.group(2));
            while (slug.find()) {
                String name = slug.group(1);
                listed.add(name);
                ProblemType type = java.util.Arrays.stream(ProblemType.values())
                        .filter(t -> t.slug().equals(name))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("docs/api.md lists an unknown problem " + name));
                assertThat(statuses).as("the status of " + name).contains(type.status());
            }
        }
        assertThat(listed)
                .as("every problem type in docs/api.md's table")
                .containsAll(java.util.Arrays.stream(ProblemType.values())
                        .map(ProblemType::slug)
                        .toList());
    }
}
