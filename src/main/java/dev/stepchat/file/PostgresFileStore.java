package dev.stepchat.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.stepchat.db.Jdbc;

/**
 * The default store: a file's bytes in the database, as {@code file_chunk} rows of
 * {@link #CHUNK} bytes. Each chunk is written and read by a statement of its own, outside any
 * transaction, so that a file costs one chunk of memory and no connection is held between chunks.
 */
@ApplicationScoped
class PostgresFileStore implements FileStore {

    static final String NAME = "postgres";

    /** Bytes per row: large enough for few statements, small enough to hold one per request. */
    static final int CHUNK = 256 * 1024;

    private final Jdbc jdbc;

    PostgresFileStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void put(UUID id, Path content, long size) throws IOException {
        try (InputStream in = Files.newInputStream(content)) {
            byte[] buffer = new byte[CHUNK];
            int seq = 0;
            int n;
            while ((n = in.readNBytes(buffer, 0, CHUNK)) > 0) {
                byte[] data = n == CHUNK ? buffer : java.util.Arrays.copyOf(buffer, n);
                jdbc.update("insert into file_chunk (file_id, seq, data) values (?, ?, ?)", id, seq++, data);
            }
        } catch (IOException | RuntimeException e) {
            delete(id);
            throw e;
        }
    }

    @Override
    public InputStream open(UUID id) {
        return new InputStream() {
            private byte[] chunk = new byte[0];
            private int position;
            private int next;
            private boolean end;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (length == 0) {
                    return 0;
                }
                while (position == chunk.length) {
                    if (end) {
                        return -1;
                    }
                    byte[] read = jdbc.first(
                                    "select data from file_chunk where file_id = ? and seq = ?",
                                    row -> row.getBytes(1),
                                    id,
                                    next++)
                            .orElse(null);
                    if (read == null) {
                        end = true;
                        return -1;
                    }
                    chunk = read;
                    position = 0;
                }
                int n = Math.min(length, chunk.length - position);
                System.arraycopy(chunk, position, buffer, offset, n);
                position += n;
                return n;
            }
        };
    }

    @Override
    public void delete(UUID id) {
        jdbc.update("delete from file_chunk where file_id = ?", id);
    }
}
