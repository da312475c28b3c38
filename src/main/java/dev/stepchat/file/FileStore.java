package dev.stepchat.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Where a file's bytes are kept. The metadata (owner, type, size, SHA-256) is always a
 * {@code stored_file} row; its {@code storage} column names the store that holds the bytes.
 */
public interface FileStore {

    /** The name a {@code stored_file} row carries for this store. */
    String name();

    /** Stores the bytes of a file, read from a complete, checked local copy. */
    void put(UUID id, Path content, long size) throws IOException;

    /** The bytes, read as they are consumed (never all of them in memory at once). */
    InputStream open(UUID id) throws IOException;

    /** Removes the bytes; nothing happens when there are none. */
    void delete(UUID id) throws IOException;
}
