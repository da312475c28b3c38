package dev.stepchat.conversation;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import io.quarkus.panache.common.Sort;

@ApplicationScoped
public class MessageRepository implements PanacheRepositoryBase<Message, UUID> {

    public Paging.Slice<Message> page(UUID conversationId, PageRequest page) {
        return Paging.fetch(this, "conversationId = :conversation", Map.of("conversation", conversationId), page);
    }

    /** What the model is shown of the thread: every completed message, oldest first. */
    public List<Message> history(UUID conversationId) {
        return list("conversationId = ?1 and status = ?2", Sort.by("id"), conversationId, Message.Status.COMPLETED);
    }

    /** Sets a message's status without loading it; false if the message is gone. */
    public boolean setStatus(UUID id, Message.Status status) {
        return update("status = ?1 where id = ?2", status, id) == 1;
    }

    /** Marks user messages still in progress since before {@code cutoff} as failed with {@code problem}. */
    public int failInProgressBefore(java.time.Instant cutoff, StoredError problem) {
        return update("status = ?1, error = ?2 where status = ?3 and role = ?4 and createdAt < ?5",
                Message.Status.FAILED, problem, Message.Status.IN_PROGRESS, Message.Role.USER, cutoff);
    }
}
