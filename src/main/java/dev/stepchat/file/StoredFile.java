package dev.stepchat.file;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** An uploaded file's metadata; its bytes are in the store {@link #storage} names. */
@Entity
@Table(name = "stored_file")
public class StoredFile extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String owner;

    @Column(nullable = false)
    public String filename;

    @Column(name = "content_type", nullable = false)
    public String contentType;

    @Column(nullable = false)
    public long bytes;

    @Column(nullable = false)
    public String sha256;

    @Column(nullable = false)
    public String storage;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** Set by DELETE /files/{id}: the bytes are gone; the row stays while messages name the file. */
    @Column(name = "deleted_at")
    public Instant deletedAt;
}
