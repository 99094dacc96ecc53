/* Ahwa cluster runtime: the L1 arena and the core scheduler (threads with AHWA_THREADS, cores in turn otherwise). */
#include "ahwa_cluster.h"

uint8_t ahwa_l1[AHWA_L1_BYTES] __attribute__((aligned(64)));

#if defined(AHWA_THREADS)
#include <pthread.h>

typedef struct { ahwa_phase_fn fn; void *ctx; int core; int num_cores; } ahwa_core_job;

static void *ahwa_core_main(void *job)
{
    ahwa_core_job *j = (ahwa_core_job *)job;
    j->fn(j->ctx, j->core, j->num_cores);
    return 0;
}

void ahwa_parallel(ahwa_phase_fn fn, void *ctx, int num_cores)
{
    pthread_t threads[64];
    ahwa_core_job jobs[64];
    int started[64];
    int core;
    if (num_cores > 64) num_cores = 64;
    for (core = 1; core < num_cores; core++) {
        jobs[core].fn = fn; jobs[core].ctx = ctx; jobs[core].core = core; jobs[core].num_cores = num_cores;
        started[core] = pthread_create(&threads[core], 0, ahwa_core_main, &jobs[core]) == 0;
        if (!started[core]) fn(ctx, core, num_cores); /* no thread: run this core here */
    }
    fn(ctx, 0, num_cores);
    for (core = 1; core < num_cores; core++)
        if (started[core]) pthread_join(threads[core], 0);
}
#else
/* No threads (bare metal): the cores run one after the other; returning is the barrier. */
void ahwa_parallel(ahwa_phase_fn fn, void *ctx, int num_cores)
{
    int core;
    for (core = 0; core < num_cores; core++) fn(ctx, core, num_cores);
}
#endif
