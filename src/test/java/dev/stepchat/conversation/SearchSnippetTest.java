package dev.stepchat.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The snippet a search shows around its match. */
class SearchSnippetTest {

    @Test
    void theSnippetShowsTheMatchWhateverTheTextBeforeIt() {
        // İ's lower case has two characters: positions in the lower case are not positions in the text
        String text = "İ".repeat(200) + " needle in the text";
        assertThat(Search.snippet(text, List.of("NEEDLE"))).startsWith("…").contains("needle in the text");
        assertThat(Search.snippet("Straße nach İzmir", List.of("izmir"))).isEqualTo("Straße nach İzmir");
        assertThat(Search.snippet("x".repeat(300), List.of("absent")))
                .hasSize(71)
                .endsWith("…");
    }
}
