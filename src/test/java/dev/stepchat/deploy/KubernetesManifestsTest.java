package dev.stepchat.deploy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.stepchat.support.EmbeddedPostgresResource;
import dev.stepchat.support.StepFunStub;

/**
 * k8s/ as Kubernetes and the application would see it: every manifest of the base loads into the
 * fabric8 model with no unknown field, every overlay renders with the real kustomize
 * ({@code kubectl kustomize}), and what must agree with the application does: probe paths answer
 * on the running application, the port, the environment variables (each one the application
 * documents), the security settings and a pinned image.
 */
@QuarkusTest
@WithTestResource(value = EmbeddedPostgresResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = StepFunStub.class, scope = TestResourceScope.MATCHING_RESOURCES)
class KubernetesManifestsTest {

    static final Path K8S = Path.of("k8s/base");
    static final Path OVERLAYS = Path.of("k8s/overlays");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The kustomization rendered: its resources, in order, as fabric8 objects. */
    static Map<String, HasMetadata> render() throws IOException {
        JsonNode kustomization = YAML.readTree(K8S.resolve("kustomization.yaml").toFile());
        assertThat(kustomization.path("kind").asText()).isEqualTo("Kustomization");
        Map<String, HasMetadata> resources = new LinkedHashMap<>();
        for (JsonNode file : kustomization.path("resources")) {
            Path path = K8S.resolve(file.asText());
            assertThat(path).as("kustomization resource").exists();
            try (InputStream in = Files.newInputStream(path)) {
                HasMetadata resource = Serialization.unmarshal(in);
                List<String> unknown = new ArrayList<>();
                unknownFields(resource, file.asText(), unknown);
                assertThat(unknown).as("fields Kubernetes does not know").isEmpty();
                resources.put(resource.getKind(), resource);
            }
        }
        return resources;
    }

    @Test
    void everyManifestIsValidAndReferencedByTheKustomization() throws IOException {
        Map<String, HasMetadata> resources = render();
        assertThat(resources.keySet())
                .contains(
                        "Deployment",
                        "Service",
                        "ConfigMap",
                        "ServiceAccount",
                        "HorizontalPodAutoscaler",
                        "PodDisruptionBudget",
                        "NetworkPolicy");
        try (var files = Files.list(K8S)) {
            assertThat(files.filter(Files::isRegularFile)
                            .map(p -> p.getFileName().toString())
                            .filter(n -> !n.equals("kustomization.yaml")))
                    .as("every manifest is in the kustomization (overlays are folders)")
                    .hasSize(resources.size());
        }
        JsonNode image = YAML.readTree(K8S.resolve("kustomization.yaml").toFile())
                .path("images")
                .get(0);
        assertThat(image.path("newTag").asText()).isNotBlank().isNotEqualTo("latest");
        assertThat(image.path("name").asText())
                .isEqualTo(deployment(resources).getContainers().getFirst().getImage());
        assertThat(((ServiceAccount) resources.get("ServiceAccount")).getAutomountServiceAccountToken())
                .isFalse();
    }

    @Test
    void probesPortAndShutdownAgreeWithTheApplication() throws IOException {
        Container container = deployment(render()).getContainers().getFirst();
        assertThat(container.getPorts().getFirst().getContainerPort())
                .isEqualTo(Integer.parseInt(applicationProperties().getProperty("quarkus.http.port")));
        for (Probe probe :
                List.of(container.getStartupProbe(), container.getLivenessProbe(), container.getReadinessProbe())) {
            String path = probe.getHttpGet().getPath();
            assertThat(probe.getHttpGet().getPort().getStrVal())
                    .isEqualTo(container.getPorts().getFirst().getName());
            given().when().get(path).then().statusCode(200);
        }
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");

        Properties app = applicationProperties();
        long shutdown =
                Duration.parse("PT" + app.getProperty("quarkus.shutdown.delay")).toSeconds()
                        + Duration.parse("PT" + app.getProperty("quarkus.shutdown.timeout"))
                                .toSeconds();
        assertThat(deployment(render()).getTerminationGracePeriodSeconds()).isGreaterThan(shutdown);
    }

    @Test
    void everyEnvironmentVariableIsOneTheApplicationDocumentsAndReads() throws IOException {
        Map<String, HasMetadata> resources = render();
        Set<String> documented = documentedVariables();
        Set<String> given =
                new HashSet<>(((ConfigMap) resources.get("ConfigMap")).getData().keySet());
        Container container = deployment(resources).getContainers().getFirst();
        for (EnvVar env : container.getEnv()) {
            given.add(env.getName());
            if (env.getValueFrom() != null) {
                assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("stepchat-secrets");
            }
        }
        assertThat(documented).containsAll(given);
        assertThat(given)
                .contains(
                        "QUARKUS_DATASOURCE_JDBC_URL",
                        "QUARKUS_DATASOURCE_PASSWORD",
                        "STEP_API_KEY",
                        "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                        "MP_JWT_VERIFY_ISSUER");
        assertThat(container.getEnvFrom().getFirst().getConfigMapRef().getName())
                .isEqualTo(resources.get("ConfigMap").getMetadata().getName());
        try (var files = Files.walk(Path.of("k8s"))) {
            assertThat(files.filter(Files::isRegularFile).filter(p -> read(p).contains("kind: Secret")))
                    .as("no Secret values committed")
                    .isEmpty();
        }
    }

    @Test
    void podsRunLockedDown() throws IOException {
        PodSpec pod = deployment(render());
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        Container container = pod.getContainers().getFirst();
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(container.getVolumeMounts()).extracting("mountPath").containsExactly("/tmp");
        assertThat(pod.getVolumes().getFirst().getEmptyDir()).isNotNull();
    }

    /**
     * Every overlay as kubectl renders it (kustomize refuses, for instance, an overlay inside its
     * base's folder, or a patch that replaces a field the base lacks): native is the base; jvm
     * runs as the JVM image's user with a memory limit its heap ratio leaves room in; cnpg adds a
     * CloudNativePG Cluster and points the service at its read-write Service and generated Secret.
     * Without kubectl the test is skipped, unless {@code -Dkustomize-tests=required} (as in CI).
     */
    @Test
    void everyOverlayRendersWithKustomize() throws Exception {
        try (var overlays = Files.list(OVERLAYS)) {
            assertThat(overlays.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("native", "jvm", "cnpg");
        }
        Map<String, JsonNode> natively = kustomize("native");
        assertThat(natively.keySet())
                .containsExactlyInAnyOrderElementsOf(render().values().stream()
                        .map(resource -> resource.getKind() + "/"
                                + resource.getMetadata().getName())
                        .toList());
        assertThat(natively.get("Deployment/stepchat")
                        .at("/spec/template/spec/containers/0/image")
                        .asText())
                .isEqualTo("ghcr.io/stepchat/stepchat:1.0.0");

        Map<String, JsonNode> jvm = kustomize("jvm");
        PodSpec pod = Serialization.unmarshal(YAML.writeValueAsString(jvm.get("Deployment/stepchat")), Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec();
        String dockerfile = Files.readString(Path.of("docker/Dockerfile.jvm"));
        assertThat(dockerfile)
                .contains("USER " + pod.getSecurityContext().getRunAsUser())
                .contains("ENV JAVA_MAX_MEM_RATIO=40");
        assertThat(pod.getContainers()
                        .getFirst()
                        .getResources()
                        .getLimits()
                        .get("memory")
                        .toString())
                .isEqualTo("768Mi");
        assertThat(pod.getContainers().getFirst().getImage()).isEqualTo("ghcr.io/stepchat/stepchat:1.0.0-jvm");

        Map<String, JsonNode> cnpg = kustomize("cnpg");
        JsonNode cluster = cnpg.get("Cluster/stepchat-db");
        assertThat(cluster.path("apiVersion").asText()).isEqualTo("postgresql.cnpg.io/v1");
        assertThat(cluster.at("/spec/instances").asInt())
                .as("a primary and a standby")
                .isEqualTo(2);
        assertThat(cnpg.get("ConfigMap/stepchat-config")
                        .at("/data/QUARKUS_DATASOURCE_JDBC_URL")
                        .asText())
                .isEqualTo("jdbc:postgresql://stepchat-db-rw:5432/"
                        + cluster.at("/spec/bootstrap/initdb/database").asText() + "?targetServerType=primary");
        Map<String, String> secretOf = new LinkedHashMap<>();
        for (JsonNode env : cnpg.get("Deployment/stepchat").at("/spec/template/spec/containers/0/env")) {
            secretOf.put(
                    env.path("name").asText(),
                    env.at("/valueFrom/secretKeyRef/name").asText());
        }
        assertThat(secretOf)
                .containsEntry("QUARKUS_DATASOURCE_USERNAME", "stepchat-db-app")
                .containsEntry("QUARKUS_DATASOURCE_PASSWORD", "stepchat-db-app")
                .containsEntry("STEP_API_KEY", "stepchat-secrets");
        assertThat(cnpg.get("ConfigMap/stepchat-config")
                        .at("/data/QUARKUS_DATASOURCE_USERNAME")
                        .isMissingNode())
                .isTrue();
    }

    /** {@code kubectl kustomize k8s/overlays/<overlay>}: its resources by kind/name. */
    private static Map<String, JsonNode> kustomize(String overlay) throws Exception {
        Process kubectl;
        try {
            kubectl = new ProcessBuilder(
                            "kubectl", "kustomize", OVERLAYS.resolve(overlay).toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException noKubectl) {
            if ("required".equals(System.getProperty("kustomize-tests"))) {
                throw new AssertionError("kubectl is required (-Dkustomize-tests=required) but cannot run", noKubectl);
            }
            Assumptions.abort("kubectl is not installed: the overlays are not rendered");
            throw noKubectl;
        }
        String rendered = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor())
                .as("kubectl kustomize k8s/overlays/" + overlay + ":\n" + rendered)
                .isZero();
        Map<String, JsonNode> resources = new LinkedHashMap<>();
        try (MappingIterator<JsonNode> documents =
                YAML.readerFor(JsonNode.class).readValues(rendered)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                resources.put(
                        document.path("kind").asText() + "/"
                                + document.at("/metadata/name").asText(),
                        document);
            }
        }
        return resources;
    }

    private static PodSpec deployment(Map<String, HasMetadata> resources) {
        return ((Deployment) resources.get("Deployment"))
                .getSpec()
                .getTemplate()
                .getSpec();
    }

    /** The environment variables of the README's configuration table. */
    private static Set<String> documentedVariables() throws IOException {
        Set<String> names = new HashSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `[^`]+` \\| `([A-Z0-9_]+)` \\|")
                .matcher(Files.readString(Path.of("README.md")));
        while (row.find()) {
            names.add(row.group(1));
        }
        assertThat(names).hasSizeGreaterThan(10);
        return names;
    }

    private static Properties applicationProperties() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        return properties;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** fabric8 keeps fields its model does not know in additionalProperties: there must be none. */
    private static void unknownFields(Object value, String where, List<String> unknown) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, where + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, where + "." + k, unknown));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object field = getter.invoke(value);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        unknown.add(where + ": " + extra.keySet());
                    }
                } else {
                    unknownFields(field, where + "." + getter.getName().substring(3), unknown);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
