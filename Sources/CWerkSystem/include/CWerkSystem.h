// CWerkSystem: the few libc calls Swift's Glibc module does not expose (epoll, eventfd, accept4, malloc_trim),
// plus async-signal-safe SIGINT/SIGTERM forwarding for the server's graceful shutdown.
#pragma once
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <malloc.h>
#include <spawn.h>

/// memmem(3): hidden behind _GNU_SOURCE in glibc's headers (the multipart boundary search).
void *memmem(const void *haystack, size_t haystacklen, const void *needle, size_t needlelen);

/// accept4(2): hidden behind _GNU_SOURCE in glibc's headers.
int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

/// Installs SIGINT and SIGTERM handlers that write the signal number (one byte) to `fd`.
/// Returns 0, or -1 with errno set. The previous handlers are kept for werk_restore_signals.
int werk_install_signal_forwarding(int fd);

/// Restores the SIGINT/SIGTERM handlers that were in place before werk_install_signal_forwarding.
void werk_restore_signals(void);

/// Names the calling thread (at most 15 characters are kept), for top, perf and debuggers.
void werk_set_thread_name(const char *name);

/// A pipe whose two ends are close-on-exec from the start (`pipe2(O_CLOEXEC)`): a process another
/// thread spawns at the same moment cannot inherit them (with `pipe` it could, and a reader would
/// then wait for an end of file that never comes). Returns 0, or -1 with errno set.
int werk_pipe_cloexec(int fds[2]);

/// Ignores SIGPIPE process-wide (writes to a closed socket then fail with EPIPE instead).
void werk_ignore_sigpipe(void);

/// Installs SIGINT, SIGTERM, SIGHUP and SIGCHLD handlers for a worker supervisor: each writes the
/// signal number (one byte) to `fd`. Returns 0, or -1 with errno set.
int werk_install_supervisor_signals(int fd);

/// Restores the handlers that were in place before werk_install_supervisor_signals.
void werk_restore_supervisor_signals(void);

/// Ignores SIGHUP (a worker process: its supervisor handles reloads).
void werk_ignore_sighup(void);

/// posix_spawn_file_actions_addclosefrom_np(3) (glibc 2.34): the child closes every fd >= `from`.
int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/// The process environment (environ(7)).
char **werk_environ(void);

/// The CPU's cycle counter where it runs at a constant rate and user code may read it (x86-64's
/// TSC; on arm64 the generic timer's virtual count, whose rate is `werk_cycle_counter_frequency`),
/// else 0. Several times cheaper than clock_gettime; callers scale it to nanoseconds themselves.
static inline unsigned long long werk_cycle_counter(void) {
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
    unsigned long long value;
    __asm__ __volatile__("isb; mrs %0, cntvct_el0" : "=r"(value));
    return value;
#else
    return 0;
#endif
}

/// One pointer per thread (a C `__thread` variable: Swift has no thread-local storage of its own).
void *werk_thread_slot(void);

/// Sets the calling thread's pointer.
void werk_set_thread_slot(void *value);
