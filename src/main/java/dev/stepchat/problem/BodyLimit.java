package dev.stepchat.problem;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.ConstrainedTo;
import jakarta.ws.rs.RuntimeType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

import io.vertx.ext.web.RoutingContext;

import dev.stepchat.config.ChatConfig;
import dev.stepchat.config.FilesConfig;

/**
 * Every request body is held to its limit while it is read, however it arrives: a body with a
 * Content-Length over the limit is refused before it is read ({@link HttpEdgeProblems}); one sent
 * without (chunked) is counted here as the endpoint reads it, and refused with a 413
 * {@code payload-too-large} problem the moment it passes the limit, so no more than the limit
 * is ever read. The limit is {@code stepchat.limits.max-body-size}, or for an import
 * {@code stepchat.limits.max-import-size}.
 */
@Provider
@ConstrainedTo(RuntimeType.SERVER) // requests to this service only, never StepFun's answers to the REST client
public class BodyLimit implements ReaderInterceptor {

    // looked up per request: the provider is made before the configuration mapping exists
    private final Instance<ChatConfig> config;
    private final Instance<RoutingContext> routing;
    private final Instance<FilesConfig> files;

    BodyLimit(Instance<ChatConfig> config, Instance<RoutingContext> routing, Instance<FilesConfig> files) {
        this.config = config;
        this.files = files;
        this.routing = routing;
    }

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        long limit = HttpEdgeProblems.maxBody(routing.get().request().path(), config.get(), files.get());
        context.setInputStream(new Counted(context.getInputStream(), limit));
        return context.proceed();
    }

    /** A body stream that refuses to give more than {@code limit} bytes. */
    static final class Counted extends FilterInputStream {

        private final long limit;
        private long read;

        Counted(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            counted(skipped);
            return skipped;
        }

        private void counted(long n) {
            read += n;
            if (read > limit) {
                throw new ProblemException(
                        ProblemType.PAYLOAD_TOO_LARGE, "The request body is larger than " + limit + " bytes");
            }
        }
    }
}
