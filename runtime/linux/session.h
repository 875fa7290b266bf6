/* session.h - the state of one run of the script, shared by the transport,
 * the probe entry code and module main. */
#ifndef STP_LINUX_SESSION_H
#define STP_LINUX_SESSION_H

static atomic_t _stp_session_state = ATOMIC_INIT(STAP_SESSION_UNINITIALIZED);
/* Set by _stp_exit()/_stp_error(); the control timer turns it into
   STP_REQUEST_EXIT once the begin probes have run. */
static int _stp_exit_flag;
/* STP_START has run the begin probes and armed the probes. */
static int _stp_probes_started;

static atomic_t _stp_error_count = ATOMIC_INIT(0);
static atomic_t _stp_skipped_count = ATOMIC_INIT(0);
static atomic_t _stp_skipped_reentrant = ATOMIC_INIT(0);
static atomic_t _stp_skipped_lowstack = ATOMIC_INIT(0);
static atomic_t _stp_transport_failures = ATOMIC_INIT(0);

static void _stp_exit(void);
static void _stp_error(const char *fmt, ...) __printf(1, 2);
static void _stp_softerror(const char *fmt, ...) __printf(1, 2);
static void _stp_warn(const char *fmt, ...) __printf(1, 2);

#endif /* STP_LINUX_SESSION_H */
