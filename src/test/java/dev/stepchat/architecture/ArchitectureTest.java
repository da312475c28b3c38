package dev.stepchat.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The house's one-way structure, checked on the compiled classes of {@code src/main/java}: the
 * packages form no cycle, the StepFun wire knows nothing of our domain, dev-only tooling is used by
 * nothing else, and every edge shows in an import block (no inline {@code dev.stepchat.} names); the
 * chat page's URLs of the API live in {@code api.js} alone.
 */
class ArchitectureTest {

    private static JavaClasses main;

    @BeforeAll
    static void importMain() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.stepchat");
    }

    @Test
    void thePackagesFormNoCycle() {
        slices().matching("dev.stepchat.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void theStepFunWireKnowsNothingOfTheDomain() {
        classes()
                .that()
                .resideInAPackage("dev.stepchat.stepfun..")
                .should()
                .onlyDependOnClassesThat(resideOutsideOfPackage("dev.stepchat..")
                        .or(resideInAnyPackage("dev.stepchat.stepfun..", "dev.stepchat.config..")))
                .check(main);
    }

    @Test
    void devToolingIsUsedByNothingElse() {
        noClasses()
                .that()
                .resideOutsideOfPackage("dev.stepchat.dev..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("dev.stepchat.dev..")
                .check(main);
    }

    @Test
    void queriesAreNeverNativeEntityManagerStrings() {
        // plain SQL goes through db.Jdbc (positional parameters, the hot path); the rest is Panache
        noClasses()
                .should()
                .callMethod(EntityManager.class, "createNativeQuery", String.class)
                .orShould()
                .callMethod(EntityManager.class, "createNativeQuery", String.class, Class.class)
                .check(main);
    }

    @Test
    void everyEdgeShowsInAnImportBlock() throws IOException {
        Pattern inline = Pattern.compile("(?<![\\w.\"])dev\\.stepchat\\.(?:[a-z]\\w*\\.)+[A-Z]\\w*");
        List<String> found = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source :
                    sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                List<String> lines = Files.readAllLines(source);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i);
                    if (line.startsWith("import ") || line.startsWith("package ")) {
                        continue;
                    }
                    Matcher m = inline.matcher(line);
                    while (m.find()) {
                        if (line.substring(0, m.start())
                                                .chars()
                                                .filter(c -> c == '"')
                                                .count()
                                        % 2
                                == 0) {
                            found.add(source + ":" + (i + 1) + ": " + m.group());
                        }
                    }
                }
            }
        }
        assertThat(found)
                .as("fully-qualified dev.stepchat names written inline (import them)")
                .isEmpty();
    }

    @Test
    void thePageNamesTheApisUrlsInApiJsOnly() throws IOException {
        String app = Files.readString(Path.of("src/main/resources/META-INF/resources/chat/app.js"));
        Matcher url = Pattern.compile("['\"`]/(conversations|models|usage|admin|me|files|v1)\\b")
                .matcher(app);
        assertThat(url.find())
                .as("an API URL in app.js (name the operation in api.js)")
                .isFalse();
    }
}
