/* interval.c - see interval.h. */
#include "store/interval.h"

#include "store/query.h"
#include "store/util.h"

/* The interval of key that contains d, with value_col (NULL: none) as
 * its third column. */
static int interval_find(db_t *db, const char *table, const char *key_col, int64_t key, const char *value_col,
			 date_t d, int64_t *value, date_t *from, date_t *to, bool *found, err_t *e)
{
	db_stmt_t *st = NULL;
	query_t q;
	int rc, r = 0;

	*found = false;
	query_init(&q);
	query_sql(&q, "SELECT valid_from, valid_to");
	if (value_col) {
		query_sql(&q, ", ");
		query_sql(&q, value_col);
	}
	query_sql(&q, " FROM ");
	query_sql(&q, table);
	query_sql(&q, " WHERE ");
	query_sql(&q, key_col);
	query_add(&q, " = ? AND valid_from <= ? AND valid_to > ?", QI(key), QD(d), QD(d));
	if (query_prepare(db, &q, &st, e))
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*found = true;
		if (db_col_date(st, 0, from) || db_col_date(st, 1, to))
			r = err_set(e, ERR_INTERNAL, NULL, "store: %s holds an interval that is not a date", table);
		if (value_col)
			*value = db_col_int64(st, 2);
	} else if (rc < 0) {
		r = store_fail(db, rc, e);
	}
	db_finalize(st);
	return r;
}

int interval_at(db_t *db, const char *table, const char *key_col, int64_t key, date_t d, date_t *from, date_t *to,
		bool *found, err_t *e)
{
	return interval_find(db, table, key_col, key, NULL, d, NULL, from, to, found, e);
}

int interval_value_at(db_t *db, const char *table, const char *key_col, int64_t key, const char *value_col, date_t d,
		      int64_t *value, date_t *from, date_t *to, bool *found, err_t *e)
{
	return interval_find(db, table, key_col, key, value_col, d, value, from, to, found, e);
}

int interval_cut(db_t *db, const char *table, const char *key_col, int64_t key, date_t from, date_t d, err_t *e)
{
	query_t q;

	query_init(&q);
	query_sql(&q, "UPDATE ");
	query_sql(&q, table);
	query_add(&q, " SET valid_to = ? WHERE ", QD(d));
	query_sql(&q, key_col);
	query_add(&q, " = ? AND valid_from = ?", QI(key), QD(from));
	return query_run(db, &q, e);
}

int interval_end(db_t *db, const char *table, const char *key_col, int64_t key, date_t d, err_t *e)
{
	query_t q;

	query_init(&q);
	query_sql(&q, "DELETE FROM ");
	query_sql(&q, table);
	query_sql(&q, " WHERE ");
	query_sql(&q, key_col);
	query_add(&q, " = ? AND valid_from >= ?", QI(key), QD(d));
	if (query_run(db, &q, e))
		return -1;
	query_init(&q);
	query_sql(&q, "UPDATE ");
	query_sql(&q, table);
	query_add(&q, " SET valid_to = ? WHERE ", QD(d));
	query_sql(&q, key_col);
	query_add(&q, " = ? AND valid_to > ?", QI(key), QD(d));
	return query_run(db, &q, e);
}
