#include "protocols/jmri/connection.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/actor_companion.hpp>
#include <caf/actor_system.hpp>

#include "actors/ask.hpp"
#include "actors/companion.hpp"
#include "actors/errors.hpp"

namespace signalbox::jmri {

namespace {

constexpr auto directory_timeout = std::chrono::seconds(10);

} // namespace

connection::connection(caf::actor_system& sys, jmri_directory_actor directory,
                       connection_settings settings,
                       std::shared_ptr<transport> t)
    : sys_(sys), directory_(std::move(directory)),
      settings_(std::move(settings)), transport_(std::move(t)),
      locale_(settings_.default_locale) {
  // nop
}

connection::~connection() {
  retire_companion();
}

void connection::on_open() {
  // The connection as the directory sees it: messages for its client ids
  // arrive here, on the sender's thread, and go to the strand.
  companion_ = sys_.spawn<caf::actor_companion>();
  auto companion = caf::actor_cast<caf::actor_companion*>(companion_);
  std::weak_ptr<transport> weak_transport = transport_;
  companion->on_enqueue([weak_transport](caf::mailbox_element_ptr msg) {
    auto& content = msg->content();
    if (!content.match_elements<jmri_frame_atom, jmri_frame>())
      return;
    auto frame = content.get_as<jmri_frame>(1);
    if (auto t = weak_transport.lock())
      t->post([weak_transport, frame] {
        if (auto t = weak_transport.lock())
          t->write_frame(frame);
      });
  });
  reply(hello_frame(settings_.hello));
}

void connection::on_text(std::string_view text) {
  if (closed_)
    return;
  if (pending_.size() >= settings_.max_pending_requests) {
    transport_->abort("too many requests waiting for an answer");
    return;
  }
  pending_.emplace_back(text);
  if (!waiting_)
    process_queue();
}

void connection::on_closed() {
  if (closed_)
    return;
  closed_ = true;
  pending_.clear();
  if (companion_)
    caf::anon_send(directory_, delete_atom_v, companion_);
  retire_companion();
}

void connection::process_queue() {
  while (!waiting_ && !closed_ && !pending_.empty()) {
    auto text = std::move(pending_.front());
    pending_.pop_front();
    auto parsed = parse_request(text);
    if (!parsed.ok()) {
      error(parsed.error_code, parsed.error_message, parsed.error_id);
      continue;
    }
    if (!handle(*parsed.req))
      waiting_ = true;
  }
}

void connection::resume() {
  waiting_ = false;
  process_queue();
}

bool connection::handle(const request& req) {
  auto& type = req.type;
  if (type == "ping") {
    reply(pong_frame());
    return true;
  }
  if (type == "goodbye") {
    reply(goodbye_frame());
    // Ids go with the connection; the peer closes too or we do after the
    // reply is written.
    if (companion_)
      caf::anon_send(directory_, delete_atom_v, companion_);
    pending_.clear();
    transport_->close_after_writes();
    return true;
  }
  if (type == "locale") {
    if (auto locale = req.data_string("locale"); locale && !locale->empty())
      locale_ = *locale;
    return true;
  }
  if (type == "hello")
    return handle_hello(req);
  if (type == "client")
    return handle_client(req);
  error(code::not_found, error_unknown_type(type), req.id);
  return true;
}

bool connection::handle_hello(const request& req) {
  if (req.method == "list") {
    // The util service lists the hello; the message service refuses.
    reply("[" + hello_frame(settings_.hello) + "]");
    error(code::bad_request, error_unlistable_service("hello"), req.id);
    return true;
  }
  if (auto locale = req.data_string("locale"); locale && !locale->empty())
    locale_ = *locale;
  if (auto bad = check_version(req.data_text_or("version", current_version))) {
    error(code::not_found, *bad, req.id);
    return true;
  }
  reply(hello_frame(settings_.hello, req.id));
  auto client = req.data_text("client");
  if (!client)
    return true;
  if (client->empty()) {
    error(code::bad_request, error_empty_attribute("client", "hello"), req.id);
    return true;
  }
  auto self = weak_from_this();
  auto t = transport_;
  auto id = req.id;
  ask<ok_atom>(
      sys_, directory_, directory_timeout,
      [t, self](ok_atom) {
        t->post([self] {
          if (auto c = self.lock())
            c->resume();
        });
      },
      [t, self, id](caf::error& err) {
        auto text = code_of(err) == ec::conflict ? error_client_conflict()
                                                 : text_of(err);
        auto status = code_of(err) == ec::conflict ? code::conflict
                                                   : code::internal_error;
        t->post([self, status, text, id] {
          if (auto c = self.lock()) {
            c->error(status, text, id);
            c->resume();
          }
        });
      },
      put_atom_v, *client, companion_);
  return false;
}

bool connection::handle_client(const request& req) {
  auto self = weak_from_this();
  auto t = transport_;
  auto id = req.id;
  auto on_error = [t, self, id](caf::error& err) {
    auto conflict = code_of(err) == ec::conflict;
    auto text = conflict ? error_client_conflict() : text_of(err);
    auto status = conflict ? code::conflict : code::internal_error;
    t->post([self, status, text, id] {
      if (auto c = self.lock()) {
        c->error(status, text, id);
        c->resume();
      }
    });
  };
  // Runs `fn` on the strand with the connection, then resumes the queue.
  auto on_strand = [t, self](auto fn) {
    t->post([self, fn = std::move(fn)]() mutable {
      if (auto c = self.lock()) {
        fn(*c);
        c->resume();
      }
    });
  };
  if (req.method == "list") {
    ask<std::vector<std::string>>(
        sys_, directory_, directory_timeout,
        [on_strand, id](std::vector<std::string>& ids) {
          on_strand([ids, id](connection& c) {
            if (ids.empty())
              c.error(code::not_found, error_no_client_for_this_connection(),
                      id);
            else
              c.reply(client_list_frame(ids, id));
          });
        },
        on_error, list_atom_v, companion_);
    return false;
  }
  auto client = req.data_text("client");
  if (req.method == "get") {
    if (!client) {
      // No client named: the connection's ids, or a fresh UUID.
      ask<jmri_client_ids>(
          sys_, directory_, directory_timeout,
          [on_strand, id](jmri_client_ids& answer) {
            on_strand([answer, id](connection& c) {
              if (answer.generated && answer.ids.size() == 1)
                c.reply(client_frame(answer.ids.front()));
              else
                c.reply(client_list_frame(answer.ids, id));
            });
          },
          on_error, get_atom_v, companion_);
      return false;
    }
    auto wanted = *client;
    ask<std::vector<std::string>>(
        sys_, directory_, directory_timeout,
        [on_strand, id, wanted](std::vector<std::string>& ids) {
          on_strand([ids, id, wanted](connection& c) {
            if (wanted.empty()) {
              if (ids.empty())
                c.error(code::not_found, error_no_client_for_this_connection(),
                        id);
              else
                c.reply(client_frame(ids.front()));
            } else if (std::find(ids.begin(), ids.end(), wanted) != ids.end()) {
              c.reply(client_frame(wanted));
            } else {
              c.error(code::not_found,
                      error_client_not_for_this_connection(wanted), id);
            }
          });
        },
        on_error, list_atom_v, companion_);
    return false;
  }
  if (!client) {
    error(code::bad_request, error_missing_attribute("client", "client"), id);
    return true;
  }
  if (client->empty()) {
    error(code::bad_request, error_empty_attribute("client", "client"), id);
    return true;
  }
  // Success is silent: put/post subscribe, delete unsubscribes.
  auto done = [on_strand](ok_atom) { on_strand([](connection&) {}); };
  if (req.method == "delete")
    ask<ok_atom>(sys_, directory_, directory_timeout, done, on_error,
                 delete_atom_v, *client);
  else
    ask<ok_atom>(sys_, directory_, directory_timeout, done, on_error,
                 put_atom_v, *client, companion_);
  return false;
}

void connection::reply(std::string frame) {
  transport_->write_frame(
      std::make_shared<const std::string>(std::move(frame)));
}

void connection::error(int code, std::string message, int64_t id) {
  reply(error_frame(code, message, id));
}

void connection::retire_companion() {
  // The directory monitors the companion and drops this connection's ids
  // when it terminates.
  signalbox::retire_companion(companion_);
}

} // namespace signalbox::jmri
