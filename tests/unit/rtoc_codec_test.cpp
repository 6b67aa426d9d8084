// The RTOC codec (protocols/rtoc/codec.hpp): every request key with RTOC's
// normalisation and the fixes docs/rtoc.md lists, and every reply field and
// push, as exact JSON text.
#define CAF_SUITE rtoc_codec
// GCC 12 warns that optionals read right after a has_value() check "may be
// used uninitialized" (a known false positive at -O2).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <cmath>
#include <deque>
#include <string>

#include <caf/test/unit_test.hpp>

#include "protocols/rtoc/codec.hpp"

using namespace signalbox::rtoc;

namespace {

constexpr double now = 1700000000.5;

/// The parsed request, kept for the rest of the run: checks may hold on to
/// parts of it after the expression that parsed it.
const request& parse(const std::string& text) {
  static std::deque<request> kept;
  auto req = parse_request(text, now);
  if (!req)
    CAF_FAIL("refused: " << text);
  kept.push_back(std::move(*req));
  return kept.back();
}

bool refused(const std::string& text) {
  return !parse_request(text, now).has_value();
}

} // namespace

CAF_TEST(what is not a request object is refused) {
  for (auto bad : {"", "nope", "[]", "1", "\"x\"", "null", "{}", "{} x",
                   "{\"y\":[1]", "{\"a\":1,}"})
    CAF_CHECK(refused(bad));
  CAF_CHECK(refused(std::string{"{\"y\":[1]}\0x", 12}));
  std::string deep = "{\"a\":";
  for (int i = 0; i < 70; ++i)
    deep += "[";
  for (int i = 0; i < 70; ++i)
    deep += "]";
  CAF_CHECK(refused(deep + "}"));
  // Unknown keys only: a request that does nothing.
  auto req = parse(R"({"hello":1})");
  CAF_CHECK(!req.data && !req.event && !req.get_signal);
}

CAF_TEST(data values become samples with the defaults of RTOC) {
  auto req = parse(R"({"y":[1,2.5,-3],"sname":["a",5],"dname":"D",)"
                   R"("unit":["V",null]})");
  CAF_REQUIRE(req.data);
  auto& s = req.data->samples;
  CAF_REQUIRE_EQUAL(s.size(), 3u);
  CAF_CHECK_EQUAL(s[0].sname, "a");
  CAF_CHECK_EQUAL(s[1].sname, "noSignal"); // a non-string name
  CAF_CHECK_EQUAL(s[2].sname, "Unnamed");  // more values than names
  CAF_CHECK_EQUAL(s[0].unit, "V");
  CAF_CHECK_EQUAL(s[1].unit, "");
  CAF_CHECK_EQUAL(s[2].unit, "");
  for (auto& x : s) {
    CAF_CHECK_EQUAL(x.dname, "D");
    CAF_CHECK_EQUAL(x.x.value, now); // one timestamp for all
  }
  CAF_CHECK_EQUAL(s[0].y.text, "1"); // integers stay integers
  CAF_CHECK_EQUAL(s[1].y.text, "2.5");
  CAF_CHECK_EQUAL(s[2].y.value, -3.0);
}

CAF_TEST(data scalars missing names and devices) {
  auto req = parse(R"({"y":7,"x":3})");
  CAF_REQUIRE(req.data);
  auto& s = req.data->samples;
  CAF_REQUIRE_EQUAL(s.size(), 1u);
  CAF_CHECK_EQUAL(s[0].dname, "noDevice");
  CAF_CHECK_EQUAL(s[0].sname, ""); // RTOC's default sname [""]
  CAF_CHECK_EQUAL(s[0].x.text, "3");
  CAF_CHECK_EQUAL(parse(R"({"y":[1],"dname":null})").data->samples[0].dname,
                  "noDevice");
  CAF_CHECK_EQUAL(parse(R"({"y":[1],"dname":5})").data->samples[0].dname,
                  "noDevice");
  CAF_CHECK_EQUAL(parse(R"({"y":[1,2],"x":[]})").data->samples[1].x.value, now);
  CAF_CHECK_EQUAL(parse(R"({"y":[1],"x":null})").data->samples[0].x.value, now);
  // x longer than y is fine.
  CAF_CHECK_EQUAL(parse(R"({"y":[1],"x":[4,5]})").data->samples.size(), 1u);
}

CAF_TEST(data of the wrong shape fails the request) {
  CAF_CHECK(refused(R"({"y":{"a":1}})"));
  CAF_CHECK(refused(R"({"y":null})"));
  CAF_CHECK(refused(R"({"y":true})"));
  CAF_CHECK(refused(R"({"y":[1,"a"]})"));
  CAF_CHECK(refused(R"({"y":[1,[2]]})"));
  CAF_CHECK(refused(R"({"y":[1,2],"x":[1]})"));
  CAF_CHECK(refused(R"({"y":[1],"x":["t"]})"));
}

CAF_TEST(NaN and Infinity are numbers as in Python) {
  auto req = parse(R"({"y":[NaN,Infinity,-Infinity],"x":[1,2,3]})");
  auto& s = req.data->samples;
  CAF_CHECK(std::isnan(s[0].y.value));
  CAF_CHECK(std::isinf(s[1].y.value) && s[1].y.value > 0);
  CAF_CHECK_EQUAL(s[0].y.text, "NaN");
  CAF_CHECK_EQUAL(s[1].y.text, "Infinity");
  CAF_CHECK_EQUAL(s[2].y.text, "-Infinity");
  CAF_CHECK_EQUAL(
      sample_push(s[0], 4),
      R"({"signal":{"x":[1],"y":[NaN],"unit":"","dname":"noDevice","sname":"","id":4}})");
}

CAF_TEST(a y string is an event) {
  auto req = parse(R"({"y":"door opened"})");
  CAF_REQUIRE(req.data && req.data->event);
  auto& ev = *req.data->event;
  CAF_CHECK(req.data->samples.empty());
  CAF_CHECK_EQUAL(ev.text, "door opened");
  CAF_CHECK_EQUAL(ev.sname, "noName");
  CAF_CHECK_EQUAL(ev.dname, "noDevice");
  CAF_CHECK_EQUAL(ev.x, now);
  CAF_CHECK_EQUAL(ev.id, sha1_hex("noNamenoDevicedoor opened"));
}

CAF_TEST(plot replaces a signal and fixes the bugs of RTOC) {
  auto req = parse(R"({"plot":true,"x":[1,2],"y":[3,4],"sname":["S"],)"
                   R"("dname":"D","unit":["a","b"]})");
  CAF_REQUIRE(req.plot);
  CAF_CHECK(!req.data);
  CAF_CHECK_EQUAL(req.plot->sname, "S"); // a one-element list works
  CAF_CHECK_EQUAL(req.plot->unit, "b");  // the last unit
  CAF_CHECK(req.plot->stored);
  CAF_CHECK_EQUAL(req.plot->x, (std::vector<double>{1, 2}));
  // No x: the indices (RTOC raised).
  auto idx = parse(R"({"plot":1,"y":[5,6,7],"sname":"S"})");
  CAF_CHECK_EQUAL(idx.plot->x, (std::vector<double>{0, 1, 2}));
  // y empty: x is plotted over its indices.
  auto swap = parse(R"({"plot":"yes","y":[],"x":[9,8]})");
  CAF_CHECK_EQUAL(swap.plot->y, (std::vector<double>{9, 8}));
  CAF_CHECK_EQUAL(swap.plot->x, (std::vector<double>{0, 1}));
  CAF_CHECK_EQUAL(swap.plot->sname, "noSignal");
  // Lengths differ: nothing stored, still sent.
  auto odd = parse(R"({"plot":true,"y":[1,2],"x":[1]})");
  CAF_CHECK(!odd.plot->stored);
  CAF_CHECK(odd.plot->x.empty());
  // Falsy plot is data.
  CAF_CHECK(parse(R"({"plot":0,"y":[1]})").data);
  CAF_CHECK(parse(R"({"plot":"","y":[1]})").data);
  CAF_CHECK(refused(R"({"plot":true,"y":[1,"a"]})"));
}

CAF_TEST(events in list and dict form) {
  auto ev = *parse(R"({"event":["hot","T","D",5,2,"id1",{"k":1}]})").event;
  CAF_CHECK_EQUAL(ev.text, "hot");
  CAF_CHECK_EQUAL(ev.sname, "T");
  CAF_CHECK_EQUAL(ev.dname, "D");
  CAF_CHECK_EQUAL(ev.x, 5.0);
  CAF_CHECK_EQUAL(ev.priority, 2);
  CAF_CHECK_EQUAL(ev.id, "id1");
  CAF_CHECK_EQUAL(ev.value_json, R"({"k":1})");
  auto d = *parse(R"({"event":{"text":"t","priority":7,"id":12}})").event;
  CAF_CHECK_EQUAL(d.sname, "noName");
  CAF_CHECK_EQUAL(d.dname, "noDevice");
  CAF_CHECK_EQUAL(d.x, now);
  CAF_CHECK_EQUAL(d.priority, 0); // outside 0..2
  CAF_CHECK_EQUAL(d.id, "12");
  CAF_CHECK_EQUAL(d.value_json, "null");
  auto h = *parse(R"({"event":["abc","S","D"]})").event;
  CAF_CHECK_EQUAL(h.id, sha1_hex("SDabc"));
  CAF_CHECK_EQUAL(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  CAF_CHECK_EQUAL(parse(R"({"event":["a",1,2]})").event->sname, "noSignal");
  CAF_CHECK(refused(R"({"event":"text"})"));
  CAF_CHECK(refused(R"({"event":[1,2,3,4,5,6,7,8]})"));
  CAF_CHECK(refused(R"({"event":{"txt":"typo"}})"));
  CAF_CHECK(refused(R"({"event":["a","S","D","soon"]})"));
}

CAF_TEST(subscriptions) {
  auto s = parse(R"({"subscribe":["signal","A.B"]})").subscribe;
  CAF_REQUIRE(s);
  CAF_CHECK(!s->device);
  CAF_CHECK_EQUAL(s->name, "A.B");
  CAF_CHECK(parse(R"({"unsubscribe":["device","A"]})").unsubscribe->device);
  CAF_CHECK(refused(R"({"subscribe":["signal"]})"));
  CAF_CHECK(refused(R"({"subscribe":["plugin","A"]})"));
  CAF_CHECK(refused(R"({"subscribe":"A.B"})"));
  CAF_CHECK_EQUAL(*parse(R"({"subscribeAll":true})").subscribe_all, "signal");
  CAF_CHECK_EQUAL(*parse(R"({"subscribeAll":"device"})").subscribe_all,
                  "device");
  CAF_CHECK_EQUAL(*parse(R"({"unsubscribeAll":5})").unsubscribe_all, "");
}

CAF_TEST(getters) {
  auto req = parse(R"({"getSignalList":0,"getPluginList":null,)"
                   R"("getEventList":10,"getSession":false})");
  CAF_CHECK(req.get_signal_list && req.get_plugin_list && req.get_event_list &&
            req.get_session);
  CAF_CHECK_EQUAL(*parse(R"({"getEvent":["A.B"]})").get_event,
                  std::vector<std::string>{"A.B"});
  CAF_CHECK(refused(R"({"getEvent":"A.B"})"));
  CAF_CHECK(parse(R"({"getSignal":"all"})").get_signal->all);
  CAF_CHECK_EQUAL(parse(R"({"getSignal":["A.B","C.D"]})").get_signal->names,
                  (std::vector<std::string>{"A.B", "C.D"}));
  auto q = parse(R"({"getSignal":{"dname":"A","sname":"B","xmin":1,)"
                 R"("xmax":null,"maxN":10,"database":1}})")
               .get_signal->query;
  CAF_REQUIRE(q);
  CAF_CHECK_EQUAL(q->name, "A.B");
  CAF_CHECK(q->window.has_xmin && !q->window.has_xmax);
  CAF_CHECK_EQUAL(q->window.xmin, 1.0);
  CAF_CHECK_EQUAL(q->window.max_n, 10u);
  CAF_CHECK(q->window.database);
  CAF_CHECK(
      parse(R"({"getSignal":{"dname":"A"}})").get_signal->incomplete_query);
  CAF_CHECK(refused(R"({"getSignal":{"dname":"A","sname":"B","xmin":"1"}})"));
  CAF_CHECK(refused(R"({"getSignal":{"dname":"A","sname":"B","maxN":-1}})"));
  CAF_CHECK(refused(R"({"getSignal":5})"));
  CAF_CHECK(parse(R"({"getLatest":true})").get_latest->all);
  auto none = parse(R"({"getLatest":5})").get_latest;
  CAF_REQUIRE(none.has_value());
  CAF_CHECK(!none->all && none->names.empty());
  CAF_CHECK(refused(R"({"getLatest":[1]})"));
}

CAF_TEST(remove plugin logger userAction automation authorize) {
  auto rm = parse(R"({"remove":[[1,"A.B"],[3]]})").remove;
  CAF_REQUIRE(rm);
  CAF_CHECK_EQUAL(rm->signals.size(), 2u);
  CAF_CHECK_EQUAL(std::get<int64_t>(rm->signals[0]), 1);
  CAF_CHECK_EQUAL(std::get<std::string>(rm->signals[1]), "A.B");
  CAF_CHECK_EQUAL(rm->events, std::vector<int64_t>{3});
  CAF_CHECK(parse(R"({"remove":[]})").remove->signals.empty());
  CAF_CHECK(refused(R"({"remove":["signal","A.B"]})"));
  CAF_CHECK(refused(R"({"remove":[[1],["x"]]})"));
  CAF_CHECK_EQUAL(*parse(R"({"plugin":{"X":{"start":true}}})").plugin_json,
                  R"({"X":{"start":true}})");
  CAF_CHECK(refused(R"({"plugin":"X"})"));
  auto lg = parse(R"({"logger":{"info":true,"resize":10}})").logger;
  CAF_REQUIRE(lg.has_value());
  CAF_REQUIRE_EQUAL(lg->items.size(), 2u);
  CAF_CHECK_EQUAL(lg->items[1].key, "resize");
  CAF_CHECK_EQUAL(lg->items[1].value_json, "10");
  CAF_CHECK(refused(R"({"logger":true})"));
  CAF_CHECK_EQUAL(*parse(R"({"userAction":"go"})").user_action, "go");
  CAF_CHECK(refused(R"({"userAction":1})"));
  CAF_CHECK(refused(R"({"automation":[]})"));
  CAF_CHECK_EQUAL(*parse(R"({"authorize":"h"})").authorize, "h");
  CAF_CHECK_EQUAL(*parse(R"({"authorize":true})").authorize, "true");
  auto names = parse_string_list(R"(["a","b"])");
  CAF_REQUIRE(names.has_value());
  CAF_CHECK_EQUAL(*names, (std::vector<std::string>{"a", "b"}));
  CAF_CHECK(!parse_string_list(R"("all")").has_value());
}

CAF_TEST(replies keep the order of their fields) {
  reply_writer w;
  w.sent();
  w.signal_list({{"D", "S"}});
  w.plugin_list();
  CAF_CHECK_EQUAL(
      w.finish(),
      R"({"error":false,"sent":true,"signalList":[["D","S"]],"pluginList":{}})");
  reply_writer s;
  s.signals({{"D.S", {1, 2}, {3.5, 4}, "V", 7, 1, 0.5, 9}});
  s.latest_all({{"D.S", 2, 4, "V", 7, 1, 2, false, 2}});
  CAF_CHECK_EQUAL(
      s.finish(),
      R"({"error":false,"signals":{"D.S":[[1.0,2.0],[3.5,4.0],"V",7,0.5,9.0]},"latest":{"D.S":[2.0,4.0,"V",7,1.0,2.0]}})");
  reply_writer e;
  e.events({{4, 1, 2, "D", "S", "t", 1.5, "null", 1, "x"}});
  e.removed(1, 2);
  CAF_CHECK_EQUAL(
      e.finish(),
      R"({"error":false,"events":{"4":["D","S",4,"t",1.5,null,1,"x"]},"remove":[1,2]})");
  reply_writer f;
  f.signals_false();
  f.latest_selected({{"D.S", 2, 4, "V", 7, 1, 2, false, 2}});
  CAF_CHECK_EQUAL(
      f.finish(),
      R"({"error":false,"signals":false,"latest":{"D.S":[2.0,4.0,"V"]}})");
}

CAF_TEST(the answers for what a node does not have) {
  reply_writer w;
  w.plugin_not_found(
      R"js({"X":{"start":true,"stop":true,"f()":[],"p":1},"Y":1})js");
  w.user_action_unknown("go");
  w.automation_empty();
  w.logger({{"resize", "true"}, {"backup", "false"}});
  CAF_CHECK_EQUAL(
      w.finish(),
      R"js({"error":false,"plugin":{"X":{"start":[false,"PLUGIN not found: 'X'\n"],"stop":true,"f()":[false,"Plugin X not found or started"],"p":false},"Y":false},)js"
      R"js("userAction":{"name":"go","success":false,"type":"text","data":"Action is incorrect"},)js"
      R"js("automation":{"events":{},"actions":{},"active":{"events":false,"actions":false}},)js"
      R"js("logger":{"resize":true,"backup":false}})js");
}

CAF_TEST(pushes and fixed frames) {
    CAF_CHECK_EQUAL(error_reply(), R"({"error":true})");
    CAF_CHECK_EQUAL(authorized_reply(true), R"({"authorized":true})");
    CAF_CHECK_EQUAL(authorized_reply(false), R"({"authorized":false})");
    CAF_CHECK_EQUAL(newconnected_push(), R"({"client":"newconnected"})");
    CAF_CHECK_EQUAL(
        new_signal_push("D", "S", 3),
        R"({"signal":{"x":[],"y":[],"unit":null,"dname":"D","sname":"S","id":3}})");
    sample s{"D", "S", "V", {1.5, "1.5"}, {2, "2"}};
    CAF_CHECK_EQUAL(
        sample_push(s, 3),
        R"({"signal":{"x":[1.5],"y":[2],"unit":"V","dname":"D","sname":"S","id":3}})");
    CAF_CHECK_EQUAL(
        event_push({9, 1, 2, "D", "S", "t", 1.0, R"("v")", 2, "id"}),
        R"({"event":{"x":1.0,"text":"t","dname":"D","sname":"S","priority":2,"value":"v","id":"id","eventId":9}})");
  }

  CAF_TEST(floats as Python writes them) {
    CAF_CHECK_EQUAL(float_text(1.0), "1.0");
    CAF_CHECK_EQUAL(float_text(0.1), "0.1");
    CAF_CHECK_EQUAL(float_text(-2.5), "-2.5");
    CAF_CHECK_EQUAL(float_text(std::nan("")), "NaN");
    CAF_CHECK_EQUAL(float_text(HUGE_VAL), "Infinity");
    CAF_CHECK_EQUAL(float_text(-HUGE_VAL), "-Infinity");
    auto name = split_name("Dev.Sig.x");
    CAF_REQUIRE(name);
    CAF_CHECK_EQUAL(name->first, "Dev");
    CAF_CHECK_EQUAL(name->second, "Sig.x");
    CAF_CHECK(!split_name("nodot").has_value());
  }
