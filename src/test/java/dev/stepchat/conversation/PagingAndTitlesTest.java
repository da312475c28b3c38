package dev.stepchat.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;

/** Paging parameters and automatic titles, without a running application. */
class PagingAndTitlesTest {

    @Test
    void pagingDefaultsAndCursors() {
        UUID after = UUID.randomUUID();
        assertThat(PageRequest.parse(null, null, null, null, true)).isEqualTo(new PageRequest(20, null, null, true));
        assertThat(PageRequest.parse("100", after.toString(), "", "asc", true))
                .isEqualTo(new PageRequest(100, after, null, false));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "0||||limit",
                "101||||limit",
                "2.5||||limit",
                "ten||||limit",
                "|x|||after",
                "||not-a-uuid||before",
                "|||ASC|order",
                "|||asc;drop|order",
                "|||random|order"
            })
    void pagingRefusesWhatItCannotRead(String limit, String after, String before, String order, String field) {
        assertThatThrownBy(() -> PageRequest.parse(limit, after, before, order, false))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.VALIDATION_FAILED);
                    assertThat(e.toProblem("/").errors())
                            .extracting(err -> err.field())
                            .containsExactly(field);
                });
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Hello|5|Hello",
                "'  Plan a trip\n to   Kyoto '|80|Plan a trip to Kyoto",
                "abcdef|3|abc",
                "量子计算的未来|4|量子计算",
                "😀😀😀|2|😀😀"
            })
    void titlesAreOneLineCutByCharacters(String content, int max, String title) {
        assertThat(Titles.fromFirstMessage(content, max)).isEqualTo(title);
    }
}
