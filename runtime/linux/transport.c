/* transport.c - procfs control file, relay output files, control messages.
 *
 * Layout in procfs (what staprun/stapio 4.8 look for):
 *   /proc/systemtap/            shared by all modules, never removed
 *   /proc/systemtap/MOD/.cmd    control file, mode 0600, one opener at a time
 *   /proc/systemtap/MOD/traceN  relay buffer of CPU N, mode 0400
 *
 * Control messages module->stapio wait in a queue of preallocated buffers
 * (no allocation in probe context); each read() of .cmd returns one message
 * as [u32 type][payload].  Writes are [u32 type][struct] and are handled in
 * process context under a mutex.
 *
 * Output records go through a relay channel in no-overwrite mode.  Writers
 * (probe handlers, preemption off) and the reader's "switch the partly
 * filled sub-buffer so it can be read" step exclude each other with a
 * per-CPU spinlock; the reader itself only ever copies completed
 * sub-buffers, which writers never touch again until they are consumed.
 *
 * The full-size buffers (16 MiB per CPU by default) take longer to allocate
 * and clear than everything else the module does before its first output,
 * so module init opens a small channel (the one with the traceN files) and
 * a work item opens the full-size one, without files, only when it is
 * needed: when a small buffer is a quarter full (stapio is not keeping up),
 * before begin/end/error probes that may print more than fits, or after
 * STP_RELAY_GROW_DELAY_MS of running.  A short script never pays for it, and
 * nothing competes with the first output for the CPU.  Once it is published
 * writers move to it; each CPU's reader drains the small buffer first, then
 * follows (under the same per-CPU lock, so no record lands in the small
 * buffer after its reader left it).  Records keep their global sequence
 * numbers, so stapio sees one ordered stream. */

#include <linux/relay.h>
#include <linux/namei.h>
#include <linux/poll.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/cred.h>
#include <linux/irq_work.h>

#ifndef STP_CTL_TIMER_INTERVAL_MS
#define STP_CTL_TIMER_INTERVAL_MS 20
#endif

/* Relay sizing: 16 MiB per CPU of PAGE_SIZE sub-buffers unless the module
   parameter asks for another size (in MB, as staprun -b passes it). */
static int _stp_bufsize;
module_param(_stp_bufsize, int, 0);
MODULE_PARM_DESC(_stp_bufsize, "per-CPU output buffer size in MB");

static unsigned _stp_subbuf_size = PAGE_SIZE;
static unsigned _stp_nsubbufs;          /* the full size */

/* The small channel's size; with a full size no bigger, there is one
   channel only. */
#ifndef STP_RELAY_FIRST_KB
#define STP_RELAY_FIRST_KB 1024
#endif
#ifndef STP_RELAY_GROW_DELAY_MS
#define STP_RELAY_GROW_DELAY_MS 1000
#endif

/* ---- procfs directory ---- */

static struct proc_dir_entry *_stp_proc_dir;     /* /proc/systemtap/MOD */
static char _stp_proc_dir_name[STP_MODULE_NAME_LEN + sizeof("systemtap/")];
static kuid_t _stp_owner_uid;
static kgid_t _stp_owner_gid;

static int _stp_proc_mkdir(void)
{
  struct path p;

  /* /proc/systemtap is shared with every other loaded module; create it
     only when it is missing (it is never removed, as upstream). */
  if (kern_path("/proc/systemtap", 0, &p) == 0)
    path_put(&p);
  else
    proc_mkdir("systemtap", NULL);
  snprintf(_stp_proc_dir_name, sizeof(_stp_proc_dir_name), "systemtap/%s",
           THIS_MODULE->name);
  _stp_proc_dir = proc_mkdir(_stp_proc_dir_name, NULL);
  if (!_stp_proc_dir) {
    printk(KERN_ERR "%s: cannot create /proc/%s\n", THIS_MODULE->name,
           _stp_proc_dir_name);
    return -ENOMEM;
  }
  proc_set_user(_stp_proc_dir, _stp_owner_uid, _stp_owner_gid);
  return 0;
}

/* ---- control messages ---- */

struct _stp_ctl_msg {
  struct list_head list;
  u32 len;                         /* payload bytes */
  u32 type;
  char buf[STP_CTL_BUFFER_SIZE];
};

static struct _stp_ctl_msg *_stp_ctl_pool;        /* STP_CTL_POOL_SIZE entries */
/* Messages that are sent once each get their own buffer, so they never
   fail because warnings filled the pool. */
static struct _stp_ctl_msg _stp_ctl_once[4];
static LIST_HEAD(_stp_ctl_free);
static LIST_HEAD(_stp_ctl_ready);
static DEFINE_SPINLOCK(_stp_ctl_lock);
static DECLARE_WAIT_QUEUE_HEAD(_stp_ctl_wq);
static atomic_t _stp_ctl_attached = ATOMIC_INIT(0);
static atomic_t _stp_ctl_dropped = ATOMIC_INIT(0);
static struct timer_list _stp_ctl_timer;
static int _stp_request_exit_sent;

static int _stp_ctl_lock_irqsave(unsigned long *flags)
{
  /* An NMI may interrupt a holder on this CPU: never spin there. */
  if (in_nmi()) {
    local_irq_save(*flags);
    if (spin_trylock(&_stp_ctl_lock))
      return 1;
    local_irq_restore(*flags);
    return 0;
  }
  spin_lock_irqsave(&_stp_ctl_lock, *flags);
  return 1;
}

static struct _stp_ctl_msg *_stp_ctl_once_slot(int type)
{
  switch (type) {
  case STP_START: return &_stp_ctl_once[0];
  case STP_EXIT: return &_stp_ctl_once[1];
  case STP_TRANSPORT: return &_stp_ctl_once[2];
  case STP_REQUEST_EXIT: return &_stp_ctl_once[3];
  default: return NULL;
  }
}

/* Takes a free buffer (or the type's own one); NULL when none is left. */
static struct _stp_ctl_msg *_stp_ctl_get(int type)
{
  struct _stp_ctl_msg *m = _stp_ctl_once_slot(type);
  unsigned long flags;

  if (m)
    return m;
  if (!_stp_ctl_lock_irqsave(&flags))
    return NULL;
  if (!list_empty(&_stp_ctl_free)) {
    m = list_first_entry(&_stp_ctl_free, struct _stp_ctl_msg, list);
    list_del_init(&m->list);
  }
  spin_unlock_irqrestore(&_stp_ctl_lock, flags);
  return m;
}

static void _stp_ctl_queue(struct _stp_ctl_msg *m)
{
  unsigned long flags;

  if (!_stp_ctl_lock_irqsave(&flags)) {
    /* Cannot queue from this NMI; give the buffer back later is not
       possible either, so it is lost.  Count it. */
    atomic_inc(&_stp_ctl_dropped);
    return;
  }
  list_add_tail(&m->list, &_stp_ctl_ready);
  spin_unlock_irqrestore(&_stp_ctl_lock, flags);
}

static int _stp_ctl_send(int type, const void *data, unsigned len)
{
  struct _stp_ctl_msg *m;

  if (len > STP_CTL_BUFFER_SIZE)
    return -E2BIG;
  if (!_stp_ctl_pool)
    return -ENOMEM;
  m = _stp_ctl_get(type);
  if (!m) {
    atomic_inc(&_stp_ctl_dropped);
    return -ENOMEM;
  }
  m->type = type;
  m->len = len;
  if (len)
    memcpy(m->buf, data, len);
  _stp_ctl_queue(m);
  return 0;
}

/* From process context the reader can be woken at once; probe context
   leaves that to the control timer. */
static int _stp_ctl_send_notify(int type, const void *data, unsigned len)
{
  int rc = _stp_ctl_send(type, data, len);
  wake_up_interruptible(&_stp_ctl_wq);
  return rc;
}

static void _stp_ctl_log(const char *prefix, const char *fmt, va_list args)
{
  struct _stp_ctl_msg *m;
  size_t plen = strlen(prefix);

  if (!_stp_ctl_pool) {
    /* Before the transport exists (or after it is gone): the kernel log is
       the only place left. */
    char tmp[STP_CTL_BUFFER_SIZE];
    vscnprintf(tmp, sizeof(tmp), fmt, args);
    printk(KERN_ERR "%s: %s%s\n", THIS_MODULE->name, prefix, tmp);
    return;
  }
  m = _stp_ctl_get(STP_OOB_DATA);
  if (!m) {
    atomic_inc(&_stp_ctl_dropped);
    return;
  }
  m->type = STP_OOB_DATA;
  memcpy(m->buf, prefix, plen);
  m->len = plen + vscnprintf(m->buf + plen, STP_CTL_BUFFER_SIZE - plen, fmt, args);
  /* vscnprintf kept one byte for its NUL, so the newline always fits. */
  if (m->len == 0 || m->buf[m->len - 1] != '\n')
    m->buf[m->len++] = '\n';
  _stp_ctl_queue(m);
}

static void _stp_handle_start(struct _stp_msg_start *st);
static void _stp_cleanup_and_exit(int send_exit);

/* Copies the fixed struct that follows the type word; 0 when the message
   is too short (ignored, as 4.8 does), 1 when copied, -EFAULT. */
static int _stp_ctl_copy_msg(void *dst, size_t size, const char __user *buf, size_t count)
{
  if (count < size)
    return 0;
  if (copy_from_user(dst, buf, size))
    return -EFAULT;
  return 1;
}

static void _stp_relay_wake_readers(void);

static ssize_t _stp_ctl_write(struct file *file, const char __user *buf,
                              size_t count, loff_t *ppos)
{
  static DEFINE_MUTEX(cmd_mutex);
  /* Static: messages are handled one at a time under cmd_mutex, and the
     relocation message is too big for the stack. */
  static union {
    struct _stp_msg_start start;
    struct _stp_msg_relocation reloc;
    struct _stp_msg_tzinfo tz;
    struct _stp_msg_privilege_credentials priv;
    struct _stp_msg_remote_id remote;
    struct _stp_msg_ns_pid nspid;
  } msg;
  size_t total = count;
  u32 type;
  int rc = 0;

  if (count < sizeof(u32))
    return 0;
  if (get_user(type, (u32 __user *) buf))
    return -EFAULT;
  buf += sizeof(u32);
  count -= sizeof(u32);

  _stp_pid = current->pid;
  mutex_lock(&cmd_mutex);
  switch (type) {
  case STP_START:
    rc = _stp_ctl_copy_msg(&msg.start, sizeof(msg.start), buf, count);
    if (rc > 0)
      _stp_handle_start(&msg.start);
    break;
  case STP_EXIT:
    _stp_cleanup_and_exit(1);
    rc = 1;
    break;
  case STP_BULK:
#ifdef STP_BULKMODE
    rc = 1;
#else
    rc = -EINVAL;     /* tells stapio this module is not in bulk mode */
#endif
    break;
  case STP_RELOCATION:
    if (!uid_eq(current_euid(), GLOBAL_ROOT_UID)) {
      rc = -EPERM;
      break;
    }
    /* Accepted and ignored (4.8's staprun sends the kernel's and every
       module's addresses): kernel addresses are relocated from an exported
       anchor symbol (STP_RELOC) and module code is probed by name. */
    rc = _stp_ctl_copy_msg(&msg.reloc, sizeof(msg.reloc), buf, count);
    break;
  case STP_TZINFO:
    if (!uid_eq(current_euid(), GLOBAL_ROOT_UID)) {
      rc = -EPERM;
      break;
    }
    rc = _stp_ctl_copy_msg(&msg.tz, sizeof(msg.tz), buf, count);
    if (rc > 0) {
      _stp_tz_gmtoff = (long) msg.tz.tz_gmtoff;
      strscpy(_stp_tz_name, msg.tz.tz_name, sizeof(_stp_tz_name));
    }
    break;
  case STP_PRIVILEGE_CREDENTIALS:
    if (!uid_eq(current_euid(), GLOBAL_ROOT_UID)) {
      rc = -EPERM;
      break;
    }
    rc = _stp_ctl_copy_msg(&msg.priv, sizeof(msg.priv), buf, count);
    if (rc > 0)
      _stp_privilege_credentials = msg.priv.pc_group_mask;
    break;
  case STP_REMOTE_ID:
    if (!uid_eq(current_euid(), GLOBAL_ROOT_UID)) {
      rc = -EPERM;
      break;
    }
    rc = _stp_ctl_copy_msg(&msg.remote, sizeof(msg.remote), buf, count);
    if (rc > 0) {
      _stp_remote_id = msg.remote.remote_id;
      strscpy(_stp_remote_uri, msg.remote.remote_uri, sizeof(_stp_remote_uri));
    }
    break;
  case STP_NAMESPACES_PID:
    rc = _stp_ctl_copy_msg(&msg.nspid, sizeof(msg.nspid), buf, count);
    if (rc > 0)
      _stp_namespaces_pid = msg.nspid.target;
    break;
  case STP_READY:
    rc = 1;
    break;
  default:
    rc = -EINVAL;
    break;
  }
  mutex_unlock(&cmd_mutex);
  /* The begin (or end) probes just ran here, in process context: let
     stapio read their output now rather than at the next timer tick. */
  if (type == STP_START || type == STP_EXIT)
    _stp_relay_wake_readers();
  if (rc < 0)
    return rc;
  /* A short message is swallowed without effect, as 4.8 does. */
  return rc == 0 ? 0 : (ssize_t) total;
}

static ssize_t _stp_ctl_read(struct file *file, char __user *buf,
                             size_t count, loff_t *ppos)
{
  struct _stp_ctl_msg *m = NULL;
  unsigned long flags;
  size_t len;

  for (;;) {
    spin_lock_irqsave(&_stp_ctl_lock, flags);
    if (!list_empty(&_stp_ctl_ready)) {
      m = list_first_entry(&_stp_ctl_ready, struct _stp_ctl_msg, list);
      len = sizeof(u32) + m->len;
      if (len > count) {
        spin_unlock_irqrestore(&_stp_ctl_lock, flags);
        return -EINVAL;   /* stapio always offers a buffer large enough */
      }
      list_del_init(&m->list);
    }
    spin_unlock_irqrestore(&_stp_ctl_lock, flags);
    if (m)
      break;
    if (file->f_flags & O_NONBLOCK)
      return -EAGAIN;
    if (wait_event_interruptible(_stp_ctl_wq, !list_empty(&_stp_ctl_ready)))
      return -ERESTARTSYS;
  }

  if (copy_to_user(buf, &m->type, sizeof(u32)) ||
      copy_to_user(buf + sizeof(u32), m->buf, m->len))
    len = -EFAULT;   /* the message is lost; stapio would be confused anyway */
  if (!_stp_ctl_once_slot(m->type) ||
      (m >= _stp_ctl_pool && m < _stp_ctl_pool + STP_CTL_POOL_SIZE)) {
    spin_lock_irqsave(&_stp_ctl_lock, flags);
    list_add_tail(&m->list, &_stp_ctl_free);
    spin_unlock_irqrestore(&_stp_ctl_lock, flags);
  }
  return len;
}

static void _stp_relay_wake_readers(void);

static void _stp_ctl_timer_fn(struct timer_list *unused)
{
  int pending;
  unsigned long flags;

  spin_lock_irqsave(&_stp_ctl_lock, flags);
  pending = !list_empty(&_stp_ctl_ready);
  spin_unlock_irqrestore(&_stp_ctl_lock, flags);
  if (pending)
    wake_up_interruptible(&_stp_ctl_wq);
  _stp_relay_wake_readers();

  /* exit() and errors only set a flag (they may run in any context); ask
     stapio to start the shutdown, once, after the begin probes ran. */
  if (READ_ONCE(_stp_exit_flag) && READ_ONCE(_stp_probes_started) &&
      !_stp_request_exit_sent) {
    _stp_request_exit_sent = 1;
    _stp_ctl_send_notify(STP_REQUEST_EXIT, NULL, 0);
  }
  if (atomic_read(&_stp_ctl_attached))
    mod_timer(&_stp_ctl_timer, jiffies + msecs_to_jiffies(STP_CTL_TIMER_INTERVAL_MS));
}

static int _stp_ctl_open(struct inode *inode, struct file *file)
{
  if (atomic_inc_return(&_stp_ctl_attached) > 1) {
    atomic_dec(&_stp_ctl_attached);
    return -EBUSY;
  }
  /* procfs has no owner field: pin the module ourselves so it cannot be
     unloaded while stapio sleeps in poll() on our wait queue. */
  if (!try_module_get(THIS_MODULE)) {
    atomic_dec(&_stp_ctl_attached);
    return -ENODEV;
  }
  _stp_pid = current->pid;
  mod_timer(&_stp_ctl_timer, jiffies + msecs_to_jiffies(STP_CTL_TIMER_INTERVAL_MS));
  return 0;
}

static int _stp_ctl_release(struct inode *inode, struct file *file)
{
  atomic_dec(&_stp_ctl_attached);
  stp_timer_delete_sync(&_stp_ctl_timer);
  _stp_pid = 0;
  wake_up_interruptible(&_stp_ctl_wq);
  module_put(THIS_MODULE);
  return 0;
}

static __poll_t _stp_ctl_poll(struct file *file, poll_table *wait)
{
  /* Always writable; POLLPRI is what stapio uses to check that select()
     works on this file. */
  __poll_t res = EPOLLPRI | EPOLLOUT | EPOLLWRNORM;
  unsigned long flags;

  poll_wait(file, &_stp_ctl_wq, wait);
  spin_lock_irqsave(&_stp_ctl_lock, flags);
  if (!list_empty(&_stp_ctl_ready))
    res |= EPOLLIN | EPOLLRDNORM;
  spin_unlock_irqrestore(&_stp_ctl_lock, flags);
  return res;
}

static const struct proc_ops _stp_ctl_proc_ops = {
  .proc_open = _stp_ctl_open,
  .proc_release = _stp_ctl_release,
  .proc_read = _stp_ctl_read,
  .proc_write = _stp_ctl_write,
  .proc_poll = _stp_ctl_poll,
};

/* ---- relay output ---- */

static struct rchan *_stp_relay_chan;     /* the first one; owns the files */
static struct rchan *_stp_relay_full;     /* the full-size one, once published */
static DEFINE_PER_CPU(int, _stp_relay_reader_moved);   /* reader follows it */
static struct delayed_work _stp_relay_grow_work;
static int _stp_relay_grow_queued;
static int _stp_relay_grow_now;           /* a writer saw a small buffer filling */
static int _stp_relay_grow_done;          /* the work ran (the full-size one may be NULL) */
static atomic_t _stp_relay_seq = ATOMIC_INIT(0);
static DEFINE_PER_CPU(spinlock_t, _stp_relay_lock);
/* Per CPU: bytes already read from the oldest completed sub-buffer. */
static DEFINE_PER_CPU(size_t, _stp_relay_read_off);
/* The procfs files the relay buffers live in, and the paths that keep
   their dentries (relay needs a real dentry) alive. */
struct _stp_relay_file {
  struct proc_dir_entry *pde;
  struct path path;
  int used;
};
static struct _stp_relay_file *_stp_relay_files;   /* nr_cpu_ids entries */

static int _stp_relay_lock_irqsave(unsigned cpu, unsigned long *flags)
{
  spinlock_t *l = per_cpu_ptr(&_stp_relay_lock, cpu);

  if (in_nmi()) {
    local_irq_save(*flags);
    if (spin_trylock(l))
      return 1;
    local_irq_restore(*flags);
    return 0;
  }
  spin_lock_irqsave(l, *flags);
  return 1;
}

static void _stp_relay_unlock_irqrestore(unsigned cpu, unsigned long flags)
{
  spin_unlock_irqrestore(per_cpu_ptr(&_stp_relay_lock, cpu), flags);
}

/* No-overwrite mode: refuse to start a sub-buffer stapio has not read. */
static int _stp_relay_subbuf_start(struct rchan_buf *buf, void *subbuf,
                                   void *prev_subbuf, size_t prev_padding)
{
  return !relay_buf_full(buf);
}

static int _stp_relay_open(struct inode *inode, struct file *filp)
{
  struct rchan_buf *buf = stp_pde_data(inode);

  if (!buf)
    return -ENOENT;
  /* relay's own open takes a reference on the buffer through i_private. */
  inode->i_private = buf;
  return relay_file_operations.open(inode, filp);
}

static int _stp_relay_release(struct inode *inode, struct file *filp)
{
  return relay_file_operations.release(inode, filp);
}

static int _stp_relay_has_partial(struct rchan_buf *buf)
{
  return buf->offset > 0 && buf->offset <= buf->chan->subbuf_size;
}

static int _stp_relay_has_data(struct rchan_buf *buf)
{
  return buf->subbufs_produced != buf->subbufs_consumed || _stp_relay_has_partial(buf);
}

/* This CPU's buffer of the full-size channel, NULL before it is published. */
static struct rchan_buf *_stp_relay_full_buf(unsigned cpu)
{
  struct rchan *full = smp_load_acquire(&_stp_relay_full);

  return full ? *per_cpu_ptr(full->buf, cpu) : NULL;
}

static ssize_t _stp_relay_read(struct file *filp, char __user *ubuf,
                               size_t count, loff_t *ppos)
{
  struct rchan_buf *buf = filp->private_data;   /* the first channel's */
  unsigned cpu = buf->cpu;
  size_t *read_off = per_cpu_ptr(&_stp_relay_read_off, cpu);
  ssize_t done = 0;

  inode_lock(file_inode(filp));   /* one reader at a time per file */
  if (*per_cpu_ptr(&_stp_relay_reader_moved, cpu))
    buf = _stp_relay_full_buf(cpu);
  while (count > 0) {
    unsigned long flags;
    size_t produced, consumed, idx, end, n;
    size_t subbuf_size = buf->chan->subbuf_size, n_subbufs = buf->chan->n_subbufs;

    _stp_relay_lock_irqsave(cpu, &flags);
    /* Nothing complete to read: close the partly filled sub-buffer so
       output reaches stapio without waiting for a full page. */
    if (buf->subbufs_produced == buf->subbufs_consumed && _stp_relay_has_partial(buf))
      relay_switch_subbuf(buf, 0);
    produced = buf->subbufs_produced;
    consumed = buf->subbufs_consumed;
    if (produced == consumed && buf->chan == _stp_relay_chan) {
      /* The first buffer is drained; once writers have the full-size one
         (they choose under this lock), nothing more comes here. */
      struct rchan_buf *full = _stp_relay_full_buf(cpu);
      if (full) {
        *per_cpu_ptr(&_stp_relay_reader_moved, cpu) = 1;
        buf = full;
        _stp_relay_unlock_irqrestore(cpu, flags);
        continue;
      }
    }
    _stp_relay_unlock_irqrestore(cpu, flags);
    if (produced == consumed)
      break;
    idx = consumed % n_subbufs;
    end = subbuf_size - buf->padding[idx];
    if (*read_off < end) {
      n = min(count, end - *read_off);
      if (copy_to_user(ubuf + done, (char *) buf->start + idx * subbuf_size + *read_off, n)) {
        if (!done)
          done = -EFAULT;
        break;
      }
      *read_off += n;
      done += n;
      count -= n;
    }
    if (*read_off >= end) {
      *read_off = 0;
      relay_subbufs_consumed(buf->chan, cpu, 1);
    }
  }
  inode_unlock(file_inode(filp));
  if (done == 0 && (filp->f_flags & O_NONBLOCK))
    return -EAGAIN;
  return done;
}

static __poll_t _stp_relay_poll(struct file *filp, poll_table *wait)
{
  struct rchan_buf *buf = filp->private_data, *full;

  if (buf->finalized)
    return EPOLLERR;
  /* Wake-ups for either channel's CPU buffer come to this file's queue. */
  poll_wait(filp, &buf->read_wait, wait);
  full = _stp_relay_full_buf(buf->cpu);
  if (_stp_relay_has_data(buf) || (full && _stp_relay_has_data(full)))
    return EPOLLIN | EPOLLRDNORM;
  return 0;
}

static const struct proc_ops _stp_relay_proc_ops = {
  .proc_open = _stp_relay_open,
  .proc_release = _stp_relay_release,
  .proc_read = _stp_relay_read,
  .proc_poll = _stp_relay_poll,
};

static struct dentry *_stp_relay_create_file(const char *filename, struct dentry *parent,
                                             umode_t mode, struct rchan_buf *buf,
                                             int *is_global)
{
  char path[sizeof("/proc/") + sizeof(_stp_proc_dir_name) + 16];
  struct _stp_relay_file *f;
  unsigned i;

  *is_global = 0;
  for (i = 0; i < nr_cpu_ids && _stp_relay_files[i].used; i++)
    ;
  if (i == nr_cpu_ids)
    return NULL;
  f = &_stp_relay_files[i];
  f->pde = proc_create_data(filename, 0400, _stp_proc_dir, &_stp_relay_proc_ops, buf);
  if (!f->pde)
    return NULL;
  proc_set_user(f->pde, _stp_owner_uid, _stp_owner_gid);
  /* relay keeps (and updates i_size through) the file's dentry, which a
     procfs entry only gets once it is looked up. */
  snprintf(path, sizeof(path), "/proc/%s/%s", _stp_proc_dir_name, filename);
  if (kern_path(path, 0, &f->path)) {
    proc_remove(f->pde);
    f->pde = NULL;
    return NULL;
  }
  f->used = 1;
  return f->path.dentry;
}

static int _stp_relay_remove_file(struct dentry *dentry)
{
  unsigned i;

  for (i = 0; i < nr_cpu_ids; i++) {
    struct _stp_relay_file *f = &_stp_relay_files[i];
    if (f->used && f->path.dentry == dentry) {
      path_put(&f->path);
      proc_remove(f->pde);
      f->pde = NULL;
      f->used = 0;
      break;
    }
  }
  return 0;
}

static const struct rchan_callbacks _stp_relay_callbacks = {
  .subbuf_start = _stp_relay_subbuf_start,
  .create_buf_file = _stp_relay_create_file,
  .remove_buf_file = _stp_relay_remove_file,
};

/* The full-size channel has no files (it is read through the first one's).
   relay still asks for a file with no name, only to learn is_global, and
   before Linux 6.10 takes a NULL answer for a failure; the answer is
   otherwise never used, so any non-NULL pointer will do. */
static struct dentry *_stp_relay_no_file(const char *filename, struct dentry *parent,
                                         umode_t mode, struct rchan_buf *buf,
                                         int *is_global)
{
  static char unused;

  *is_global = 0;
  return filename ? NULL : (struct dentry *) &unused;
}

static int _stp_relay_no_remove(struct dentry *dentry)
{
  return 0;
}

static const struct rchan_callbacks _stp_relay_full_callbacks = {
  .subbuf_start = _stp_relay_subbuf_start,
  .create_buf_file = _stp_relay_no_file,
  .remove_buf_file = _stp_relay_no_remove,
};

/* Copies n bytes at the write position, moving to new sub-buffers as
   needed; the caller checked that they fit. */
static void _stp_relay_put(struct rchan_buf *buf, const char *p, size_t n)
{
  size_t subbuf_size = buf->chan->subbuf_size;

  while (n > 0) {
    size_t room;
    if (buf->offset >= subbuf_size) {
      relay_switch_subbuf(buf, 0);
      if (buf->offset > subbuf_size)
        return;   /* full after all: cannot happen after the space check */
    }
    room = min(n, subbuf_size - buf->offset);
    memcpy((char *) buf->data + buf->offset, p, room);
    buf->offset += room;
    p += room;
    n -= room;
  }
}

/* Probe context cannot call wake_up() (the probe may sit inside the
   scheduler); an irq_work can be queued from anywhere, NMI included, and
   wakes the readers right after the probe instead of at the next control
   timer tick. */
static void _stp_relay_wake_fn(struct irq_work *work)
{
  _stp_relay_wake_readers();
  /* Safe in interrupt context: the work runs at once instead of later. */
  if (READ_ONCE(_stp_relay_grow_now) && _stp_relay_grow_queued && !READ_ONCE(_stp_relay_grow_done))
    mod_delayed_work(system_unbound_wq, &_stp_relay_grow_work, 0);
}
static struct irq_work _stp_relay_wake_work;
static int _stp_relay_wake_ready;

static void _stp_relay_write(const char *data, size_t len)
{
  struct rchan_buf *buf;
  struct _stp_trace hdr;
  unsigned long flags;
  unsigned cpu = smp_processor_id();
  size_t subbuf_size, room, ready;
  int was_empty;

  if (!_stp_relay_chan || len == 0)
    return;
  if (!_stp_relay_lock_irqsave(cpu, &flags)) {
    atomic_inc(&_stp_transport_failures);
    return;
  }
  /* Chosen under the lock: see _stp_relay_read. */
  buf = _stp_relay_full_buf(cpu);
  if (!buf)
    buf = *per_cpu_ptr(_stp_relay_chan->buf, cpu);
  if (!buf) {
    _stp_relay_unlock_irqrestore(cpu, flags);
    atomic_inc(&_stp_transport_failures);
    return;
  }
  subbuf_size = buf->chan->subbuf_size;
  /* Whole records or nothing: a half-written record would break stapio's
     framing for everything after it. */
  ready = buf->subbufs_produced - buf->subbufs_consumed;
  room = buf->offset <= subbuf_size ? subbuf_size - buf->offset : 0;
  if (ready + 1 < buf->chan->n_subbufs)
    room += (buf->chan->n_subbufs - 1 - ready) * subbuf_size;
  if (sizeof(hdr) + len > room) {
    _stp_relay_unlock_irqrestore(cpu, flags);
    atomic_inc(&_stp_transport_failures);
    return;
  }
  /* Only the first record after stapio caught up needs a wake-up: until
     stapio reads, later ones find the buffer non-empty. */
  was_empty = ready == 0 && buf->offset == 0;
  hdr.sequence = (uint32_t) atomic_inc_return(&_stp_relay_seq);
  hdr.pdu_len = (uint32_t) len;
  _stp_relay_put(buf, (const char *) &hdr, sizeof(hdr));
  _stp_relay_put(buf, data, len);
  /* A small buffer a quarter full: time for the full-size ones (the
     irq_work asks for them; a probe may not queue work itself). */
  if (buf->chan == _stp_relay_chan && _stp_relay_grow_queued &&
      (buf->subbufs_produced - buf->subbufs_consumed) * 4 >= buf->chan->n_subbufs &&
      !READ_ONCE(_stp_relay_grow_now)) {
    WRITE_ONCE(_stp_relay_grow_now, 1);
    was_empty = 1;
  }
  _stp_relay_unlock_irqrestore(cpu, flags);
  if (was_empty && READ_ONCE(_stp_relay_wake_ready))
    irq_work_queue(&_stp_relay_wake_work);
}

/* Called from the control timer (softirq) and at shutdown: readers sleeping
   in poll() learn about records still in a partly filled sub-buffer. */
static void _stp_relay_wake_readers(void)
{
  unsigned cpu;

  if (!_stp_relay_chan)
    return;
  for_each_online_cpu(cpu) {
    struct rchan_buf *buf = *per_cpu_ptr(_stp_relay_chan->buf, cpu);
    struct rchan_buf *full = _stp_relay_full_buf(cpu);
    if (buf && (_stp_relay_has_data(buf) || (full && _stp_relay_has_data(full))))
      wake_up_interruptible(&buf->read_wait);
  }
}

static void _stp_relay_size(void)
{
  struct sysinfo si;
  u64 per_cpu, limit;

  per_cpu = _stp_bufsize > 0 ? (u64) _stp_bufsize << 20 : 16ULL << 20;
  /* Never more than a quarter of free memory spread over the CPUs. */
  si_meminfo(&si);
  limit = ((u64) si.freeram + si.bufferram) * si.mem_unit / 4 / num_online_cpus();
  if (per_cpu > limit)
    per_cpu = limit;
  _stp_nsubbufs = (unsigned) div_u64(per_cpu, _stp_subbuf_size);
  if (_stp_nsubbufs < 4)
    _stp_nsubbufs = 4;
}

/* Opens the full-size channel in the background (see the top). */
static void _stp_relay_grow_fn(struct work_struct *work)
{
  struct rchan *full;

  /* Once, whether it works or not (the work may be asked for again). */
  if (READ_ONCE(_stp_relay_grow_done))
    return;
  WRITE_ONCE(_stp_relay_grow_done, 1);
  full = relay_open(NULL, NULL, _stp_subbuf_size, _stp_nsubbufs, &_stp_relay_full_callbacks,
                    NULL);
  if (!full) {
    _stp_warn("Could not allocate %u KB output buffers per CPU; using %u KB.\n",
              _stp_nsubbufs * (_stp_subbuf_size >> 10),
              (unsigned) (_stp_relay_chan->n_subbufs * (_stp_subbuf_size >> 10)));
    return;
  }
  smp_store_release(&_stp_relay_full, full);
}

static void _stp_relay_wait_full(long long bytes)
{
  size_t first;

  if (!_stp_relay_grow_queued || !_stp_relay_chan || bytes == 0 ||
      smp_load_acquire(&_stp_relay_full))
    return;
  /* Half the first buffer: stapio may not read meanwhile, and records do
     not pack sub-buffers completely. */
  first = (size_t) _stp_relay_chan->n_subbufs * _stp_relay_chan->subbuf_size;
  if (bytes > 0 && (unsigned long long) bytes <= first / 2)
    return;
  /* Runs a pending work item now and waits for it. */
  flush_delayed_work(&_stp_relay_grow_work);
}

/* ---- setup and teardown ---- */

static int _stp_transport_init(void)
{
  unsigned i, first;
  int rc;

  timer_setup(&_stp_ctl_timer, _stp_ctl_timer_fn, 0);
  _stp_owner_uid = current_uid();
  _stp_owner_gid = current_gid();
  rc = _stp_proc_mkdir();
  if (rc)
    return rc;

  _stp_ctl_pool = kcalloc(STP_CTL_POOL_SIZE, sizeof(*_stp_ctl_pool), GFP_KERNEL);
  _stp_relay_files = kcalloc(nr_cpu_ids, sizeof(*_stp_relay_files), GFP_KERNEL);
  if (!_stp_ctl_pool || !_stp_relay_files) {
    rc = -ENOMEM;
    goto err;
  }
  for (i = 0; i < STP_CTL_POOL_SIZE; i++)
    list_add_tail(&_stp_ctl_pool[i].list, &_stp_ctl_free);
  for (i = 0; i < ARRAY_SIZE(_stp_ctl_once); i++)
    INIT_LIST_HEAD(&_stp_ctl_once[i].list);

  for_each_possible_cpu(i) {
    spin_lock_init(per_cpu_ptr(&_stp_relay_lock, i));
    *per_cpu_ptr(&_stp_relay_read_off, i) = 0;
  }
  _stp_relay_size();
  first = (STP_RELAY_FIRST_KB << 10) / _stp_subbuf_size;
  if (first < 4)
    first = 4;
  if (first > _stp_nsubbufs)
    first = _stp_nsubbufs;
  init_irq_work(&_stp_relay_wake_work, _stp_relay_wake_fn);
  INIT_DELAYED_WORK(&_stp_relay_grow_work, _stp_relay_grow_fn);
  _stp_relay_chan = relay_open("trace", NULL, _stp_subbuf_size, first,
                               &_stp_relay_callbacks, NULL);
  if (!_stp_relay_chan) {
    printk(KERN_ERR "%s: relay_open failed (%u sub-buffers of %u bytes)\n",
           THIS_MODULE->name, first, _stp_subbuf_size);
    rc = -ENOMEM;
    goto err;
  }
  WRITE_ONCE(_stp_relay_wake_ready, 1);
  if (first < _stp_nsubbufs) {
    _stp_relay_grow_queued = 1;
    queue_delayed_work(system_unbound_wq, &_stp_relay_grow_work,
                       msecs_to_jiffies(STP_RELAY_GROW_DELAY_MS));
  }
  if (!proc_create(".cmd", 0600, _stp_proc_dir, &_stp_ctl_proc_ops)) {
    rc = -ENOMEM;
    goto err;
  }
  /* Tells staprun the module is ready for STP_START. */
  _stp_ctl_send(STP_TRANSPORT, NULL, 0);
  return 0;

err:
  _stp_transport_exit();
  return rc;
}

static void _stp_transport_exit(void)
{
  /* Removing .cmd waits for running file operations and closes open files;
     after that no reader or writer of the control queue is left. */
  if (_stp_proc_dir)
    remove_proc_entry(".cmd", _stp_proc_dir);
  stp_timer_delete_sync(&_stp_ctl_timer);
  if (READ_ONCE(_stp_relay_wake_ready)) {
    /* No probe writes any more; a wake-up still queued must not run
       after the channel is gone. */
    WRITE_ONCE(_stp_relay_wake_ready, 0);
    irq_work_sync(&_stp_relay_wake_work);
  }
  if (_stp_relay_grow_queued) {
    cancel_delayed_work_sync(&_stp_relay_grow_work);
    _stp_relay_grow_queued = 0;
  }
  /* The first channel first: removing its files waits for readers still
     inside a read, which may be copying from the full-size buffers. */
  if (_stp_relay_chan) {
    relay_close(_stp_relay_chan);
    _stp_relay_chan = NULL;
  }
  if (_stp_relay_full) {
    relay_close(_stp_relay_full);
    _stp_relay_full = NULL;
  }
  if (_stp_proc_dir) {
    proc_remove(_stp_proc_dir);
    _stp_proc_dir = NULL;
  }
  kfree(_stp_relay_files);
  _stp_relay_files = NULL;
  INIT_LIST_HEAD(&_stp_ctl_free);
  INIT_LIST_HEAD(&_stp_ctl_ready);
  kfree(_stp_ctl_pool);
  _stp_ctl_pool = NULL;
}
