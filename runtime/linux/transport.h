/* transport.h - the module's side of the staprun/stapio protocol.
 *
 * The wire format is SystemTap 4.8's: message numbers start at STP_START = 0,
 * every message is a 32-bit type followed by a fixed struct, and output
 * records on the relay files trace0..N carry an 8-byte header
 * {u32 sequence, u32 pdu_len}.  Debian's staprun/stapio 4.8 talk to a module
 * built from this runtime unchanged. */
#ifndef STP_LINUX_TRANSPORT_H
#define STP_LINUX_TRANSPORT_H

#define STP_MODULE_NAME_LEN 128
#define STP_SYMBOL_NAME_LEN 128
#define STP_TZ_NAME_LEN 64
#define STP_REMOTE_URI_LEN 128
/* Largest payload of one module->stapio control message. */
#define STP_CTL_BUFFER_SIZE 384
/* Control messages that can wait in the queue at once. */
#define STP_CTL_POOL_SIZE 256

/* Message types, in 4.8's order (values are part of the wire format). */
enum {
  STP_START = 0,
  STP_EXIT = 1,
  STP_OOB_DATA = 2,
  STP_SYSTEM = 3,
  STP_TRANSPORT = 4,
  STP_CONNECT = 5,
  STP_DISCONNECT = 6,
  STP_BULK = 7,
  STP_READY = 8,
  STP_RELOCATION = 9,
  STP_BUF_INFO = 10,
  STP_SUBBUFS_CONSUMED = 11,
  STP_REALTIME_DATA = 12,
  STP_REQUEST_EXIT = 13,
  STP_TZINFO = 14,
  STP_PRIVILEGE_CREDENTIALS = 15,
  STP_REMOTE_ID = 16,
  STP_MAX_CMD = 17,
  STP_NAMESPACES_PID = 18,
};

/* Header of every record on the relay files. */
struct _stp_trace {
  uint32_t sequence;   /* global across CPUs: stapio may order by it */
  uint32_t pdu_len;    /* bytes of payload after the header */
};

struct _stp_msg_cmd { char cmd[128]; };
struct _stp_msg_start { pid_t target; int32_t res; };
struct _stp_msg_ns_pid { pid_t target; };
struct _stp_msg_relocation {
  char module[STP_MODULE_NAME_LEN];
  char reloc[STP_SYMBOL_NAME_LEN];
  uint64_t address;
};
struct _stp_msg_tzinfo { int64_t tz_gmtoff; char tz_name[STP_TZ_NAME_LEN]; };
struct _stp_msg_privilege_credentials { int32_t pc_group_mask; };
struct _stp_msg_remote_id { int32_t remote_id; char remote_uri[STP_REMOTE_URI_LEN]; };

/* Session parameters (tapset/RUNTIME_API.md), set by control messages. */
static long _stp_target;                 /* STP_START's target: -x / -c pid */
static long _stp_pid;                    /* pid of the process that attached (stapio) */
static long _stp_remote_id = -1;
static char _stp_remote_uri[STP_REMOTE_URI_LEN];
static long _stp_tz_gmtoff;              /* seconds west of UTC */
static char _stp_tz_name[STP_TZ_NAME_LEN];
static int32_t _stp_privilege_credentials;
static long _stp_namespaces_pid;

/* Opens the full-size output buffers now and waits for them (or their
   failure), when probes about to run may print `bytes` (-1: unknown) and
   those do not surely fit the first ones; bytes 0 never waits.  Process
   context. */
static void _stp_relay_wait_full(long long bytes);
/* Queue a control message for stapio; safe in any context except NMI with
   the queue lock held.  0 or -ENOMEM / -E2BIG. */
static int _stp_ctl_send(int type, const void *data, unsigned len);
/* Queue "PREFIX<formatted message>\n" as STP_OOB_DATA. */
static void _stp_ctl_log(const char *prefix, const char *fmt, va_list args) __printf(2, 0);
/* Append one record (header + payload) to this CPU's relay buffer; called
   with preemption disabled.  Counts a transport failure when it does not
   fit. */
static void _stp_relay_write(const char *data, size_t len);

static int _stp_transport_init(void);
static void _stp_transport_exit(void);

#endif /* STP_LINUX_TRANSPORT_H */
