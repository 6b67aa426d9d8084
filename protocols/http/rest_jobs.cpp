#include <limits>

#include "protocols/http/rest_resources.hpp"
#include "protocols/http/uri_codec.hpp"

namespace signalbox::http {

namespace {

/// The id segment; the resource's precheck already refused malformed ones.
uint64_t job_id(const rest_call& call) {
  uint64_t id = 0;
  parse_u64(call.path[2], id);
  return id;
}

rest_method create(job_registry_actor jobs) {
  return {
      "POST",
      with_body(rest::decode_job_spec,
                [jobs](job_spec spec, rest_call& call) {
                  auto respond = call.respond;
                  ask<job_info>(
                      *call.env.sys, jobs, call.env.timeout,
                      [respond](job_info& x) {
                        rest_response out{201, rest::encode(x), {}};
                        out.headers.emplace_back(
                            "Location", "/api/jobs/" + std::to_string(x.id));
                        respond(std::move(out));
                      },
                      [respond](caf::error& err) {
                        respond(error_response(status_of(err), text_of(err)));
                      },
                      create_atom_v, std::move(spec));
                }),
      true};
}

rest_method edit(job_registry_actor jobs) {
  return {"PUT",
          with_body(rest::decode_job_spec,
                    [jobs](job_spec spec, rest_call& call) {
                      answer<job_info>(call, 200, jobs, update_atom_v,
                                       job_id(call), std::move(spec));
                    }),
          true};
}

/// POST /api/jobs/{id}/<action>: 202 with the job's snapshot.
template <class Atom>
rest_route action(job_registry_actor jobs, const char* name, Atom atom) {
  return {{"api", "jobs", "{id}", name},
          {{"POST", [jobs, atom](rest_call& call) {
              answer<job_info>(call, 202, jobs, atom, job_id(call));
            }}}};
}

rest_method log_lines(job_registry_actor jobs) {
  return {"GET", [jobs](rest_call& call) {
            uint64_t lines = 100;
            auto param = query_param(call.query, "lines");
            if (!param.empty() && (!parse_u64(param, lines) || lines == 0)) {
              call.respond(
                  error_response(400, "'lines' must be a positive integer"));
              return;
            }
            auto capped = static_cast<uint32_t>(std::min<uint64_t>(
                lines, std::numeric_limits<uint32_t>::max()));
            answer<std::vector<log_line>>(call, 200, jobs, log_atom_v,
                                          job_id(call), capped);
          }};
}

} // namespace

std::shared_ptr<const rest_resource> jobs_resource(job_registry_actor jobs) {
  auto r = std::make_shared<rest_resource>();
  r->routes = {
      {{"api", "jobs"},
       {{"GET",
         [jobs](rest_call& call) {
           answer<std::vector<job_info>>(call, 200, jobs, list_atom_v);
         }},
        create(jobs)}},
      {{"api", "jobs", "{id}"},
       {{"GET",
         [jobs](rest_call& call) {
           answer<job_info>(call, 200, jobs, get_atom_v, job_id(call));
         }},
        edit(jobs),
        {"DELETE",
         [jobs](rest_call& call) {
           answer_no_content(call, jobs, delete_atom_v, job_id(call));
         }}}},
      action(jobs, "start", start_atom_v),
      action(jobs, "stop", stop_atom_v),
      action(jobs, "restart", restart_atom_v),
      {{"api", "jobs", "{id}", "log"}, {log_lines(jobs)}},
  };
  // Every path below /api/jobs/ names a job by its number first.
  r->precheck = [](const rest_call& call) -> std::optional<rest_response> {
    uint64_t id = 0;
    if (call.path.size() >= 3 && !parse_u64(call.path[2], id))
      return error_response(404, "no job '" + call.path[2] + "'");
    return std::nullopt;
  };
  return r;
}

} // namespace signalbox::http
