#include "app/services.hpp"

#include "protocols/cluster/service.hpp"
#include "protocols/jmri/service.hpp"
#include "protocols/realdds/service.hpp"
#include "protocols/rtoc/service.hpp"
#include "protocols/socketio/service.hpp"
#include "protocols/ttmnotify/service.hpp"

namespace signalbox {

service_list make_services() {
  service_list all;
  // Adding an interface: its folder under protocols/ and one line here
  // (docs/design.md, "How to add an interface").
  all.push_back(ttmnotify::make_service()); // 1777: ttmnotify + REST
  all.push_back(jmri::make_service());      // 12080, 2056: JMRI JSON
  all.push_back(socketio::make_service());  // 5000: altoponix relay
  all.push_back(rtoc::make_service());      // 5050: RTOC websocket
  all.push_back(realdds::make_service());   // DDS, 5151: realdds
  // Last: its router is in the context from `bind` on, before any service
  // starts, and its listening line comes after the interfaces'.
  all.push_back(cluster::make_service()); // 4100: links to other nodes
  return all;
}

} // namespace signalbox
