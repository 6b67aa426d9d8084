// WebSocket subprotocol negotiation (RFC 6455 section 4.1): the tokens of a
// Sec-WebSocket-Protocol offer, and the server's choice among them. Pure.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace signalbox::http {

/// The tokens of an offer (comma-separated, blanks around them dropped,
/// empty ones skipped), in the client's order of preference.
std::vector<std::string_view> subprotocol_tokens(std::string_view offered);

/// The outcome of negotiating against the subprotocols a server speaks.
struct subprotocol_choice {
  enum outcome_type {
    none,     // the client offered nothing: accept, answer no protocol
    selected, // `protocol` is the first offered one the server speaks
    rejected, // the client offered only others: refuse with HTTP 400
  };
  outcome_type outcome = none;
  std::string protocol;
};

/// Picks the first token of `offered` (exactly equal) that is in `spoken`.
subprotocol_choice
choose_subprotocol(std::string_view offered,
                   std::initializer_list<const char*> spoken);

} // namespace signalbox::http
