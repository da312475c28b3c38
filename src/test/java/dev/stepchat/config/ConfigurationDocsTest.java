package dev.stepchat.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * The fault-tolerance values of the StepFun client have one source, application.properties; the
 * README's configuration table must say the same keys, environment variables and defaults.
 */
class ConfigurationDocsTest {

    private static final Pattern PROPERTY = Pattern.compile(
            "(?m)^(quarkus\\.fault-tolerance\\.\"dev\\.stepchat\\.stepfun\\.StepFunClient\"\\.[a-z.-]+)=\\$\\{([A-Z_]+):([^}]+)}$");

    @Test
    void theReadmeTableMatchesTheFaultToleranceProperties() throws IOException {
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        String readme = Files.readString(Path.of("README.md"));
        Map<String, String[]> documented = new LinkedHashMap<>();
        Matcher property = PROPERTY.matcher(properties);
        while (property.find()) {
            documented.put(property.group(1), new String[] {property.group(2), property.group(3)});
        }
        assertThat(documented)
                .as("fault-tolerance properties with an environment variable")
                .hasSizeGreaterThanOrEqualTo(10);
        documented.forEach((key, envAndDefault) -> assertThat(readme)
                .as("README row for " + key)
                .contains("| `" + key + "` | `" + envAndDefault[0] + "` | `" + envAndDefault[1] + "` |"));
    }
}
