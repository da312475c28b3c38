package dev.stepchat.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;

import dev.stepchat.config.FilesConfig;
import dev.stepchat.db.Jdbc;
import dev.stepchat.file.api.FileView;
import dev.stepchat.problem.ProblemException;
import dev.stepchat.problem.ProblemType;

/**
 * Uploaded files, owned per caller like conversations: upload (the type read from the bytes, the
 * size limit held while reading), metadata, bytes checked against their SHA-256 on the way out,
 * deletion (messages that used a file keep a part marked deleted), and the images of a turn.
 */
@ApplicationScoped
public class Files {

    private final Jdbc jdbc;
    private final FilesConfig config;
    private final Map<String, FileStore> stores = new LinkedHashMap<>();
    private final Clock clock;

    Files(Jdbc jdbc, FilesConfig config, PostgresFileStore postgres, S3FileStore s3, Clock clock) {
        this.jdbc = jdbc;
        this.config = config;
        this.clock = clock;
        stores.put(postgres.name(), postgres);
        stores.put(s3.name(), s3);
        if (!stores.containsKey(config.store())) {
            throw new IllegalStateException("stepchat.files.store (STEPCHAT_FILES_STORE) must be one of "
                    + stores.keySet() + ", not " + config.store());
        }
    }

    /** Stores the file of a multipart body for {@code owner}. */
    public FileView upload(String owner, String contentType, InputStream body) {
        try (Upload upload = Upload.read(body, contentType, config.maxSize().asLongValue())) {
            if (upload.size == 0) {
                throw ProblemException.invalid(Upload.FIELD, "must not be empty");
            }
            String type;
            try (InputStream bytes = new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(upload.copy))) {
                type = ImageTypes.detect(bytes);
            }
            if (!ImageTypes.ACCEPTED.contains(type)) {
                throw new ProblemException(
                        ProblemType.UNSUPPORTED_FILE_TYPE,
                        "The file's bytes are " + type + "; only PNG, JPEG, WebP and GIF images are accepted");
            }
            String declared = ImageTypes.declared(upload.declaredType);
            if (declared != null && !declared.equals(type)) {
                throw new ProblemException(
                        ProblemType.UNSUPPORTED_FILE_TYPE,
                        "The file was sent as " + declared + " but its bytes are " + type);
            }
            StoredFile file = new StoredFile();
            file.id = Jdbc.newId();
            file.owner = owner;
            file.filename = filename(upload.filename, type);
            file.contentType = type;
            file.bytes = upload.size;
            file.sha256 = upload.sha256;
            file.storage = config.store();
            file.createdAt = clock.instant();
            FileStore store = stores.get(file.storage);
            // the bytes first, outside any transaction; the row, which makes the file exist, last
            store.put(file.id, upload.copy, upload.size);
            try {
                QuarkusTransaction.requiringNew().run(file::persist);
            } catch (RuntimeException e) {
                quietlyDelete(store, file.id);
                throw e;
            }
            return FileView.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file of {@code owner} that is not deleted, or 404. */
    public StoredFile find(String owner, UUID id) {
        StoredFile file = QuarkusTransaction.joiningExisting()
                .call(() -> StoredFile.<StoredFile>find("id = ?1 and owner = ?2 and deletedAt is null", id, owner)
                        .firstResult());
        if (file == null) {
            throw ProblemException.notFound("File");
        }
        return file;
    }

    /**
     * Writes a file's bytes to {@code out}, checked against its size and SHA-256: the last buffer
     * is held back until the check has passed, so a corrupt file is never delivered whole (the
     * response breaks off short of its Content-Length).
     */
    public void copy(StoredFile file, OutputStream out) throws IOException {
        try (InputStream in = verified(file)) {
            byte[] held = new byte[64 * 1024];
            byte[] next = new byte[64 * 1024];
            int heldLength = in.readNBytes(held, 0, held.length);
            int n;
            while ((n = in.readNBytes(next, 0, next.length)) > 0) {
                out.write(held, 0, heldLength);
                byte[] swap = held;
                held = next;
                next = swap;
                heldLength = n;
            }
            out.write(held, 0, heldLength);
        }
    }

    /**
     * The images of a turn: each a file of {@code owner}, not deleted, or 404 before anything is
     * stored. Returned by id.
     */
    public Map<UUID, StoredFile> forTurn(String owner, Collection<UUID> ids) {
        Map<UUID, StoredFile> found = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        List<StoredFile> files =
                StoredFile.<StoredFile>list("id in ?1 and owner = ?2 and deletedAt is null", List.copyOf(ids), owner);
        files.forEach(file -> found.put(file.id, file));
        for (UUID id : ids) {
            if (!found.containsKey(id)) {
                throw new ProblemException(ProblemType.NOT_FOUND, "File " + id + " was not found");
            }
        }
        return found;
    }

    /** A file's bytes as a data URL, or why not: gone (deleted since), or larger than what was left. */
    public record Inlined(String dataUrl, long bytes, boolean gone) {}

    /**
     * A file as StepFun's vision models take it: a data URL ({@code data:<type>;base64,...}), read
     * from its store and checked; none when the file is gone or larger than {@code budget} bytes.
     */
    public Inlined dataUrl(UUID id, long budget) {
        StoredFile file = QuarkusTransaction.requiringNew()
                .call(() -> StoredFile.<StoredFile>find("id = ?1 and deletedAt is null", id)
                        .firstResult());
        if (file == null) {
            return new Inlined(null, 0, true);
        }
        if (file.bytes > budget) {
            return new Inlined(null, file.bytes, false);
        }
        String prefix = "data:" + file.contentType + ";base64,";
        StringBuilder url = new StringBuilder(prefix.length() + (int) ((file.bytes + 2) / 3 * 4));
        url.append(prefix);
        try (InputStream in = verified(file)) {
            Base64.Encoder base64 = Base64.getEncoder();
            byte[] buffer = new byte[48 * 1024]; // a multiple of 3: no padding until the end
            int n;
            while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                url.append(new String(
                        base64.encode(n == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, n)),
                        java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Inlined(url.toString(), file.bytes, false);
    }

    /**
     * Deletes a file of {@code owner}: it reads as not found from now on, and the messages that
     * used it keep their part, marked {@code deleted}; the bytes go at once.
     */
    public void delete(String owner, UUID id) {
        StoredFile file = QuarkusTransaction.requiringNew().call(() -> {
            StoredFile found = StoredFile.<StoredFile>find("id = ?1 and owner = ?2 and deletedAt is null", id, owner)
                    .firstResult();
            if (found == null) {
                return null;
            }
            found.deletedAt = clock.instant();
            jdbc.update("""
                    update message m set parts = (
                        select jsonb_agg(case when part ->> 'fileId' = ? then part || '{"deleted": true}'::jsonb
                                              else part end order by position)
                        from jsonb_array_elements(m.parts) with ordinality as e(part, position))
                    where m.id in (select message_id from message_file where file_id = ?)""", id.toString(), id);
            return found;
        });
        if (file == null) {
            throw ProblemException.notFound("File");
        }
        quietlyDelete(stores.get(file.storage), id);
    }

    /** Deletes every file of an owner, bytes and rows (an erasure); returns how many. */
    public int eraseOwner(String owner) {
        List<StoredFile> files =
                QuarkusTransaction.requiringNew().call(() -> StoredFile.<StoredFile>list("owner", owner));
        for (StoredFile file : files) {
            quietlyDelete(stores.get(file.storage), file.id);
        }
        return QuarkusTransaction.requiringNew().call(() -> (int) StoredFile.delete("owner", owner));
    }

    /**
     * The cleanup job's work: deletes, bytes and rows, the files no message uses that are deleted
     * or older than {@code stepchat.files.unused-for}, and chunks an interrupted upload left.
     * Returns how many files went.
     */
    public int deleteUnused() {
        Instant before = clock.instant().minus(config.unusedFor());
        record Unused(UUID id, String storage) {}
        List<Unused> unused = jdbc.list(
                "select id, storage from stored_file f where (deleted_at is not null or created_at < ?)"
                        + " and not exists (select 1 from message_file where file_id = f.id) limit 1000",
                row -> new Unused(row.getObject(1, UUID.class), row.getString(2)),
                before);
        int deleted = 0;
        for (Unused file : unused) {
            // the row first, only while still unused; then its bytes
            if (jdbc.update(
                            "delete from stored_file f where id = ?"
                                    + " and not exists (select 1 from message_file where file_id = f.id)",
                            file.id())
                    == 1) {
                quietlyDelete(stores.get(file.storage()), file.id());
                deleted++;
            }
        }
        jdbc.update("delete from file_chunk c where c.created_at < now() - interval '1 hour'"
                + " and not exists (select 1 from stored_file f where f.id = c.file_id)");
        return deleted;
    }

    /** The file's bytes, failing at their end when their size or SHA-256 is not what was stored. */
    private InputStream verified(StoredFile file) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        InputStream stored = stores.get(file.storage).open(file.id);
        return new DigestInputStream(stored, sha256) {
            private long read;
            private boolean checked;

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    read += n;
                } else if (n < 0) {
                    check();
                }
                return n;
            }

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    read++;
                } else {
                    check();
                }
                return b;
            }

            private void check() throws IOException {
                if (checked) {
                    return;
                }
                checked = true;
                String actual = HexFormat.of().formatHex(sha256.digest());
                if (read != file.bytes || !actual.equals(file.sha256)) {
                    Log.errorf(
                            "The stored bytes of file %s do not match it: %d bytes with SHA-256 %s, stored as %d"
                                    + " bytes with %s",
                            file.id, read, actual, file.bytes, file.sha256);
                    throw new IOException("The stored bytes of file " + file.id + " are damaged");
                }
            }
        };
    }

    private static void quietlyDelete(FileStore store, UUID id) {
        try {
            store.delete(id);
        } catch (IOException | RuntimeException e) {
            Log.warnf(
                    e,
                    "The bytes of file %s could not be deleted from the %s store; the cleanup job tries again",
                    id,
                    store.name());
        }
    }

    /** A safe name to keep and send back: no path, no control characters, at most 255 characters. */
    static String filename(String sent, String type) {
        String name = sent == null ? "" : sent;
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        name = name.replaceAll("[\\p{Cntrl}\"]", "").strip();
        if (name.isEmpty()) {
            name = "image." + ImageTypes.extension(type);
        }
        return name.length() > 255 ? name.substring(0, 255) : name;
    }
}
