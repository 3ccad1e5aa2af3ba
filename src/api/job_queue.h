/*
 * job_queue.h - turns for the server's import jobs: at most at_once run,
 * the others start in the order they were queued.
 *
 * Each job runs on a thread of its own, and threads are scheduled in no
 * set order: a semaphore let the thread of a job sent later run before
 * the one of a job sent earlier, so a user's small list could pass her
 * long one. A job takes its turn in the request's thread, before its own
 * thread starts, and the queue keeps that order.
 *
 * The queue owns nothing: each turn is a member of its job's state, owned
 * by the job, and stays in the queue from job_queue_add until
 * job_queue_wait returns (or job_queue_drop).
 */
#ifndef UB_JOB_QUEUE_H
#define UB_JOB_QUEUE_H

#include <pthread.h>

typedef struct job_turn {
	struct job_turn *next;
} job_turn_t;

typedef struct job_queue {
	pthread_mutex_t lock;
	pthread_cond_t moved; /* the queue's head or its count of running changed */
	job_turn_t *head, *tail;
	int running;
	int at_once;
} job_queue_t;

#define JOB_QUEUE_INIT(n) {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, (n)}

/* Queues turn t last. Called in the order the jobs are to start. */
void job_queue_add(job_queue_t *q, job_turn_t *t);

/* Takes t out of the queue unrun: its job's thread did not start. */
void job_queue_drop(job_queue_t *q, job_turn_t *t);

/* Waits until t is first and fewer than at_once run, and counts it as
 * running; t is out of the queue when it returns. */
void job_queue_wait(job_queue_t *q, job_turn_t *t);

/* A job that job_queue_wait let run has ended: the next may start. */
void job_queue_done(job_queue_t *q);

#endif
