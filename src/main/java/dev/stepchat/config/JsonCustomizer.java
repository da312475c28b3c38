package dev.stepchat.config;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * The one JSON mapper of the service (REST endpoints, the StepFun client, stored problems), set up
 * in one place:
 * <ul>
 * <li>snake_case names, set as an instance rather than by class name, so that nothing is looked up
 * reflectively at start-up (a native executable has no such class registered);</li>
 * <li>strict input: a value of the wrong JSON type is refused, not converted ({@code "content": 5},
 * {@code "temperature": "0.5"}, {@code "max_tokens": 50.7}, {@code "title": true}), and text after
 * the JSON document is refused. Both end as a 400 problem naming the field;</li>
 * <li>bounded input: nesting, number length and string length ({@link StreamReadConstraints}).</li>
 * </ul>
 */
@Singleton
public class JsonCustomizer implements ObjectMapperCustomizer {

    /** JSON nested deeper than any request or StepFun answer has; deeper is a 400. */
    static final int MAX_NESTING = 100;
    /** Digits of a number; longer is a 400 (no field takes more than a 64-bit integer or a double). */
    static final int MAX_NUMBER_LENGTH = 100;
    /** Characters of one string: more than any limited field, a StepFun answer included. */
    static final int MAX_STRING_LENGTH = 10_000_000;

    @Override
    public void customize(ObjectMapper mapper) {
        // every body read, however large its limit, is parsed within these bounds
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxNumberLength(MAX_NUMBER_LENGTH)
                        .maxStringLength(MAX_STRING_LENGTH)
                        .build());
        mapper.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
        // strings never become numbers or booleans, numbers and booleans never become strings
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        for (LogicalType scalar : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(scalar)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    }
}
