// The node's own REST resources (docs/api.md), one route table each.
#pragma once

#include <memory>

#include "actors/interfaces.hpp"
#include "protocols/http/rest_routes.hpp"

namespace signalbox::http {

/// /api/jobs, /api/jobs/{id}, /api/jobs/{id}/{start,stop,restart,log}.
std::shared_ptr<const rest_resource> jobs_resource(job_registry_actor jobs);

/// /api/gpios, /api/gpios/{name}.
std::shared_ptr<const rest_resource> gpio_resource(gpio_registry_actor gpio);

/// /api/sim/gpios/{name}: drives a simulated input line.
std::shared_ptr<const rest_resource>
gpio_simulation_resource(gpio_registry_actor gpio);

/// /api/node: what the node is (the dashboard reads it first).
std::shared_ptr<const rest_resource> node_resource(rest::node_summary node);

/// /api/values, /api/values/{key}.
std::shared_ptr<const rest_resource>
values_resource(value_registry_actor values);

} // namespace signalbox::http
