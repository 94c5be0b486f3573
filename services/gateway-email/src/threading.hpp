#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mime_parser.hpp"
#include "switchboard/core/error.hpp"
#include "thread_store.hpp"

// How e-mails become conversations and how our replies thread into the customer's mail client.
// Pure functions, plus ResolveConversation over a ThreadStore.
namespace switchboard::gateway_email {

// A subject without its reply prefixes ("Re:", "RE:", "Re[2]:", "Re: Re:", "AW:", "Ответ:", "Отв:").
// "Fwd:" stays: a forward starts a topic of its own.
std::string NormalizeSubject(std::string_view subject);
// "Re: <subject>" (never "Re: Re: …"); `fallback` when the subject is empty.
std::string ReplySubject(std::string_view subject, std::string_view fallback);

// A new thread's conversation id: "em-" + 20 hex digits of a hash of its root Message-ID, so the
// same thread maps to the same conversation even if the store forgot it. IsValidExternalId holds.
std::string ConversationIdForRoot(std::string_view root_message_id);

// The Message-ID (without brackets) of the e-mail that carries reply `reply_id`: derived from it,
// so a resend after a crash carries the same id and the customer's client shows one message.
std::string ReplyMessageId(std::string_view reply_id, std::string_view domain);

// References of a reply to a message whose References were `chain` and whose id is `parent`:
// chain + parent, without repeats; when longer than `max_ids`, the first id (the thread's root) and
// the most recent ones are kept (RFC 5322 §3.6.4, as mail clients trim).
std::vector<std::string> ReplyReferences(const std::vector<std::string>& chain, const std::string& parent,
                                         std::size_t max_ids = 20);

struct ThreadResolution {
    std::string conversation_id;
    bool new_thread = false;
};

// The conversation an incoming e-mail belongs to:
//  1. the conversation of the first known id among: its own Message-ID (a redelivery), In-Reply-To,
//     then References from the most recent back (a reply to us or to the customer's own mail);
//  2. else a new thread: ConversationIdForRoot(first of References, else In-Reply-To, else its own id);
// but a thread owned by another address is not joined (someone replying to a forwarded mail
// must not read the customer's conversation): that mail starts a conversation of its own.
// Errors: the store's (retryable when unreachable).
Result<ThreadResolution> ResolveConversation(ThreadStore& store, const ParsedEmail& email);

}  // namespace switchboard::gateway_email
