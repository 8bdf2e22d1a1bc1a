/* an-sync.h: the mutex, condition variable and reference count the engine's threads share.
 *
 * Thin inline wrappers over POSIX threads and compiler atomics instead of GMutex, GCond and
 * g_atomic_rc_box: the same cost, and ThreadSanitizer sees them. GLib implements its locks
 * on raw futexes and its reference counts inside libglib, where a sanitizer cannot see the
 * ordering they create, so a -Db_sanitize=thread build would report every access they guard.
 */
#pragma once

#include <glib.h>
#include <pthread.h>

typedef struct {
  pthread_mutex_t m;
} AnMutex;

typedef struct {
  pthread_cond_t c;
} AnCond;

static inline void
an_mutex_init (AnMutex *m)
{
  pthread_mutex_init (&m->m, NULL);
}

static inline void
an_mutex_clear (AnMutex *m)
{
  pthread_mutex_destroy (&m->m);
}

static inline void
an_mutex_lock (AnMutex *m)
{
  int r = pthread_mutex_lock (&m->m);
  if (G_UNLIKELY (r != 0))
    g_error ("pthread_mutex_lock: %s", g_strerror (r));
}

static inline void
an_mutex_unlock (AnMutex *m)
{
  pthread_mutex_unlock (&m->m);
}

static inline void
an_cond_init (AnCond *c)
{
  pthread_cond_init (&c->c, NULL);
}

static inline void
an_cond_clear (AnCond *c)
{
  pthread_cond_destroy (&c->c);
}

static inline void
an_cond_wait (AnCond *c, AnMutex *m)
{
  pthread_cond_wait (&c->c, &m->m);
}

static inline void
an_cond_broadcast (AnCond *c)
{
  pthread_cond_broadcast (&c->c);
}

/* A reference count: g_atomic_int_* expand to compiler atomics in the caller's code. */
typedef struct {
  int count;
} AnRef;

static inline void
an_ref_init (AnRef *r)
{
  r->count = 1;
}

static inline void
an_ref_inc (AnRef *r)
{
  g_atomic_int_inc (&r->count);
}

/* TRUE when the caller dropped the last reference and must free the object. */
static inline gboolean
an_ref_dec (AnRef *r)
{
  return g_atomic_int_dec_and_test (&r->count);
}
