/* SPDX-License-Identifier: MIT */
#include "host/fd_reaper.h"

#include <unistd.h>

#include "host/quiet_thread.h"

void fd_reaper_init(struct fd_reaper *r)
{
	*r = (struct fd_reaper){0};
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->work, NULL);
	pthread_cond_init(&r->space, NULL);
}

static void *reaper_main(void *arg)
{
	struct fd_reaper *r = arg;
	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (!r->count && !r->stopping)
			pthread_cond_wait(&r->work, &r->lock);
		if (!r->count)
			break; /* stopping, and nothing left to close */
		int fd = r->queue[r->head];
		r->head = (r->head + 1) % FD_REAPER_QUEUE;
		r->count--;
		r->busy++;
		pthread_cond_signal(&r->space);
		pthread_mutex_unlock(&r->lock);
		close(fd);
		pthread_mutex_lock(&r->lock);
		r->busy--;
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

void fd_reaper_close(struct fd_reaper *r, int fd)
{
	pthread_mutex_lock(&r->lock);
	/* One more thread whenever every started one is busy or has work waiting. */
	if (r->threads < FD_REAPER_THREADS && r->busy + r->count >= r->threads &&
	    quiet_thread_create(&r->thread[r->threads], NULL, reaper_main, r) == 0)
		r->threads++;
	if (!r->threads) {
		pthread_mutex_unlock(&r->lock);
		close(fd); /* no thread at all: the caller waits, as without a reaper */
		return;
	}
	while (r->count == FD_REAPER_QUEUE)
		pthread_cond_wait(&r->space, &r->lock);
	r->queue[(r->head + r->count) % FD_REAPER_QUEUE] = fd;
	r->count++;
	pthread_cond_signal(&r->work);
	pthread_mutex_unlock(&r->lock);
}

void fd_reaper_destroy(struct fd_reaper *r)
{
	pthread_mutex_lock(&r->lock);
	r->stopping = true;
	pthread_cond_broadcast(&r->work);
	pthread_mutex_unlock(&r->lock);
	for (unsigned i = 0; i < r->threads; i++)
		pthread_join(r->thread[i], NULL);
	pthread_cond_destroy(&r->space);
	pthread_cond_destroy(&r->work);
	pthread_mutex_destroy(&r->lock);
}
