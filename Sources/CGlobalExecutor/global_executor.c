#include "global_executor.h"

#include <stdatomic.h>
#include <stdint.h>

/* libdispatch, as linked into every Swift program on Linux (its headers are not on the C include path). */
typedef struct dispatch_queue_s *dispatch_queue_t;
typedef uint64_t dispatch_time_t;
typedef void (*dispatch_function_t)(void *);
extern dispatch_queue_t dispatch_get_global_queue(long identifier, unsigned long flags);
extern void dispatch_async_f(dispatch_queue_t queue, void *context, dispatch_function_t work);
extern void dispatch_after_f(dispatch_time_t when, dispatch_queue_t queue, void *context, dispatch_function_t work);
extern dispatch_time_t dispatch_time(dispatch_time_t when, int64_t delta);

/* DISPATCH_QUEUE_OVERCOMMIT (dispatch/private.h), QOS_CLASS_DEFAULT. */
#define ARDOISE_DISPATCH_QUEUE_OVERCOMMIT 0x2ul
#define ARDOISE_QOS_CLASS_DEFAULT 0x15
#define ARDOISE_DISPATCH_TIME_FOREVER (~0ull)
/* How the runtime turns a Swift clock's deadline into a dispatch time (DispatchGlobalExecutor.cpp). */
#define ARDOISE_DISPATCH_UP_OR_MONOTONIC_TIME_MASK (1ull << 63)
#define ARDOISE_DISPATCH_TIME_MAX_VALUE ((1ull << 62) - 1)
#define ARDOISE_SWIFT_CLOCK_CONTINUOUS 1
#define ARDOISE_SWIFT_CLOCK_SUSPENDING 2

#define SWIFTCALL __attribute__((swiftcall))

/* The Swift runtime's hooks (swift/Runtime/Concurrency.h): a job is an opaque pointer here. */
typedef SWIFTCALL void (*enqueue_original)(void *job);
typedef SWIFTCALL void (*enqueue_delay_original)(unsigned long long delay, void *job);
typedef SWIFTCALL void (*enqueue_deadline_original)(long long sec, long long nsec, long long tsec, long long tnsec, int clock, void *job);
extern SWIFTCALL void (*swift_task_enqueueGlobal_hook)(void *job, enqueue_original original);
extern SWIFTCALL void (*swift_task_enqueueGlobalWithDelay_hook)(unsigned long long delay, void *job, enqueue_delay_original original);
extern SWIFTCALL void (*swift_task_enqueueGlobalWithDeadline_hook)(long long sec, long long nsec, long long tsec, long long tnsec, int clock,
                                                                   void *job, enqueue_deadline_original original);
/* Runs a job on the generic executor (SerialExecutorRef::generic(): no identity, no implementation). */
extern SWIFTCALL void swift_job_run(void *job, void *identity, uintptr_t implementation);

static dispatch_queue_t pool;
static atomic_ulong jobs;

static void run_job(void *job) {
    atomic_fetch_add_explicit(&jobs, 1, memory_order_relaxed);
    swift_job_run(job, (void *)0, 0);
}

static SWIFTCALL void enqueue(void *job, enqueue_original original) {
    (void)original;
    dispatch_async_f(pool, job, run_job);
}

static SWIFTCALL void enqueue_delay(unsigned long long delay, void *job, enqueue_delay_original original) {
    (void)original;
    dispatch_after_f(dispatch_time(0, (int64_t)delay), pool, job, run_job);
}

static SWIFTCALL void enqueue_deadline(long long sec, long long nsec, long long tsec, long long tnsec, int clock, void *job,
                                       enqueue_deadline_original original) {
    (void)tsec;
    (void)tnsec;
    if (clock != ARDOISE_SWIFT_CLOCK_CONTINUOUS && clock != ARDOISE_SWIFT_CLOCK_SUSPENDING) {
        original(sec, nsec, tsec, tnsec, clock, job);
        return;
    }
    uint64_t deadline = (uint64_t)sec * 1000000000ull + (uint64_t)nsec;
    dispatch_time_t when = deadline >= ARDOISE_DISPATCH_TIME_MAX_VALUE ? ARDOISE_DISPATCH_TIME_FOREVER
        : (clock == ARDOISE_SWIFT_CLOCK_CONTINUOUS ? deadline | ARDOISE_DISPATCH_UP_OR_MONOTONIC_TIME_MASK : deadline);
    dispatch_after_f(when, pool, job, run_job);
}

void ardoise_global_executor_install(void) {
    pool = dispatch_get_global_queue(ARDOISE_QOS_CLASS_DEFAULT, ARDOISE_DISPATCH_QUEUE_OVERCOMMIT);
    if (!pool) return;
    swift_task_enqueueGlobal_hook = enqueue;
    swift_task_enqueueGlobalWithDelay_hook = enqueue_delay;
    swift_task_enqueueGlobalWithDeadline_hook = enqueue_deadline;
}

unsigned long ardoise_global_executor_jobs(void) {
    return atomic_load_explicit(&jobs, memory_order_relaxed);
}
