package dev.stepchat.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.NameValuePair;
import org.apache.james.mime4j.stream.RawField;
import org.apache.james.mime4j.stream.RawFieldParser;

import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;

/**
 * The {@code file} part of a {@code multipart/form-data} body, read as a stream (Apache James
 * mime4j) into a temporary file while it arrives: counted against the size limit as it is read
 * (past it, 413 at once), hashed on the way; the type is then read from the bytes. One buffer of
 * the file is in memory at a time. {@link #close} removes the copy.
 */
final class Upload implements AutoCloseable {

    /** The field of the form that carries the file. */
    static final String FIELD = "file";

    final Path copy;
    final String filename;
    final String declaredType;
    final long size;
    final String sha256;

    private Upload(Path copy, String filename, String declaredType, long size, String sha256) {
        this.copy = copy;
        this.filename = filename;
        this.declaredType = declaredType;
        this.size = size;
        this.sha256 = sha256;
    }

    /** Reads the form's file part from {@code body} (sent with {@code contentType}); refuses one over {@code maxSize}. */
    static Upload read(InputStream body, String contentType, long maxSize) throws IOException {
        if (contentType == null
                || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")
                || !contentType.toLowerCase(Locale.ROOT).contains("boundary=")) {
            throw new ProblemException(
                    ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "Send the file as multipart/form-data (with its boundary), in a part named \"file\"");
        }
        MimeConfig config = MimeConfig.custom()
                .setMaxLineLen(-1) // a file's bytes have no lines; the body limit bounds the read
                .setMaxHeaderLen(16 * 1024)
                .setMaxHeaderCount(32)
                .setMaxContentLen(-1)
                .build();
        MimeTokenStream parser = new MimeTokenStream(config);
        parser.parseHeadless(new RefusedAsProblem(body, maxSize), contentType);
        String name = null;
        String filename = null;
        String type = null;
        try {
            for (EntityState state = parser.getState(); state != EntityState.T_END_OF_STREAM; state = parser.next()) {
                switch (state) {
                    case T_START_BODYPART -> {
                        name = null;
                        filename = null;
                        type = null;
                    }
                    case T_FIELD -> {
                        Field field = parser.getField();
                        if ("content-disposition".equalsIgnoreCase(field.getName())) {
                            RawField raw = RawFieldParser.DEFAULT.parseField(field.getRaw());
                            for (NameValuePair parameter :
                                    RawFieldParser.DEFAULT.parseRawBody(raw).getParams()) {
                                if ("name".equalsIgnoreCase(parameter.getName())) {
                                    name = parameter.getValue();
                                } else if ("filename".equalsIgnoreCase(parameter.getName())) {
                                    filename = parameter.getValue();
                                }
                            }
                        } else if ("content-type".equalsIgnoreCase(field.getName())) {
                            type = field.getBody();
                        }
                    }
                    case T_BODY -> {
                        if (FIELD.equals(name)) {
                            return spool(parser.getDecodedInputStream(), filename, type, maxSize);
                        }
                    }
                    default -> {
                        // other parts and the form's framing are skipped
                    }
                }
            }
        } catch (MimeException malformed) {
            throw new ProblemException(
                    ProblemType.MALFORMED_REQUEST, "The multipart body cannot be read: " + malformed.getMessage());
        }
        throw ProblemException.invalid(FIELD, "must be a part of the form, holding the file");
    }

    private static Upload spool(InputStream part, String filename, String declaredType, long maxSize)
            throws IOException {
        Path copy = Files.createTempFile("stepchat-upload-", ".part");
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            long size = 0;
            byte[] buffer = new byte[64 * 1024];
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(copy), sha256)) {
                int n;
                while ((n = part.read(buffer)) > 0) {
                    size += n;
                    if (size > maxSize) {
                        throw new ProblemException(
                                ProblemType.PAYLOAD_TOO_LARGE,
                                "The file is larger than " + maxSize + " bytes (stepchat.files.max-size)");
                    }
                    out.write(buffer, 0, n);
                }
            }
            return new Upload(copy, filename, declaredType, size, HexFormat.of().formatHex(sha256.digest()));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(copy);
            throw e;
        } catch (NoSuchAlgorithmException e) {
            Files.deleteIfExists(copy);
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(copy);
    }

    /**
     * The server's own backstop on a body without a Content-Length counts bytes as they arrive,
     * which may run ahead of what the parser has read: its refusal is the same 413 problem.
     */
    private static final class RefusedAsProblem extends java.io.FilterInputStream {

        private final long maxSize;

        RefusedAsProblem(InputStream in, long maxSize) {
            super(in);
            this.maxSize = maxSize;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw refused(e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return super.read(buffer, offset, length);
            } catch (IOException e) {
                throw refused(e);
            }
        }

        private IOException refused(IOException e) {
            if ("Request too large".equals(e.getMessage())) {
                throw new ProblemException(
                        ProblemType.PAYLOAD_TOO_LARGE,
                        "The file is larger than " + maxSize + " bytes (stepchat.files.max-size)");
            }
            return e;
        }
    }
}
