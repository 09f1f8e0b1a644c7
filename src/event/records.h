#pragma once
// Typed, normalised records per event family (spec/events.md §4). Owned by the event module.
namespace naap::event {
struct Records {};
}  // namespace naap::event
