#include "irqbridge/analysis.hpp"

namespace irqbridge {

std::string_view stage_name(Stage stage) {
  switch (stage) {
    case Stage::timer_to_top:
      return "timer_to_top";
    case Stage::top_to_bottom:
      return "top_to_bottom";
    case Stage::bottom_to_user:
      return "bottom_to_user";
    case Stage::top_to_user:
      return "top_to_user";
    case Stage::timer_to_user:
      return "timer_to_user";
    case Stage::bottom_to_signal:
      return "bottom_to_signal";
    case Stage::raise_to_top:
      return "raise_to_top";
    case Stage::bottom_to_chain:
      return "bottom_to_chain";
    case Stage::count_:
      break;
  }
  return "?";
}

namespace {

std::int64_t diff(std::uint64_t later, std::uint64_t earlier) {
  return static_cast<std::int64_t>(later - earlier);
}

}  // namespace

Analysis analyze(std::span<const irqbridge_record> records, std::span<const Wakeup> wakeups,
                 bool chain) {
  Analysis a;
  auto add = [&a](Stage s, std::int64_t v) { a.samples[static_cast<std::size_t>(s)].push_back(v); };
  std::size_t w = 0;
  bool have_prev = false;
  std::uint64_t prev_seq = 0;

  for (const auto& r : records) {
    a.records++;
    if (have_prev && r.seq > prev_seq + 1) a.seq_gaps += r.seq - prev_seq - 1;
    prev_seq = r.seq;
    have_prev = true;

    a.top.add(r.top);
    a.bottom.add(r.bottom);
    if (chain) a.chain.add(r.chain);

    // Linear merge: wake-ups are in order, records ascend by seq.
    while (w < wakeups.size() && wakeups[w].cumulative <= r.seq) w++;
    if (w == wakeups.size()) {
      a.unattributed++;
      continue;
    }
    const std::uint64_t user = wakeups[w].user_ns;
    const std::uint64_t last_bottom = chain ? r.chain_ns : r.bottom_ns;

    bool ordered = r.expected_ns <= r.raise_ns && r.raise_ns <= r.top_ns &&
                   r.top_ns <= r.bottom_ns && r.bottom_ns <= r.signal_ns && r.bottom_ns <= user;
    if (chain) ordered = ordered && r.bottom_ns <= r.chain_ns && r.chain_ns <= r.signal_ns;
    if (!ordered) {
      a.order_violations++;
      continue;
    }

    add(Stage::timer_to_top, diff(r.top_ns, r.expected_ns));
    add(Stage::top_to_bottom, diff(r.bottom_ns, r.top_ns));
    add(Stage::bottom_to_user, diff(user, r.bottom_ns));
    add(Stage::top_to_user, diff(user, r.top_ns));
    add(Stage::timer_to_user, diff(user, r.expected_ns));
    add(Stage::bottom_to_signal, diff(r.signal_ns, last_bottom));
    add(Stage::raise_to_top, diff(r.top_ns, r.raise_ns));
    if (chain) add(Stage::bottom_to_chain, diff(r.chain_ns, r.bottom_ns));
  }
  return a;
}

}  // namespace irqbridge
