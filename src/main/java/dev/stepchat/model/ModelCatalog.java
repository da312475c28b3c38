package dev.stepchat.model;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;

import dev.stepchat.problem.Problem;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;
import dev.stepchat.stepfun.ModelList;
import dev.stepchat.stepfun.StepFunClient;

/**
 * The model catalogue: StepFun's model list merged with the configured facts of each model
 * (context window, display name). The list is kept for {@code stepchat.models.cache-for}; when
 * StepFun cannot be asked, the last good list is served, and with none, the configured models.
 * Models are validated only against a list StepFun gave: without one, any model goes through.
 */
@ApplicationScoped
public class ModelCatalog {

    private record Loaded(Set<String> ids, Instant at) {}

    /** Longer than the models call's own timeout: only a call that never ends waits this long. */
    private static final Duration MAX_WAIT = Duration.ofSeconds(10);

    private final java.util.concurrent.locks.ReentrantLock refreshing = new java.util.concurrent.locks.ReentrantLock();
    private final StepFunClient stepFun;
    private final ModelsConfig config;
    private volatile Loaded loaded;
    private volatile Instant failedAt;

    ModelCatalog(StepFunClient stepFun, ModelsConfig config) {
        this.stepFun = stepFun;
        this.config = config;
    }

    /** GET /models. */
    public ModelListView list() {
        Set<String> ids = new TreeSet<>(known().orElse(config.catalog().keySet()));
        List<ModelView> models = new ArrayList<>();
        for (String id : ids) {
            ModelsConfig.Facts facts = config.catalog().get(id);
            models.add(new ModelView(
                    id,
                    "model",
                    facts == null || facts.contextWindow().isEmpty()
                            ? null
                            : facts.contextWindow().getAsInt(),
                    facts == null ? null : facts.displayName().orElse(null),
                    facts == null
                            ? null
                            : facts.price()
                                    .map(p -> new ModelView.Pricing(
                                            p.input().toPlainString(),
                                            p.cachedInput().toPlainString(),
                                            p.output().toPlainString(),
                                            p.perTokens(),
                                            config.currency()))
                                    .orElse(null),
                    capabilities(facts)));
        }
        return new ModelListView("list", models);
    }

    /** The ids StepFun listed (possibly a while ago), or empty when it never answered. */
    public Optional<Set<String>> known() {
        Loaded current = loaded;
        Instant now = Instant.now();
        if (current == null || current.at().plus(config.cacheFor()).isBefore(now)) {
            current = refresh(current, now);
        }
        return current == null ? Optional.empty() : Optional.of(current.ids());
    }

    /** Refuses a model the list does not know, with a 400 {@code unknown-model} naming {@code field}. */
    public void check(String field, String model) {
        if (model == null) {
            return;
        }
        Optional<Set<String>> ids = known();
        if (ids.isPresent() && !ids.get().contains(model)) {
            throw new ProblemException(
                    ProblemType.UNKNOWN_MODEL,
                    "Unknown model '" + shorten(model) + "'; known models: "
                            + String.join(", ", new TreeSet<>(ids.get())),
                    List.of(new Problem.FieldError(field, "not a model of GET /models")),
                    null);
        }
    }

    /**
     * Refuses tools for a model whose configured facts say it takes none: a 400
     * {@code model-cannot-use-tools} naming the model.
     */
    public void checkTools(String model) {
        ModelsConfig.Facts facts = model == null ? null : config.catalog().get(model);
        if (facts != null && !facts.tools().orElse(true)) {
            throw new ProblemException(
                    ProblemType.MODEL_CANNOT_USE_TOOLS,
                    "The model " + model + " does not take tools; choose another model or send the turn without"
                            + " tools");
        }
    }

    /** What a model takes: unconfigured, tools are assumed (StepFun says if not), images and reasoning are not. */
    static ModelView.Capabilities capabilities(ModelsConfig.Facts facts) {
        return facts == null
                ? new ModelView.Capabilities(false, true, false)
                : new ModelView.Capabilities(
                        facts.vision().orElse(false),
                        facts.tools().orElse(true),
                        facts.reasoning().orElse(false));
    }

    /** Refuses images for a model that does not take them: 400 model-cannot-see. */
    public void checkVision(String model) {
        if (!capabilities(model == null ? null : config.catalog().get(model)).vision()) {
            throw new ProblemException(
                    ProblemType.MODEL_CANNOT_SEE,
                    "The model " + model + " does not take images; choose a model whose capabilities.vision is"
                            + " true (GET /models) or send the turn without image parts");
        }
    }

    /** The configured context window of a model, if any. */
    public OptionalInt contextWindow(String model) {
        ModelsConfig.Facts facts = model == null ? null : config.catalog().get(model);
        return facts == null ? OptionalInt.empty() : facts.contextWindow();
    }

    private Loaded refresh(Loaded seen, Instant now) {
        // one caller asks StepFun; the others go on with what is loaded meanwhile instead of queueing
        // behind a slow call (and a ReentrantLock does not pin a virtual thread's carrier)
        if (!refreshing.tryLock()) {
            return loaded;
        }
        try {
            if (loaded != seen) {
                return loaded; // another caller refreshed it meanwhile
            }
            if (failedAt != null && failedAt.plus(config.retryAfterFailure()).isAfter(now)) {
                return loaded;
            }
            return ask(now);
        } finally {
            refreshing.unlock();
        }
    }

    private Loaded ask(Instant now) {
        try {
            ModelList answer = stepFun.models().await().atMost(MAX_WAIT);
            if (answer == null
                    || answer.data() == null
                    || answer.data().isEmpty()
                    || answer.data().stream().anyMatch(m -> m == null || m.id() == null || m.id().isBlank())) {
                throw new IllegalStateException("StepFun's model list has no models");
            }
            Set<String> ids = new TreeSet<>();
            answer.data().forEach(m -> ids.add(m.id()));
            loaded = new Loaded(Set.copyOf(ids), now);
            failedAt = null;
        } catch (RuntimeException e) {
            failedAt = now;
            Log.warnf(
                    "Could not read StepFun's model list (%s); serving %s",
                    e.getMessage(), loaded == null ? "the configured models" : "the list of " + loaded.at());
        }
        return loaded;
    }

    private static String shorten(String model) {
        return model.length() > 64 ? model.substring(0, 64) + "…" : model;
    }
}
