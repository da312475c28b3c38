package dev.stepchat.support;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * A StepFun answer whose usage counts the request's prompt with a tokenizer of its own (not the
 * service's estimate): 1.25 tokens per Chinese, Japanese or Korean character, one per 3.5 other
 * characters, 3 per message. Stubs opt in with {@code withTransformers(NAME)}; the counts of every
 * request are kept for the test.
 */
public class TokenCountingStepFun implements ResponseDefinitionTransformerV2 {

    public static final String NAME = "token-counting";
    public static final List<Integer> COUNTS = java.util.Collections.synchronizedList(new ArrayList<>());
    private static final ObjectMapper JSON = new ObjectMapper();

    public static int count(JsonNode messages) {
        double tokens = 0;
        for (JsonNode message : messages) {
            String text = message.path("content").asText("");
            int dense = 0;
            int other = 0;
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                Character.UnicodeScript script = Character.UnicodeScript.of(cp);
                if (script == Character.UnicodeScript.HAN
                        || script == Character.UnicodeScript.HIRAGANA
                        || script == Character.UnicodeScript.KATAKANA
                        || script == Character.UnicodeScript.HANGUL) {
                    dense++;
                } else {
                    other++;
                }
                i += Character.charCount(cp);
            }
            tokens += 3 + dense * 1.25 + other / 3.5;
        }
        return (int) Math.ceil(tokens);
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        try {
            JsonNode request = JSON.readTree(event.getRequest().getBodyAsString());
            int prompt = count(request.path("messages"));
            COUNTS.add(prompt);
            var parameters = event.getResponseDefinition().getTransformerParameters();
            String content = parameters == null ? "An answer." : parameters.getString("reply", "An answer.");
            return new ResponseDefinitionBuilder()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withBody(StepFunBodies.completion(content, prompt, 20, 0))
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }
}
