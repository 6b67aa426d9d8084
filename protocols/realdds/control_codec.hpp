// Controls from realdds clients (the control topic, or a WebSocket client)
// and the replies the node broadcasts on the notification topic, as
// realdds' dds_device_server builds them: `sample` = [writer GUID, sequence
// number], `control` = the control as received, `status: "error"` plus an
// `explanation` on failure, in realdds' wording (docs/realdds.md). Members
// in the order nlohmann's json (realdds' own) writes them: by name. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/realdds/message_codec.hpp"
#include "protocols/realdds/notification_codec.hpp"

namespace signalbox::realdds {

/// Which sample a control came in: its writer's GUID as realdds prints
/// it ("<12-byte prefix in hex>.<entity id in hex>") and its sequence
/// number. A WebSocket client's controls carry the mirror's own writer
/// name and a per-connection sequence.
struct sample_id {
  std::string writer;
  int64_t sequence = 0;
};

/// A `set-option` the node must carry out (through the same actors as
/// REST) before it replies with set_option_reply.
struct set_option {
  option_value value; // name, kind, and the value asked for
};

/// What to do with one control: reply now, or carry out `set` first.
struct control_action {
  std::optional<encoded> reply;
  std::optional<set_option> set;
  std::string control_json; // the control as received, for the reply
};

/// The deepest nesting a control may have (realdds' controls are flat).
constexpr size_t max_control_depth = 16;

/// Handles the control `json` (its sample `sample`) against the node's
/// `options`: query-option, query-options and every error are answered at
/// once; set-option returns what to set.
control_action handle_control(std::string_view json, const sample_id& sample,
                              const std::vector<option_value>& options);

/// The reply to a set-option once carried out: `value` is the value
/// actually set.
encoded set_option_reply(const std::string& control_json,
                         const sample_id& sample, const option_value& now);

/// An error reply to a control (`control_json` empty: not echoed, as when
/// the control has no id).
encoded error_reply(const std::string& control_json, const sample_id& sample,
                    const std::string& explanation);

} // namespace signalbox::realdds
