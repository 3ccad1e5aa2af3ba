/* Unit tests of api/job_queue: jobs start in the order they were queued,
 * whatever order their threads come in; at most at_once run; a dropped
 * turn holds nobody up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "api/job_queue.h"

#define JOBS 3

typedef struct job {
	job_queue_t *q;
	job_turn_t turn;
	int name;
	bool hold; /* stays running until released */
} job_t;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_changed = PTHREAD_COND_INITIALIZER;
static int g_order[JOBS];
static int g_ran;
static bool g_released;

static void reset(void)
{
	pthread_mutex_lock(&g_lock);
	g_ran = 0;
	g_released = false;
	pthread_mutex_unlock(&g_lock);
}

static void *job_thread(void *arg)
{
	job_t *j = arg;

	job_queue_wait(j->q, &j->turn);
	pthread_mutex_lock(&g_lock);
	g_order[g_ran++] = j->name;
	pthread_cond_broadcast(&g_changed);
	while (j->hold && !g_released)
		pthread_cond_wait(&g_changed, &g_lock);
	pthread_mutex_unlock(&g_lock);
	job_queue_done(j->q);
	return NULL;
}

static int ran(void)
{
	int n;

	pthread_mutex_lock(&g_lock);
	n = g_ran;
	pthread_mutex_unlock(&g_lock);
	return n;
}

static void wait_ran(int n)
{
	pthread_mutex_lock(&g_lock);
	while (g_ran < n)
		pthread_cond_wait(&g_changed, &g_lock);
	pthread_mutex_unlock(&g_lock);
}

static void release(void)
{
	pthread_mutex_lock(&g_lock);
	g_released = true;
	pthread_cond_broadcast(&g_changed);
	pthread_mutex_unlock(&g_lock);
}

/* Long enough for a thread that could run to have run. */
static void pause_a_little(void)
{
	struct timespec t = {0, 50 * 1000000L};

	nanosleep(&t, NULL);
}

static void start(pthread_t *t, job_t *j)
{
	assert_int_equal(pthread_create(t, NULL, job_thread, j), 0);
}

/* The thread of the job queued last comes first, and waits for the
 * others: a semaphore would have let it run. */
static void test_threads_in_any_order_start_in_the_queue_s(void **state)
{
	job_queue_t q = JOB_QUEUE_INIT(1);
	job_t jobs[JOBS];
	pthread_t t[JOBS];

	(void)state;
	reset();
	for (int i = 0; i < JOBS; i++) {
		jobs[i] = (job_t){.q = &q, .name = i};
		job_queue_add(&q, &jobs[i].turn);
	}
	for (int i = JOBS - 1; i >= 1; i--) {
		start(&t[i], &jobs[i]);
		pause_a_little();
		assert_int_equal(ran(), 0);
	}
	start(&t[0], &jobs[0]);
	for (int i = 0; i < JOBS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(ran(), JOBS);
	for (int i = 0; i < JOBS; i++)
		assert_int_equal(g_order[i], i);
	assert_null(q.head);
	assert_int_equal(q.running, 0);
}

static void test_no_more_than_at_once_run(void **state)
{
	job_queue_t q = JOB_QUEUE_INIT(2);
	job_t jobs[JOBS];
	pthread_t t[JOBS];

	(void)state;
	reset();
	for (int i = 0; i < JOBS; i++) {
		jobs[i] = (job_t){.q = &q, .name = i, .hold = true};
		job_queue_add(&q, &jobs[i].turn);
	}
	for (int i = 0; i < JOBS; i++)
		start(&t[i], &jobs[i]);
	wait_ran(2);
	pause_a_little();
	assert_int_equal(ran(), 2);
	release();
	for (int i = 0; i < JOBS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(g_order[2], 2);
	assert_int_equal(q.running, 0);
}

/* A job whose thread could not start leaves the queue: the next runs. */
static void test_a_dropped_turn_holds_nobody_up(void **state)
{
	job_queue_t q = JOB_QUEUE_INIT(1);
	job_t jobs[JOBS];
	pthread_t t;

	(void)state;
	reset();
	for (int i = 0; i < JOBS; i++) {
		jobs[i] = (job_t){.q = &q, .name = i};
		job_queue_add(&q, &jobs[i].turn);
	}
	job_queue_drop(&q, &jobs[0].turn);
	job_queue_drop(&q, &jobs[2].turn); /* the last: the tail moves back */
	start(&t, &jobs[1]);
	pthread_join(t, NULL);
	assert_int_equal(ran(), 1);
	assert_int_equal(g_order[0], 1);
	assert_null(q.head);
	assert_null(q.tail);
	/* the queue works on after it */
	jobs[0] = (job_t){.q = &q, .name = 0};
	job_queue_add(&q, &jobs[0].turn);
	start(&t, &jobs[0]);
	pthread_join(t, NULL);
	assert_int_equal(ran(), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_in_any_order_start_in_the_queue_s),
		cmocka_unit_test(test_no_more_than_at_once_run),
		cmocka_unit_test(test_a_dropped_turn_holds_nobody_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
