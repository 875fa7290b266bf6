// record_serializer.h: puts relay records from all CPUs back in the order
// the module produced them.
//
// Each record carries a global sequence number (the first is 1).  Readers
// add records as they find them; a writer thread emits them in sequence
// order.  A missing number is given up for lost once every reader has made
// two more passes over its file without finding it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

namespace stp {

class OutputSink;

struct LossReport {
  uint32_t lost_messages = 0;
  uint32_t lost_bytes = 0;
  uint32_t unexpected_sequences = 0;
};

class RecordSerializer {
public:
  RecordSerializer(OutputSink &sink, size_t readers);
  ~RecordSerializer();
  RecordSerializer(const RecordSerializer &) = delete;
  RecordSerializer &operator=(const RecordSerializer &) = delete;

  void start();
  void add(uint32_t sequence, std::string payload);
  // Reader R finished one poll-and-read pass.
  void pass_done(size_t reader);
  void add_lost_bytes(size_t n);
  // No more records will come: emit everything left, in order, and stop.
  void finish();
  LossReport losses();

private:
  struct Record {
    uint32_t sequence;
    std::string payload;
    bool operator>(const Record &o) const { return sequence > o.sequence; }
  };

  void run();
  bool gap_expired() const;  // with mu_ held

  OutputSink &sink_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Record, std::vector<Record>, std::greater<Record>> heap_;
  std::vector<uint64_t> passes_;
  std::vector<uint64_t> gap_marks_;  // passes_ when the current gap was seen
  bool gap_open_ = false;
  uint32_t next_ = 1;
  bool finishing_ = false;
  LossReport loss_;
  std::thread thread_;
};

} // namespace stp
