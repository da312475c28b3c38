package dev.stepchat.stepfun;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** StepFun's GET /v1/models: {@code {"object": "list", "data": [{"id", "object", "created", "owned_by"}]}}. */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelList(String object, List<Model> data) {

    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Model(String id, String object, Long created, String ownedBy) {}
}
