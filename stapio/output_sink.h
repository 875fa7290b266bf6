// output_sink.h: where probe output goes: stdout, or the -o file.
//
// -o FILE may contain strftime(3) sequences, expanded at open.  With
// -S size[,N] the output moves to FILE.0, FILE.1, ... whenever a file would
// pass `size` MB, keeping the newest N; SIGUSR2 moves to the next file at
// once.  Thread-safe: the serializer writes while the main thread may ask
// for a switch.
#pragma once

#include <mutex>
#include <string>

namespace stp {

struct Options;

class OutputSink {
public:
  OutputSink() = default;
  ~OutputSink();
  OutputSink(const OutputSink &) = delete;
  OutputSink &operator=(const OutputSink &) = delete;

  // Prints the error and returns false when the file cannot be opened.
  bool open(const Options &opts);

  // Writes all of DATA; false after a write error (reported once).
  bool write(const char *data, size_t len);

  // SIGUSR2: continue in the next file (only with -o).
  void switch_file();

  void close();

  // FILE with strftime sequences expanded and made absolute; nullopt-like
  // empty string when the format is invalid.
  static std::string expand_path(const std::string &format);

private:
  bool open_current();  // with mu_ held
  std::string current_name() const;

  std::mutex mu_;
  int fd_ = -1;
  bool own_fd_ = false;
  bool failed_ = false;
  std::string base_;        // expanded -o path
  bool numbered_ = false;   // -S or after a SIGUSR2: FILE.N
  long limit_bytes_ = 0;
  int keep_ = 0;
  int index_ = 0;
  long written_ = 0;
};

} // namespace stp
