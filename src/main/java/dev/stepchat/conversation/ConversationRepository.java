package dev.stepchat.conversation;

import dev.stepchat.usage.TokenUsage;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

@ApplicationScoped
public class ConversationRepository implements PanacheRepositoryBase<Conversation, UUID> {

    /** The conversation if it exists and belongs to the owner; anyone else's is as good as absent. */
    public Optional<Conversation> findOwned(UUID id, String owner) {
        return find("id = ?1 and owner = ?2", id, owner).firstResultOptional();
    }

    public Paging.Slice<Conversation> page(String owner, PageRequest page) {
        return Paging.fetch(this, "owner = :owner", Map.of("owner", owner), page);
    }

    /** Deletes the conversation; its messages go with it (foreign key cascade), the usage ledger stays. */
    public boolean deleteOwned(UUID id, String owner) {
        return delete("id = ?1 and owner = ?2", id, owner) > 0;
    }

    /** Counts messages added to the conversation, and gives an untitled one its first title. */
    public void messagesAdded(UUID id, int count, String autoTitle) {
        update("messageCount = messageCount + ?1, updatedAt = ?2, version = version + 1,"
                + " title = coalesce(title, ?3) where id = ?4", count, Instant.now(), autoTitle, id);
    }

    /**
     * Counts an assistant answer and adds its usage to the totals, atomically in SQL (no
     * read-modify-write), so concurrent turns never lose an update.
     */
    public int answerAdded(UUID id, TokenUsage usage) {
        return update("promptTokens = promptTokens + ?1, completionTokens = completionTokens + ?2,"
                        + " totalTokens = totalTokens + ?3, cachedTokens = cachedTokens + ?4, turns = turns + 1,"
                        + " messageCount = messageCount + 1, updatedAt = ?5, version = version + 1 where id = ?6",
                usage.promptTokens(), usage.completionTokens(), usage.totalTokens(), usage.cachedTokens(),
                Instant.now(), id);
    }

    /**
     * Takes the conversation's turn lease for {@code holder}, if no live lease exists. One
     * conditional UPDATE on the database clock, so it holds across replicas.
     *
     * @return true if taken; false if another turn holds a lease that has not expired
     */
    public boolean takeTurnLease(UUID id, UUID holder, java.time.Duration lease) {
        return getEntityManager().createNativeQuery("""
                        update conversation set turn_lease_holder = :holder,
                               turn_lease_until = now() + make_interval(secs => :seconds)
                        where id = :id and (turn_lease_until is null or turn_lease_until < now())""")
                .setParameter("holder", holder)
                .setParameter("seconds", (double) lease.toSeconds())
                .setParameter("id", id)
                .executeUpdate() == 1;
    }

    /** Gives the lease back, if {@code holder} still has it. */
    public void releaseTurnLease(UUID id, UUID holder) {
        update("turnLeaseUntil = null, turnLeaseHolder = null where id = ?1 and turnLeaseHolder = ?2", id, holder);
    }
}
