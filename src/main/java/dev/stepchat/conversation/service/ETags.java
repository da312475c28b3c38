package dev.stepchat.conversation.service;

/** If-Match against an entity tag (RFC 9110 section 13.1.1, strong comparison). */
final class ETags {

    private ETags() {}

    static boolean matches(String ifMatch, String etag) {
        for (String candidate : ifMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
