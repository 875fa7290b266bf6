// protocol.h: the wire format between a SystemTap module and staprun/stapio.
//
// Byte-compatible with systemtap 4.8 modules (the numbering where STP_START
// is 0).  Control messages travel over /proc/systemtap/MOD/.cmd as a u32
// type followed by the payload; each read() of .cmd returns one message.
// Probe output travels over the relay files trace0..N in the same folder,
// as records framed by a TraceHeader.
#pragma once

#include <cstdint>
#include <sys/types.h>

namespace stp {

// Control message types.  Values are the enum order of 4.8's
// transport_msgs.h; the gaps are messages nobody sends any more.
enum MsgType : uint32_t {
  kMsgStart = 0,
  kMsgExit = 1,
  kMsgOobData = 2,
  kMsgSystem = 3,
  kMsgTransport = 4,
  kMsgConnect = 5,
  kMsgDisconnect = 6,
  kMsgBulk = 7,
  kMsgReady = 8,
  kMsgRelocation = 9,
  kMsgBufInfo = 10,
  kMsgSubbufsConsumed = 11,
  kMsgRealtimeData = 12,
  kMsgRequestExit = 13,
  kMsgTzinfo = 14,
  kMsgPrivilegeCredentials = 15,
  kMsgRemoteId = 16,
  kMsgMaxCmd = 17,
  kMsgNamespacesPid = 18,
};

constexpr size_t kModuleNameLen = 128;
constexpr size_t kSymbolNameLen = 128;
constexpr size_t kTzNameLen = 64;
constexpr size_t kRemoteUriLen = 128;
constexpr size_t kSystemCmdLen = 128;

// The largest message the module sends is a 384-byte buffer plus its type;
// reading with a much larger buffer costs nothing and survives growth.
constexpr size_t kCtlReadBufferSize = 8192 + 4;

struct MsgStart {
  pid_t target;
  int32_t res;
};

struct MsgSystem {
  char cmd[kSystemCmdLen];
};

struct MsgRelocation {
  char module[kModuleNameLen];
  char reloc[kSymbolNameLen];
  uint64_t address;
};

struct MsgTzinfo {
  int64_t tz_gmtoff;
  char tz_name[kTzNameLen];
};

struct MsgPrivilegeCredentials {
  int32_t pc_group_mask;
};

struct MsgRemoteId {
  int32_t remote_id;
  char remote_uri[kRemoteUriLen];
};

struct MsgNamespacesPid {
  pid_t target;
};

// STP_BULK carries 128 unused bytes; a module not built for bulk mode
// answers the write with EINVAL.
constexpr size_t kBulkPayloadLen = 128;

static_assert(sizeof(MsgStart) == 8);
static_assert(sizeof(MsgRelocation) == 264);
static_assert(sizeof(MsgTzinfo) == 72);
static_assert(sizeof(MsgRemoteId) == 132);

// Relay record framing.  4.8 modules write an 8-byte header (sequence,
// length); 5.x modules put a 4-byte magic in front.  A reader accepts both:
// the magic is recognised by its bytes, and a 4.8 sequence number would have
// to reach 0xBAA99FF0 to look like it.
constexpr unsigned char kTraceMagic[4] = {0xF0, 0x9F, 0xA9, 0xBA};
constexpr size_t kTraceHeaderLen = 8;
constexpr size_t kTraceMagicHeaderLen = 12;

// Privilege credential bits (the pc_group_mask of STP_PRIVILEGE_CREDENTIALS
// and the value of a module's .stap_privilege section).
constexpr int32_t kPrivNone = 0;
constexpr int32_t kPrivUnknown = 1;
constexpr int32_t kPrivStapusr = 2;
constexpr int32_t kPrivStapsys = 4;
constexpr int32_t kPrivStapdev = 8;

} // namespace stp
