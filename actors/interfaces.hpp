// The typed interfaces of every signalbox actor, in one place (the style of
// Tenzir's actors.hpp), and the CAF type-ID blocks that register every atom
// and every type that crosses an actor boundary: `signalbox_types` (values
// and atoms) and, chained behind it, `signalbox_actors` (the actor handles
// that are passed around in messages). Every type in both blocks can be
// serialized, so the same messages can cross CAF's middleman between nodes
// (tests/unit/type_id_test.cpp round-trips each one).
//
// Conventions:
// - A request that can fail answers with a signalbox error (errors.hpp);
//   the REST layer maps its code to an HTTP status.
// - Domain actors publish `(notify_atom, notification_ptr)` to their group
//   only after the change is committed (after the LMDB commit for persistent
//   state), so no client sees a change that a crash could undo.
// - Internal handlers (messages an actor sends itself, such as timers, or
//   receives from the Asio side, such as process exits and GPIO edges) are
//   declared in a typed_actor of their own, `<name>_internal`, and added to
//   the actor's type with extend_with: they are part of the type because a
//   typed actor can only receive what it declares, and the separate list
//   says which messages nobody else should send.
// - Connections are actors too (actor companions, protocols/toolkit): the
//   actors that deliver frames to them hold them as typed sinks
//   (`jmri_sink_actor`, `sio_sink_actor`), never as untyped caf::actor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor_control_block.hpp>
#include <caf/fwd.hpp>
#include <caf/message.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include "core/jmri_types.hpp"
#include "core/messages.hpp"
#include "core/notification.hpp"
#include "core/rtoc_types.hpp"

// -- type IDs and atoms -------------------------------------------------------

CAF_BEGIN_TYPE_ID_BLOCK(signalbox_types, caf::first_custom_type_id)

CAF_ADD_TYPE_ID(signalbox_types, (signalbox::job_spec))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::job_info))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<signalbox::job_info>))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::log_line))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<signalbox::log_line>))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::gpio_line_spec))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::gpio_info))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<signalbox::gpio_info>))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::gpio_edge))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::value_info))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<signalbox::value_info>))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::value_write))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::value_put_result))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::store_record))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<signalbox::store_record>))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::store_batch))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::job_list_changed))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::job_status_changed))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::gpio_changed))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::value_changed))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::job_output))

// Requests and replies.
CAF_ADD_ATOM(signalbox_types, signalbox, list_atom, "list")
CAF_ADD_ATOM(signalbox_types, signalbox, create_atom, "create")
CAF_ADD_ATOM(signalbox_types, signalbox, update_atom, "update")
CAF_ADD_ATOM(signalbox_types, signalbox, start_atom, "start")
CAF_ADD_ATOM(signalbox_types, signalbox, stop_atom, "stop")
CAF_ADD_ATOM(signalbox_types, signalbox, restart_atom, "restart")
CAF_ADD_ATOM(signalbox_types, signalbox, log_atom, "log")
CAF_ADD_ATOM(signalbox_types, signalbox, simulate_atom, "simulate")
CAF_ADD_ATOM(signalbox_types, signalbox, shutdown_atom, "shutdown")
CAF_ADD_ATOM(signalbox_types, signalbox, commit_atom, "commit")
CAF_ADD_ATOM(signalbox_types, signalbox, load_atom, "load")
// Group publications.
CAF_ADD_ATOM(signalbox_types, signalbox, notify_atom, "notify")
// Internal: timers and events from the Asio side.
CAF_ADD_ATOM(signalbox_types, signalbox, edge_atom, "edge")
CAF_ADD_ATOM(signalbox_types, signalbox, debounce_atom, "debounce")
CAF_ADD_ATOM(signalbox_types, signalbox, retire_atom, "retire")
CAF_ADD_ATOM(signalbox_types, signalbox, exited_atom, "exited")
CAF_ADD_ATOM(signalbox_types, signalbox, output_atom, "output")
CAF_ADD_ATOM(signalbox_types, signalbox, sd_notify_atom, "sdnotify")
CAF_ADD_ATOM(signalbox_types, signalbox, watchdog_atom, "watchdog")
CAF_ADD_ATOM(signalbox_types, signalbox, kill_atom, "kill")
CAF_ADD_ATOM(signalbox_types, signalbox, start_timeout_atom, "starttmo")
CAF_ADD_ATOM(signalbox_types, signalbox, flush_atom, "flush")

// JMRI message service.
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::jmri::jmri_message))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::jmri_client_ids))
CAF_ADD_ATOM(signalbox_types, signalbox, jmri_send_atom, "jmrisend")
CAF_ADD_ATOM(signalbox_types, signalbox, jmri_frame_atom, "jmriframe")

// Socket.IO: the altoponix relay.
CAF_ADD_ATOM(signalbox_types, signalbox, sio_user_atom, "siouser")
CAF_ADD_ATOM(signalbox_types, signalbox, sio_monitor_atom, "siomonitor")
CAF_ADD_ATOM(signalbox_types, signalbox, sio_command_atom, "siocommand")
CAF_ADD_ATOM(signalbox_types, signalbox, sio_done_atom, "siodone")
CAF_ADD_ATOM(signalbox_types, signalbox, sio_failed_atom, "siofailed")
CAF_ADD_ATOM(signalbox_types, signalbox, sio_frame_atom, "sioframe")

// RTOC.
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::rtoc::number))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::rtoc::sample))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<signalbox::rtoc::sample>))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::rtoc::sample_batch))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::rtoc::event_request))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::rtoc::event_view))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<signalbox::rtoc::event_view>))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::rtoc::signal_view))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::rtoc::signal_query))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::rtoc::latest_view))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<signalbox::rtoc::latest_view>))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<int64_t>))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<double>))
CAF_ADD_ATOM(signalbox_types, signalbox, rtoc_push_atom, "rtocpush")
CAF_ADD_ATOM(signalbox_types, signalbox, rtoc_request_atom, "rtocreq")
CAF_ADD_ATOM(signalbox_types, signalbox, rtoc_plot_atom, "rtocplot")
CAF_ADD_ATOM(signalbox_types, signalbox, rtoc_resize_atom, "rtocresize")
CAF_ADD_ATOM(signalbox_types, signalbox, rtoc_connect_atom, "rtocconn")
CAF_ADD_ATOM(signalbox_types, signalbox, rtoc_event_atom, "rtocevent")

// realdds.
CAF_ADD_ATOM(signalbox_types, signalbox, realdds_control_atom, "rddsctl")
CAF_ADD_ATOM(signalbox_types, signalbox, realdds_join_atom, "rddsjoin")
CAF_ADD_ATOM(signalbox_types, signalbox, realdds_matched_atom, "rddsmatch")
CAF_ADD_ATOM(signalbox_types, signalbox, realdds_drain_atom, "rddsdrain")

// Cluster: the links between the routers of the nodes.
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::cluster_member))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<signalbox::cluster_member>))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::cluster_hello))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::member_view))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<signalbox::member_view>))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::cluster_view))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::cluster_changed))
CAF_ADD_TYPE_ID(signalbox_types, (signalbox::cluster_event))
CAF_ADD_TYPE_ID(signalbox_types, (std::vector<signalbox::cluster_event>))
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_join_atom, "cljoin")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_connect_atom, "clconnect")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_link_atom, "cllink")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_tick_atom, "cltick")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_hello_atom, "clhello")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_topics_atom, "cltopics")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_members_atom, "clmembers")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_event_atom, "clevent")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_remote_atom, "clremote")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_beat_atom, "clbeat")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_publish_atom, "clpublish")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_request_atom, "clrequest")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_owner_atom, "clowner")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_handler_atom, "clhandler")
CAF_ADD_ATOM(signalbox_types, signalbox, cluster_deliver_atom, "cldeliver")

CAF_END_TYPE_ID_BLOCK(signalbox_types)

// Shared by pointer between the actors and the connections of one node,
// like notification_ptr: JMRI message frames and the relay's packets. A
// cluster link forwards the message that was encoded, not the frame.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(signalbox::shared_frame)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(signalbox::shared_frames)

// The envelope is shared by pointer between actors of one node and never
// serialized as such: a cluster router forwards the event inside it.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(signalbox::notification_ptr)

// A parsed RTOC request, handed from a connection to the node's RTOC
// directory. RTOC connections are served by the node they reach, so it
// never crosses a node boundary.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(signalbox::rtoc::request_ptr)

namespace signalbox {

using caf::delete_atom;
using caf::delete_atom_v;
using caf::get_atom;
using caf::get_atom_v;
using caf::ok_atom;
using caf::ok_atom_v;
using caf::put_atom;
using caf::put_atom_v;

// -- store --------------------------------------------------------------------

/// Internal messages of the store actor.
using store_internal = caf::typed_actor<
    // Commits the pending batch (sent to itself after a write).
    caf::reacts_to<commit_atom>>;

/// The node's LMDB environment (spawned detached: it owns the one write
/// transaction). Writes found in its mailbox are batched into one
/// transaction; every write is answered only after `mdb_txn_commit`
/// succeeded. Tables: "values", "jobs", "meta".
using store_actor = caf::typed_actor<
    // Writes `key` = `value` into `table`; answers after the commit.
    caf::replies_to<put_atom, std::string, std::string,
                    std::string>::with<ok_atom>,
    // Removes `key` from `table`; answers whether it existed, after the commit.
    caf::replies_to<delete_atom, std::string, std::string>::with<bool>,
    // Reads all records of `table`, in key order.
    caf::replies_to<get_atom, std::string>::with<std::vector<store_record>>,
    // Reads one record; answers ec::not_found when absent.
    caf::replies_to<get_atom, std::string, std::string>::with<std::string>,
    // Writes every record into `table` in one transaction; answers after
    // the commit.
    caf::replies_to<put_atom, std::string,
                    std::vector<store_record>>::with<ok_atom>,
    // The same for records packed into a store_batch.
    caf::replies_to<put_atom, std::string, store_batch>::with<ok_atom>,
    // Removes the keys of `table` in [from, to); answers how many, after
    // the commit.
    caf::replies_to<delete_atom, std::string, std::string,
                    std::string>::with<uint64_t>,
    // Reads the records of `table` with keys in [from, to) (an empty `to`:
    // no upper bound), at most `limit` (0: all), the last ones first when
    // `reverse`.
    caf::replies_to<get_atom, std::string, std::string, std::string, uint64_t,
                    bool>::with<std::vector<store_record>>,
    // Commits whatever is pending and answers once it is durable.
    caf::replies_to<flush_atom>::with<ok_atom>>::extend_with<store_internal>;

// -- jobs ---------------------------------------------------------------------

/// Internal messages of a job actor: events from the Asio side about its
/// process, and its own timers.
using job_internal = caf::typed_actor<
    // The process of run `generation` ended with `wait_status`.
    caf::reacts_to<exited_atom, uint64_t, int32_t>,
    // A line on "stdout"/"stderr" from the process of run `generation`.
    caf::reacts_to<output_atom, uint64_t, std::string, std::string>,
    // An sd_notify datagram from run `generation`.
    caf::reacts_to<sd_notify_atom, uint64_t, std::string>,
    // The watchdog deadline of run `generation` / arm `n` passed.
    caf::reacts_to<watchdog_atom, uint64_t, uint64_t>,
    // The stop grace period of run `generation` ended: SIGKILL.
    caf::reacts_to<kill_atom, uint64_t>,
    // Internal: jobs.start-timeout passed for run N (notify jobs).
    caf::reacts_to<start_timeout_atom, uint64_t>,
    // The restart back-off of run `generation` ended.
    caf::reacts_to<restart_atom, uint64_t>>;

/// One supervised job: a real child process, its status (0, 10-18), restart
/// policy with back-off, sd_notify readiness and watchdog, captured output.
using job_actor = caf::typed_actor<
    // Answers the job's current snapshot.
    caf::replies_to<get_atom>::with<job_info>,
    // Starts the process if it is not running (status 11, then 10 or 14).
    caf::replies_to<start_atom>::with<job_info>,
    // Stops the process: SIGTERM, SIGKILL after the grace period (12, then 13).
    caf::replies_to<stop_atom>::with<job_info>,
    // Stops the process, then starts it again.
    caf::replies_to<restart_atom>::with<job_info>,
    // Replaces the job's definition; a running process is restarted.
    caf::replies_to<update_atom, job_spec>::with<job_info>,
    // Answers the last `n` captured output lines, oldest first.
    caf::replies_to<log_atom, uint32_t>::with<std::vector<log_line>>,
    // Stops the process for good and answers once it has been reaped.
    caf::replies_to<shutdown_atom>::with<ok_atom>>::extend_with<job_internal>;

/// All jobs of the node: id allocation, create/edit/remove, API-created job
/// definitions in the store. Requests about one job are delegated to its
/// job actor. Publishes `refresh` to the "ttm/jobs" group.
using job_registry_actor = caf::typed_actor<
    // Answers every job's snapshot, ordered by id.
    caf::replies_to<list_atom>::with<std::vector<job_info>>,
    // Answers the snapshot of job `id`; ec::not_found when unknown.
    caf::replies_to<get_atom, uint64_t>::with<job_info>,
    // Creates a job (ec::forbidden unless editable); answers after the commit.
    caf::replies_to<create_atom, job_spec>::with<job_info>,
    // Edits a job (ec::forbidden unless editable, ec::conflict for a
    // configured job).
    caf::replies_to<update_atom, uint64_t, job_spec>::with<job_info>,
    // Stops and removes a job (ec::forbidden unless editable).
    caf::replies_to<delete_atom, uint64_t>::with<ok_atom>,
    // Starts, stops or restarts job `id`.
    caf::replies_to<start_atom, uint64_t>::with<job_info>,
    caf::replies_to<stop_atom, uint64_t>::with<job_info>,
    caf::replies_to<restart_atom, uint64_t>::with<job_info>,
    // Answers the last `n` output lines of job `id`.
    caf::replies_to<log_atom, uint64_t, uint32_t>::with<std::vector<log_line>>,
    // Stops every job and answers once all processes are gone.
    caf::replies_to<shutdown_atom>::with<ok_atom>,
    // Starts every autostart job (once; the node sends it after its listeners
    // are bound).
    caf::reacts_to<start_atom>>;

// -- GPIO ---------------------------------------------------------------------

/// Internal messages of a GPIO line actor: edges from the Asio side and its
/// debounce timer.
using gpio_line_internal = caf::typed_actor<
    // An edge read from the line's event fd.
    caf::reacts_to<edge_atom, gpio_edge>,
    // Reading the line's event fd failed for good (`reason`); no edge
    // follows, and waiting simulate requests fail.
    caf::reacts_to<edge_atom, std::string>,
    // The debounce period of edge number `n` ended.
    caf::reacts_to<debounce_atom, uint64_t>>;

/// One GPIO line: backend handle, direction, value, debounce. Publishes
/// `gpioupdate` to the "ttm/gpio" group on every value change.
using gpio_line_actor = caf::typed_actor<
    // Answers the line's snapshot.
    caf::replies_to<get_atom>::with<gpio_info>,
    // Drives an output line (ec::conflict for an input); a write of the value
    // the line already has is not a change and publishes nothing.
    caf::replies_to<put_atom, int32_t>::with<gpio_info>,
    // Simulated backend only (ec::forbidden otherwise): drives an input line
    // as if the pin changed; the change travels the real edge-event path.
    caf::replies_to<simulate_atom,
                    int32_t>::with<gpio_info>>::extend_with<gpio_line_internal>;

/// The node's GPIO lines by name; requests about one line are delegated.
using gpio_registry_actor = caf::typed_actor<
    // Answers every line's snapshot, in configuration order.
    caf::replies_to<list_atom>::with<std::vector<gpio_info>>,
    // Answers line `name`'s snapshot; ec::not_found when unknown.
    caf::replies_to<get_atom, std::string>::with<gpio_info>,
    // Drives output line `name`.
    caf::replies_to<put_atom, std::string, int32_t>::with<gpio_info>,
    // Drives simulated input line `name`.
    caf::replies_to<simulate_atom, std::string, int32_t>::with<gpio_info>>;

// -- shared values ------------------------------------------------------------

/// Internal messages of a shared-value key actor, from its registry.
using shared_value_internal = caf::typed_actor<
    // The registry retires this (empty, idle) key actor: it quits. (CAF 0.17
    // ignores exit messages with reason normal.)
    caf::reacts_to<retire_atom>>;

/// One shared-value key: its value, persistent/notify flags and provider.
/// Publishes `dbchange` to the "ttm/values" group (unless notify is false).
using shared_value_actor = caf::typed_actor<
    // Answers the value; ec::not_found while the key is absent.
    caf::replies_to<get_atom>::with<value_info>,
    // Writes the value; answers after the commit (persistent values).
    caf::replies_to<put_atom, value_write>::with<value_put_result>,
    // Removes the value; answers after the commit; ec::not_found when absent.
    caf::replies_to<delete_atom>::with<ok_atom>>::
    extend_with<shared_value_internal>;

/// Internal messages of the value registry, from its key actors.
using value_registry_internal = caf::typed_actor<
    // Key actor `key` has handled `n` requests and holds no value.
    caf::reacts_to<retire_atom, std::string, uint64_t>>;

/// The node's shared values: key -> shared_value actor, spawning a key actor
/// on the first write and retiring it once the key is removed and idle.
using value_registry_actor = caf::typed_actor<
    // Answers every present value, in key order.
    caf::replies_to<list_atom>::with<std::vector<value_info>>,
    // Answers value `key`; ec::not_found when unknown.
    caf::replies_to<get_atom, std::string>::with<value_info>,
    // Writes value `key` (validated against the configured limits).
    caf::replies_to<put_atom, std::string, value_write>::with<value_put_result>,
    // Removes value `key`; ec::not_found when unknown.
    caf::replies_to<delete_atom, std::string>::with<ok_atom>>::
    extend_with<value_registry_internal>;

// -- cluster handlers ---------------------------------------------------------

/// A service of this node that takes a cluster topic's traffic from other
/// nodes: the router hands it every event and request whose topic is the
/// service's name or starts with "<name>/". A service never forwards what
/// it was handed (the router of the origin reached every node already).
using cluster_handler_actor = caf::typed_actor<
    // `payload` was published on `topic` by another node; answers how many
    // of its clients it reached (summed over the cluster for a request;
    // nobody reads it for an event).
    caf::replies_to<cluster_deliver_atom, std::string,
                    caf::message>::with<uint64_t>>;

// -- JMRI ---------------------------------------------------------------------

/// A JMRI connection as the message service's actors see it: it receives
/// the encoded frames of the messages for its client ids.
using jmri_sink_actor =
    caf::typed_actor<caf::reacts_to<jmri_frame_atom, jmri_frame>>;

/// One subscribed JMRI client id and the connection that owns it. The directory
/// spawns one per id and retires it on unsubscribe.
using jmri_client_actor = caf::typed_actor<
    // Forwards one message frame to the owning connection.
    caf::reacts_to<jmri_frame_atom, jmri_frame>,
    // Answers the owning connection.
    caf::replies_to<get_atom>::with<jmri_sink_actor>,
    // Ends the actor (its id was unsubscribed), after the frames sent before.
    caf::reacts_to<delete_atom>>;

/// The node's JMRI message clients (JMRI's server-wide
/// JsonMessageClientManager): client id -> jmri_client actor. Ids are unique
/// across connections; a connection that goes down loses its ids.
using jmri_directory_actor = caf::typed_actor<
    // Subscribes client `id` for connection `conn`; a no-op when `conn`
    // already owns it; ec::conflict `Client "client" is in use by another
    // connection.` when another connection does.
    caf::replies_to<put_atom, std::string, jmri_sink_actor>::with<ok_atom>,
    // Unsubscribes client `id` whoever owns it (JMRI checks no ownership);
    // unknown ids are fine.
    caf::replies_to<delete_atom, std::string>::with<ok_atom>,
    // Unsubscribes every client id of connection `conn` (close, goodbye).
    caf::replies_to<delete_atom, jmri_sink_actor>::with<ok_atom>,
    // Answers the client ids of `conn` in subscription order.
    caf::replies_to<list_atom, jmri_sink_actor>::with<std::vector<std::string>>,
    // Client "get" without a client: the ids of `conn`; when it has none, a
    // fresh UUID v4 is subscribed for it (`generated`).
    caf::replies_to<get_atom, jmri_sink_actor>::with<jmri_client_ids>,
    // Sends `msg` to its client, or to every client when msg.client is empty
    // (one copy per id), encoding it once, and to the clients on the other
    // nodes of the cluster; answers the number of copies everywhere.
    // A message for an unknown client is dropped (0).
    caf::replies_to<jmri_send_atom, jmri_message>::with<uint64_t>>::
    extend_with<cluster_handler_actor>;

// -- Socket.IO: the altoponix relay
// --------------------------------------------
//
// Connections (the companions of Socket.IO sessions) receive what the relay
// emits to them as `(sio_frame_atom, shared_frame)`: a complete Engine.IO text
// packet (`42["command finish",{...}]`), encoded once and shared by every
// recipient.

/// A Socket.IO connection as the relay's actors see it.
using sio_sink_actor =
    caf::typed_actor<caf::reacts_to<sio_frame_atom, shared_frame>>;

/// One monitor id of the relay: the monitor connection registered under it
/// (at most one) and the user connections attached to it. The directory
/// spawns it when the first of them arrives and ends it when the last one
/// has left, so users may query an id before its monitor comes online and
/// stay attached while it re-registers.
/// Internal messages of a monitor id's actor, from the directory.
using sio_monitor_internal = caf::typed_actor<
    // User `conn` attached (put) or left (delete).
    caf::reacts_to<sio_user_atom, put_atom, sio_sink_actor>,
    caf::reacts_to<sio_user_atom, delete_atom, sio_sink_actor>,
    // Monitor `conn` registered (put) or gone (delete).
    caf::reacts_to<sio_monitor_atom, put_atom, sio_sink_actor>,
    caf::reacts_to<sio_monitor_atom, delete_atom>,
    // From a user on another node of the cluster: `command do` {command}
    // to the registered monitor (dropped when none is online here).
    caf::reacts_to<sio_command_atom, std::string>,
    // From the monitor of this id on another node: `command finish` /
    // `command failed` {reason} to the users attached here.
    caf::reacts_to<sio_done_atom>, caf::reacts_to<sio_failed_atom, std::string>,
    // Ends the actor (nobody is left), after the messages sent to it before.
    caf::reacts_to<delete_atom>>;

using sio_monitor_actor = caf::typed_actor<
    // User `conn`'s `command send` {command}: `command do` {command} to the
    // registered monitor (dropped when none is online), then `command ok` to
    // `conn`, always.
    caf::reacts_to<sio_command_atom, std::string, sio_sink_actor>,
    // Monitor `conn`'s `command done`: `command finish` to every attached user
    // (ignored unless `conn` is the registered monitor).
    caf::reacts_to<sio_done_atom, sio_sink_actor>,
    // Monitor `conn`'s `command error` {reason}: `command failed` {reason} to
    // every attached user (ignored unless `conn` is the registered monitor).
    caf::reacts_to<sio_failed_atom, sio_sink_actor,
                   std::string>>::extend_with<sio_monitor_internal>;

/// The node's relay directory: monitor id -> sio_monitor actor, and per
/// connection the id it is attached to as a user and the id it holds as a
/// monitor. Monitor ids are unique across the node's connections.
using sio_directory_actor = caf::typed_actor<
    // A user's `query`: attaches connection `conn` to monitor id `id` (leaving
    // the id it was attached to before) and answers the id's actor. Any valid
    // id is accepted: the monitor need not be online.
    caf::replies_to<sio_user_atom, std::string,
                    sio_sink_actor>::with<sio_monitor_actor>,
    // A monitor's `con`: registers connection `conn` as the monitor of `id`
    // (releasing the id it held before) and answers the id's actor; the same
    // id again is a no-op; ec::conflict "monitor_id already registered" when
    // another connection holds `id`.
    caf::replies_to<sio_monitor_atom, std::string,
                    sio_sink_actor>::with<sio_monitor_actor>,
    // Connection `conn` is gone: it leaves the id it was attached to and
    // frees the id it held as a monitor.
    caf::reacts_to<delete_atom,
                   sio_sink_actor>>::extend_with<cluster_handler_actor>;

// -- RTOC
// -----------------------------------------------------------------------

/// An RTOC connection as the RTOC actors see it: pushes (samples, a new
/// signal, an event) arrive encoded once and shared by every recipient,
/// all of one request's pushes for the connection in one message.
using rtoc_sink_actor =
    caf::typed_actor<caf::reacts_to<rtoc_push_atom, shared_frames>>;

/// One RTOC signal: the RAM ring of its newest samples (rtoc.record-length)
/// and its samples in the store. (Subscriptions are the directory's: they
/// may name a signal before it exists.)
using rtoc_signal_actor = caf::typed_actor<
    // Remembers samples the directory has stored (it writes every sample
    // of a request in one store batch, whatever its signals).
    caf::reacts_to<put_atom, rtoc::sample_batch>,
    // Replaces the ring (plot=true) with x/y of `unit`, already stored.
    caf::reacts_to<rtoc_plot_atom, std::vector<double>, std::vector<double>,
                   std::string>,
    // The ring, or the window of `query` (read from the store when
    // query.database is set).
    caf::replies_to<get_atom, rtoc::signal_query>::with<rtoc::signal_view>,
    // The latest sample.
    caf::replies_to<get_atom>::with<rtoc::latest_view>,
    // Keeps the newest `n` samples in RAM from now on.
    caf::reacts_to<rtoc_resize_atom, uint64_t>,
    // Removes the signal's samples and record from the store and ends the
    // actor; answers after the commit.
    caf::replies_to<delete_atom>::with<ok_atom>>;

/// The node's RTOC events: ids (the lowest unused >= 1), storage, queries.
using rtoc_events_actor = caf::typed_actor<
    // Stores an event of device `device_id`, signal `signal_id`; answers
    // it with its id after the commit.
    caf::replies_to<put_atom, rtoc::event_request, int64_t,
                    int64_t>::with<rtoc::event_view>,
    // Every event, by id.
    caf::replies_to<list_atom>::with<std::vector<rtoc::event_view>>,
    // The events of the signals `ids`, in id order.
    caf::replies_to<get_atom,
                    std::vector<int64_t>>::with<std::vector<rtoc::event_view>>,
    // Removes the events `ids`; answers how many existed.
    caf::replies_to<delete_atom, std::vector<int64_t>>::with<uint64_t>,
    // Removes every event of signal `id` (every event for 0).
    caf::replies_to<delete_atom, int64_t>::with<uint64_t>>;

/// The node's RTOC directory: devices and signals by name and id (lowest
/// unused >= 1), the connected clients and their subscriptions. It runs the
/// requests of the connections, key by key in RTOC's order.
using rtoc_directory_actor = caf::typed_actor<
    // Connection `sink` is up: it gets pushes from now on (it is monitored;
    // its subscriptions end when it goes down).
    caf::reacts_to<rtoc_connect_atom, rtoc_sink_actor>,
    // Runs a request of connection `sink` and answers the reply frame's
    // text; the pushes it caused were sent before the answer.
    caf::replies_to<rtoc_request_atom, rtoc::request_ptr,
                    rtoc_sink_actor>::with<std::string>,
    // Samples from the node itself (the mirror of GPIO lines and values).
    caf::replies_to<put_atom, std::vector<rtoc::sample>>::with<ok_atom>,
    // An event from the node itself (the mirror of job status changes).
    caf::replies_to<rtoc_event_atom, rtoc::event_request>::with<ok_atom>,
    // Every signal's latest sample, by name (GET /api/signals).
    caf::replies_to<list_atom>::with<std::vector<rtoc::latest_view>>,
    // The window `query` of signal "Dev.Sig" (GET /api/signals/{name});
    // ec::not_found for an unknown name.
    caf::replies_to<get_atom, std::string,
                    rtoc::signal_query>::with<rtoc::signal_view>>;

// -- realdds ------------------------------------------------------------------

/// The realdds server (protocols/realdds): the node's notifications, cut
/// into realdds messages once, for its DDS topic and its WebSocket mirror;
/// controls from both. It joins the jobs, GPIO, values and job-output
/// groups.
using realdds_server_actor = caf::typed_actor<
    // A domain event from a group.
    caf::reacts_to<notify_atom, notification_ptr>,
    // A line of a job's output.
    caf::reacts_to<output_atom, job_output>,
    // A control: its JSON text, the writer (DDS GUID text) and sequence
    // number of its sample, and the mirror client it came from (0: DDS,
    // whose replies are broadcast). Answered once handled, so that a
    // client can be held to one control at a time.
    caf::replies_to<realdds_control_atom, std::string, std::string, int64_t,
                    uint64_t>::with<ok_atom>,
    // Mirror clients are waiting for their initialization.
    caf::reacts_to<realdds_join_atom>,
    // A DDS reader of the notification topic matched: initialization.
    caf::reacts_to<realdds_matched_atom>,
    // Internal: the log-flush timer, and the end of a burst (what is queued
    // goes out, combined).
    caf::reacts_to<flush_atom>, caf::reacts_to<realdds_drain_atom>>;

// -- cluster ------------------------------------------------------------------

/// What routers say to each other across a link. The sender's identity is
/// the link it came over: messages from a handle that is not an up member
/// are dropped (only a hello is taken from anyone).
using cluster_peer_actor = caf::typed_actor<
    // The handshake: answers the receiver's own hello, or an error whose
    // text says why the link is refused (a name in use, another protocol).
    caf::replies_to<cluster_hello_atom, cluster_hello>::with<cluster_hello>,
    // The sender's topics changed: the whole set.
    caf::reacts_to<cluster_topics_atom, std::vector<std::string>>,
    // The members the sender has links to (gossip, so the mesh closes).
    caf::reacts_to<cluster_members_atom, std::vector<cluster_member>>,
    // Events of the sender's stream to us, numbered from `first` on: what
    // the sender's services published since its last batch to us.
    caf::reacts_to<cluster_event_atom, uint64_t, std::vector<cluster_event>>,
    // A request on `topic` in the same stream; answers the handler's count.
    caf::replies_to<cluster_remote_atom, uint64_t, std::string,
                    caf::message>::with<uint64_t>,
    // The heartbeat, carrying the highest `seq` the sender has received
    // from us (the acknowledgement that bounds what is in flight).
    caf::reacts_to<cluster_beat_atom, uint64_t>>;

/// Internal messages of the router: its timer, its connection attempts and
/// the end of a burst.
using cluster_router_internal = caf::typed_actor<
    // Sends what events wait for each member, one batch per member: sent
    // to itself by the first event after a batch, so it comes after the
    // messages already queued (a burst goes out as one batch).
    caf::reacts_to<flush_atom>,
    // Heartbeats out, silent members down (every half heartbeat).
    caf::reacts_to<cluster_tick_atom>,
    // Dial the router published at `address` ("host:port").
    caf::reacts_to<cluster_connect_atom, std::string>,
    // A route to the router published at `address` was made (by the
    // middleman; unit tests hand routers to each other directly).
    caf::reacts_to<cluster_link_atom, std::string, caf::strong_actor_ptr>>;

/// The node's one cluster router (Zeek Broker's core actor): links to the
/// router of every other node, forwards what this node publishes only to
/// the members that take its topic, once per member, and hands what
/// arrives to the local service of its topic, never forwarding it again.
using cluster_router_actor = caf::typed_actor<
    // Starts the router: its own published address and the configured
    // peers to dial.
    caf::reacts_to<cluster_join_atom, std::string, std::vector<std::string>>,
    // The view of GET /api/cluster.
    caf::replies_to<get_atom>::with<cluster_view>,
    // Local service `name` takes topics "name" and "name/...".
    caf::reacts_to<put_atom, cluster_handler_atom, std::string,
                   cluster_handler_actor>,
    // This node takes `topic` from now on / no longer (counted: as many
    // deletes as puts withdraw it).
    caf::reacts_to<put_atom, cluster_topics_atom, std::string>,
    caf::reacts_to<delete_atom, cluster_topics_atom, std::string>,
    // Publishes `payload` on `topic` to every member taking it.
    caf::reacts_to<cluster_publish_atom, std::string, caf::message>,
    // The same as a request: answers the sum of the counts of the members
    // that answered within a heartbeat (0 when none takes `topic`; members
    // silent for a heartbeat already are not asked).
    caf::replies_to<cluster_request_atom, std::string,
                    caf::message>::with<uint64_t>,
    // The name of the up member taking `topic` whose name sorts first, ""
    // when none.
    caf::replies_to<cluster_owner_atom, std::string>::with<std::string>,
    // Publishes `payload` on `topic` to that member only (a name one node
    // should hold: when two do, the rule picks one, the same on every node).
    caf::reacts_to<cluster_owner_atom, std::string, caf::message>>::
    extend_with<cluster_peer_actor, cluster_router_internal>;

// -- group names --------------------------------------------------------------

/// The local groups domain actors publish to; sessions join them.
namespace groups {
constexpr const char* jobs = "ttm/jobs";
constexpr const char* gpio = "ttm/gpio";
constexpr const char* values = "ttm/values";
/// `(output_atom, job_output)` for every captured line of job output.
constexpr const char* job_output = "jobs/output";
/// `(notify_atom, notification_ptr)` of a cluster_changed.
constexpr const char* cluster = "cluster/members";
} // namespace groups

} // namespace signalbox

// -- type IDs of actor handles ------------------------------------------------
// Chained behind signalbox_types: a handle's type needs the atoms of its
// interface, so it cannot be in the block that defines them.

CAF_BEGIN_TYPE_ID_BLOCK(signalbox_actors, caf::id_block::signalbox_types::end)

CAF_ADD_TYPE_ID(signalbox_actors, (signalbox::jmri_sink_actor))
CAF_ADD_TYPE_ID(signalbox_actors, (signalbox::sio_sink_actor))
CAF_ADD_TYPE_ID(signalbox_actors, (signalbox::sio_monitor_actor))
CAF_ADD_TYPE_ID(signalbox_actors, (signalbox::rtoc_sink_actor))
CAF_ADD_TYPE_ID(signalbox_actors, (signalbox::cluster_handler_actor))

CAF_END_TYPE_ID_BLOCK(signalbox_actors)

namespace signalbox {

/// Registers both type-ID blocks with an actor system's configuration.
template <class Config>
void add_signalbox_types(Config& cfg) {
  cfg.template add_message_types<caf::id_block::signalbox_types>();
  cfg.template add_message_types<caf::id_block::signalbox_actors>();
}

} // namespace signalbox
