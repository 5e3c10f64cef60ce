#define _GNU_SOURCE
#include "CWerkSystem.h"
#include <signal.h>
#include <unistd.h>
#include <fcntl.h>
#include <string.h>
#include <errno.h>
#include <pthread.h>

static volatile sig_atomic_t werk_signal_fd = -1;
static struct sigaction werk_old_int, werk_old_term;
static int werk_installed = 0;

static void werk_forward_signal(int sig) {
    int saved = errno;
    int fd = werk_signal_fd;
    if (fd >= 0) {
        unsigned char byte = (unsigned char)sig;
        ssize_t ignored = write(fd, &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

int werk_install_signal_forwarding(int fd) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = werk_forward_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    werk_signal_fd = fd;
    if (sigaction(SIGINT, &action, &werk_old_int) != 0) return -1;
    if (sigaction(SIGTERM, &action, &werk_old_term) != 0) return -1;
    werk_installed = 1;
    return 0;
}

void werk_restore_signals(void) {
    if (!werk_installed) return;
    sigaction(SIGINT, &werk_old_int, NULL);
    sigaction(SIGTERM, &werk_old_term, NULL);
    werk_signal_fd = -1;
    werk_installed = 0;
}

int werk_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

void werk_ignore_sigpipe(void) {
    signal(SIGPIPE, SIG_IGN);
}

void werk_set_thread_name(const char *name) {
    pthread_setname_np(pthread_self(), name);
}

static volatile sig_atomic_t werk_supervisor_fd = -1;

static void werk_forward_supervisor_signal(int sig) {
    int saved = errno;
    int fd = werk_supervisor_fd;
    if (fd >= 0) {
        unsigned char byte = (unsigned char)sig;
        ssize_t ignored = write(fd, &byte, 1);
        (void)ignored;
    }
    errno = saved;
}

static const int werk_supervisor_signals[4] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
static struct sigaction werk_supervisor_old[4];
static int werk_supervisor_installed = 0;

int werk_install_supervisor_signals(int fd) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = werk_forward_supervisor_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    werk_supervisor_fd = fd;
    for (int i = 0; i < 4; i++) {
        if (sigaction(werk_supervisor_signals[i], &action, &werk_supervisor_old[i]) != 0) return -1;
    }
    werk_supervisor_installed = 1;
    return 0;
}

void werk_restore_supervisor_signals(void) {
    if (!werk_supervisor_installed) return;
    for (int i = 0; i < 4; i++) sigaction(werk_supervisor_signals[i], &werk_supervisor_old[i], NULL);
    werk_supervisor_fd = -1;
    werk_supervisor_installed = 0;
}

void werk_ignore_sighup(void) {
    signal(SIGHUP, SIG_IGN);
}

extern char **environ;

char **werk_environ(void) {
    return environ;
}

static __thread void *werk_slot;

void *werk_thread_slot(void) { return werk_slot; }

void werk_set_thread_slot(void *value) { werk_slot = value; }
