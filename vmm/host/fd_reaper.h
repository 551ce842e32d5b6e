/* SPDX-License-Identifier: MIT */
/*
 * Closes file descriptors on helper threads, so that a close that blocks does not keep its
 * caller waiting and several such closes overlap. Made for VM fds: the last close of a VM waits
 * in kvm_destroy_vm() for SRCU grace periods (the PIT's synchronize_srcu(&kvm->irq_srcu), the
 * memslots', mmu_notifier_unregister()), 10-20 ms here, during which the thread sleeps. Each
 * grace period belongs to its own VM's srcu_struct (or, for the MMU notifiers, is shared by
 * whoever waits at the time), so closes on different threads wait side by side.
 *
 * At most FD_REAPER_THREADS closes run at once; a caller that finds them all busy and the queue
 * full waits for a free slot (so a burst never costs unbounded threads or memory).
 */
#ifndef MINIVMM_FD_REAPER_H
#define MINIVMM_FD_REAPER_H

#include <pthread.h>
#include <stdbool.h>

#define FD_REAPER_THREADS 16
#define FD_REAPER_QUEUE	  32

struct fd_reaper {
	pthread_mutex_t lock;
	pthread_cond_t work;  /* a descriptor was queued, or stopping */
	pthread_cond_t space; /* the queue has room */
	int queue[FD_REAPER_QUEUE];
	unsigned head, count; /* queued, not yet taken by a thread */
	unsigned busy;	      /* threads inside close() */
	unsigned threads;     /* started */
	bool stopping;
	pthread_t thread[FD_REAPER_THREADS];
};

void fd_reaper_init(struct fd_reaper *r);

/* Hands fd over: it is closed soon on a reaper thread (or here, if no thread can be started). */
void fd_reaper_close(struct fd_reaper *r, int fd);

/* Waits until every handed-over descriptor is closed, then ends the threads. */
void fd_reaper_destroy(struct fd_reaper *r);

#endif
