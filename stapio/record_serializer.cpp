// record_serializer.cpp: the in-order writer of relay records.
#include "stapio/record_serializer.h"

#include "stapio/output_sink.h"

namespace stp {

RecordSerializer::RecordSerializer(OutputSink &sink, size_t readers)
    : sink_(sink), passes_(readers, 0), gap_marks_(readers, 0) {}

RecordSerializer::~RecordSerializer() { finish(); }

void RecordSerializer::start() { thread_ = std::thread([this] { run(); }); }

void RecordSerializer::add(uint32_t sequence, std::string payload) {
  {
    std::lock_guard lock(mu_);
    heap_.push(Record{sequence, std::move(payload)});
  }
  cv_.notify_one();
}

void RecordSerializer::pass_done(size_t reader) {
  bool wake;
  {
    std::lock_guard lock(mu_);
    ++passes_[reader];
    wake = gap_open_;
  }
  if (wake)
    cv_.notify_one();
}

void RecordSerializer::add_lost_bytes(size_t n) {
  std::lock_guard lock(mu_);
  loss_.lost_bytes += static_cast<uint32_t>(n);
}

bool RecordSerializer::gap_expired() const {
  for (size_t i = 0; i < passes_.size(); ++i)
    if (passes_[i] < gap_marks_[i] + 2)
      return false;
  return true;
}

void RecordSerializer::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] {
      if (finishing_)
        return true;
      if (heap_.empty())
        return false;
      uint32_t top = heap_.top().sequence;
      if (top <= next_)
        return true;
      if (!gap_open_) {
        gap_open_ = true;
        gap_marks_ = passes_;
        return false;
      }
      return gap_expired();
    });
    if (heap_.empty()) {
      if (finishing_)
        return;
      continue;
    }
    Record r = std::move(const_cast<Record &>(heap_.top()));
    heap_.pop();
    if (r.sequence < next_) {
      ++loss_.unexpected_sequences;
    } else {
      if (r.sequence > next_)
        loss_.lost_messages += r.sequence - next_;
      next_ = r.sequence + 1;
    }
    gap_open_ = false;
    // Write without the lock so readers are not held up by a slow disk.
    lock.unlock();
    sink_.write(r.payload.data(), r.payload.size());
    lock.lock();
  }
}

void RecordSerializer::finish() {
  {
    std::lock_guard lock(mu_);
    finishing_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable())
    thread_.join();
}

LossReport RecordSerializer::losses() {
  std::lock_guard lock(mu_);
  return loss_;
}

} // namespace stp
