#ifndef ARDOISE_GLOBAL_EXECUTOR_H
#define ARDOISE_GLOBAL_EXECUTOR_H

/* Runs Swift's tasks on libdispatch's overcommit root queue instead of the concurrent queue the runtime makes on Linux,
   whose first worker starts libdispatch's thread-pool monitor: a timer that then wakes the process every second, for
   ever, even when nothing happens. Overcommit workers are not monitored; idle ones end after a few seconds.
   Call once, first thing in main, before any task is made. */
void ardoise_global_executor_install(void);

/* Jobs run through these hooks since the installation (a test's proof that they are in use). */
unsigned long ardoise_global_executor_jobs(void);

#endif
