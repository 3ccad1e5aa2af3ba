/* job_queue.c - turns for the import jobs: see job_queue.h. */
#include "api/job_queue.h"

#include <stddef.h>

void job_queue_add(job_queue_t *q, job_turn_t *t)
{
	pthread_mutex_lock(&q->lock);
	t->next = NULL;
	if (q->tail)
		q->tail->next = t;
	else
		q->head = t;
	q->tail = t;
	pthread_mutex_unlock(&q->lock);
}

/* Under q->lock. */
static void unlink_turn(job_queue_t *q, job_turn_t *t)
{
	job_turn_t *prev = NULL;

	for (job_turn_t *p = q->head; p; prev = p, p = p->next) {
		if (p != t)
			continue;
		if (prev)
			prev->next = p->next;
		else
			q->head = p->next;
		if (q->tail == p)
			q->tail = prev;
		p->next = NULL;
		return;
	}
}

void job_queue_drop(job_queue_t *q, job_turn_t *t)
{
	pthread_mutex_lock(&q->lock);
	unlink_turn(q, t);
	pthread_cond_broadcast(&q->moved);
	pthread_mutex_unlock(&q->lock);
}

void job_queue_wait(job_queue_t *q, job_turn_t *t)
{
	pthread_mutex_lock(&q->lock);
	while (q->head != t || q->running >= q->at_once)
		pthread_cond_wait(&q->moved, &q->lock);
	unlink_turn(q, t);
	q->running++;
	/* the next turn may be able to run too */
	pthread_cond_broadcast(&q->moved);
	pthread_mutex_unlock(&q->lock);
}

void job_queue_done(job_queue_t *q)
{
	pthread_mutex_lock(&q->lock);
	q->running--;
	pthread_cond_broadcast(&q->moved);
	pthread_mutex_unlock(&q->lock);
}
