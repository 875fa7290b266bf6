/* shim.c: state of the user-space kernel shim (see shim.h). */
#include "runtime_defines.h"
#include "shim.h"

long shim_live_allocs;
int shim_fail_alloc_after = -1;
int shim_ncpus = 4;
int shim_cpu;
int shim_flushes;

static char shim_buf[STP_BUFFER_SIZE];
static size_t shim_buf_len;
static char *shim_cap;
static size_t shim_cap_len, shim_cap_size;
static char *shim_view;

char *shim_print_reserve(size_t *avail)
{
  *avail = sizeof(shim_buf) - shim_buf_len;
  return shim_buf + shim_buf_len;
}

void shim_print_commit(size_t n)
{
  if (n > sizeof(shim_buf) - shim_buf_len)
    abort();                        /* committed more than was reserved */
  shim_buf_len += n;
}

static void shim_capture(const char *p, size_t n)
{
  if (shim_cap_len + n + 1 > shim_cap_size) {
    shim_cap_size = (shim_cap_len + n + 1) * 2;
    shim_cap = realloc(shim_cap, shim_cap_size);
    if (!shim_cap)
      abort();
  }
  memcpy(shim_cap + shim_cap_len, p, n);
  shim_cap_len += n;
}

void shim_print_flush(void)
{
  shim_capture(shim_buf, shim_buf_len);
  shim_buf_len = 0;
  shim_flushes++;
}

const char *shim_output(size_t *len)
{
  size_t n = shim_cap_len + shim_buf_len;

  free(shim_view);
  shim_view = malloc(n + 1);
  if (!shim_view)
    abort();
  if (shim_cap_len)
    memcpy(shim_view, shim_cap, shim_cap_len);
  memcpy(shim_view + shim_cap_len, shim_buf, shim_buf_len);
  shim_view[n] = '\0';
  if (len)
    *len = n;
  return shim_view;
}

void shim_output_reset(void)
{
  shim_cap_len = 0;
  shim_buf_len = 0;
  shim_flushes = 0;
}
