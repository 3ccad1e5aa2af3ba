/*
 * migrate.c - the schema and its versions (see migrate.h).
 *
 * Dialect differences are confined to four tokens expanded by the driver:
 * @ID@ (self-numbering primary key), @DATE@, @TIMESTAMP@ and @BINARY@
 * (bytewise collation for codes and sort keys, so that ORDER BY gives the
 * same order on both stores).
 *
 * Validity intervals are half-open [valid_from, valid_to) with 9999-12-31
 * for "still valid", so that as-of queries are two comparisons that an index
 * can serve. The primary keys (unit_id, valid_from) of the interval tables
 * are a backstop for "one parent (one name) on any day".
 */
#include "store/migrate.h"

#include "core/person.h"
#include "core/text.h"
#include "store/ancestry.h"
#include "store/member_load.h"
#include "store/member_tally.h"
#include "store/org_internal.h"
#include "store/query.h"
#include "store/util.h"

#include <stdlib.h>
#include <string.h>

#define ANCESTRY_WORK_TABLE "CREATE TABLE ancestry_work (run BIGINT NOT NULL, id BIGINT NOT NULL, PRIMARY KEY (run, id))"

typedef struct migration {
	const char *common;
	const char *sqlite;     /* run after common on SQLite only */
	const char *postgresql; /* run after common on PostgreSQL only */
	int (*then)(db_t *db, err_t *e); /* run last, in the same transaction (NULL: nothing) */
} migration_t;

#define REKEY_BLOCK 5000 /* ids read at a time */

typedef struct rekey_row {
	int64_t id;
	char *text, *key;
} rekey_row_t;

/* The rows of one block, each with its key; frees them after update.
 * Returns 0 or -1 with e. */
static int rekey_block(db_t *db, const query_t *select, const char *update, int (*key_of)(const char *, char **),
		       err_t *e)
{
	rekey_row_t *v = NULL;
	size_t n = 0, cap = 0;
	db_stmt_t *st = NULL;
	int rc = DB_DONE, r;
	query_t q;

	r = query_prepare(db, select, &st, e);
	while (!r && (rc = db_step(st)) == DB_ROW) {
		rekey_row_t *g = store_grow(v, &cap, n, sizeof(*v), e);
		if (!g) {
			r = -1;
			break;
		}
		v = g;
		v[n].id = db_col_int64(st, 0);
		v[n].key = NULL;
		v[n].text = strdup(db_col_text(st, 1));
		if (!v[n].text) {
			r = err_set(e, ERR_INTERNAL, NULL, "out of memory");
			break;
		}
		n++;
		if (key_of(v[n - 1].text, &v[n - 1].key))
			r = err_fail(e, ERR_INTERNAL, NULL, "no sort key for row {id}", ERR_INT("id", v[n - 1].id));
	}
	if (!r && rc < 0)
		r = store_fail(db, rc, e);
	db_finalize(st);
	for (size_t i = 0; i < n; i++) {
		if (!r) {
			query_init(&q);
			query_add(&q, update, QT(v[i].key), QI(v[i].id), QT(v[i].text));
			r = query_run(db, &q, e);
		}
		free(v[i].text);
		free(v[i].key);
	}
	free(v);
	return r;
}

/* Sets a key column to key_of(text) for each row, over ids 1..max in
 * blocks: select names the rows of ids in [?, ?) as (id, text); update
 * sets the key (?) of the row of id (?) and text (?). */
static int rekey_rows(db_t *db, const char *max_sql, const char *select, const char *update,
		      int (*key_of)(const char *, char **), err_t *e)
{
	int64_t max = 0;
	query_t q;

	query_init(&q);
	query_sql(&q, max_sql);
	if (org_query_int(db, &q, &max, e))
		return -1;
	for (int64_t from = 1; from <= max; from += REKEY_BLOCK) {
		query_init(&q);
		query_add(&q, select, QI(from), QI(from + REKEY_BLOCK));
		if (rekey_block(db, &q, update, key_of, e))
			return -1;
	}
	return 0;
}

static int rekey(db_t *db, err_t *e)
{
	query_t q;

	if (rekey_rows(db, "SELECT coalesce(max(unit_id), 0) FROM unit_names",
		       "SELECT DISTINCT unit_id, name_vi FROM unit_names WHERE unit_id >= ? AND unit_id < ?",
		       "UPDATE unit_names SET sort_key = ? WHERE unit_id = ? AND name_vi = ?", text_sort_key, e) ||
	    rekey_rows(db, "SELECT coalesce(max(id), 0) FROM persons",
		       "SELECT id, full_name FROM persons WHERE id >= ? AND id < ? AND name_key <> ''",
		       "UPDATE persons SET name_key = ? WHERE id = ? AND full_name = ?", person_sort_key, e))
		return -1;
	query_init(&q);
	query_sql(&q, "UPDATE person_words SET name_key = (SELECT p.name_key FROM persons p"
		      " WHERE p.id = person_words.person_id)");
	if (query_run(db, &q, e))
		return -1;
	query_init(&q);
	query_sql(&q, "UPDATE member_words SET name_key = (SELECT p.name_key FROM persons p"
		      " WHERE p.id = member_words.person_id)");
	return query_run(db, &q, e);
}

/* Schema 26's table, without its ending (SQLite keeps it WITHOUT ROWID). */
#define MEMBER_DAYS_TABLE                                                                                            \
	"CREATE TABLE member_days (unit_id BIGINT NOT NULL REFERENCES units(id), dim TEXT NOT NULL,"                  \
	" value TEXT NOT NULL, n BIGINT NOT NULL, amount BIGINT NOT NULL, PRIMARY KEY (unit_id, dim, value))"

static const migration_t MIGRATIONS[] = {
	/* 1: the organisation tree through time, reference data */
	{ "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE levels ("
	"  key TEXT PRIMARY KEY,"
	"  rank INTEGER NOT NULL UNIQUE,"
	"  name_vi TEXT NOT NULL,"
	"  name_en TEXT NOT NULL);"
	"CREATE TABLE units ("
	"  id @ID@,"
	"  code TEXT @BINARY@ NOT NULL,"
	"  level TEXT NOT NULL REFERENCES levels(key),"
	"  kind TEXT NOT NULL CHECK (kind IN ('territorial','enterprise','agency','network')),"
	"  attributes TEXT NOT NULL DEFAULT '',"
	"  valid_from @DATE@ NOT NULL,"
	"  valid_to @DATE@ NOT NULL,"
	"  CHECK (valid_from < valid_to));"
	"CREATE INDEX units_code ON units (code, valid_from);"
	"CREATE INDEX units_level ON units (level, valid_from);"
	"CREATE TABLE unit_names ("
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  name_vi TEXT NOT NULL,"
	"  name_en TEXT NOT NULL,"
	"  search_key TEXT NOT NULL,"
	"  sort_key TEXT @BINARY@ NOT NULL,"
	"  valid_from @DATE@ NOT NULL,"
	"  valid_to @DATE@ NOT NULL,"
	"  PRIMARY KEY (unit_id, valid_from),"
	"  CHECK (valid_from < valid_to));"
	"CREATE TABLE unit_parents ("
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  parent_id BIGINT NOT NULL REFERENCES units(id),"
	"  valid_from @DATE@ NOT NULL,"
	"  valid_to @DATE@ NOT NULL,"
	"  PRIMARY KEY (unit_id, valid_from),"
	"  CHECK (valid_from < valid_to),"
	"  CHECK (unit_id <> parent_id));"
	"CREATE INDEX unit_parents_parent ON unit_parents (parent_id, valid_from);"
	"CREATE TABLE events ("
	"  id @ID@,"
	"  kind TEXT NOT NULL CHECK (kind IN ('create','rename','move','merge','split','close')),"
	"  date @DATE@ NOT NULL,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  recorded_at @TIMESTAMP@ NOT NULL);"
	"CREATE INDEX events_date ON events (date, id);"
	"CREATE TABLE event_units ("
	"  event_id BIGINT NOT NULL REFERENCES events(id),"
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  role TEXT NOT NULL CHECK (role IN ('source','target')),"
	"  PRIMARY KEY (event_id, unit_id, role));"
	"CREATE INDEX event_units_unit ON event_units (unit_id, role);"
	"CREATE TABLE ethnic_groups ("
	"  code TEXT PRIMARY KEY,"
	"  name_vi TEXT NOT NULL,"
	"  name_en TEXT NOT NULL);", NULL, NULL, NULL },

	/* 2: users, sessions, API tokens, log-in throttling, the audit trail.
	 * Times that are compared (sessions, tokens, throttling) are Unix
	 * seconds; the audit's time is ISO 8601 UTC text, for people. The audit
	 * is append-only: triggers refuse UPDATE and DELETE on it. */
	{ "CREATE TABLE users ("
	"  id @ID@,"
	"  username TEXT @BINARY@ NOT NULL UNIQUE,"
	"  display_name TEXT NOT NULL,"
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  roles TEXT NOT NULL,"
	"  password_hash TEXT NOT NULL,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created_at BIGINT NOT NULL,"
	"  password_changed_at BIGINT NOT NULL);"
	"CREATE INDEX users_unit ON users (unit_id);"
	"CREATE TABLE sessions ("
	"  id_hash TEXT PRIMARY KEY,"
	"  user_id BIGINT NOT NULL REFERENCES users(id),"
	"  csrf_token TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  last_seen_at BIGINT NOT NULL,"
	"  client_addr TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX sessions_user ON sessions (user_id);"
	"CREATE TABLE api_tokens ("
	"  id @ID@,"
	"  user_id BIGINT NOT NULL REFERENCES users(id),"
	"  name TEXT NOT NULL,"
	"  token_hash TEXT NOT NULL UNIQUE,"
	"  roles TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  expires_at BIGINT,"
	"  last_used_at BIGINT,"
	"  revoked_at BIGINT);"
	"CREATE INDEX api_tokens_user ON api_tokens (user_id);"
	"CREATE TABLE login_failures ("
	"  key TEXT NOT NULL,"
	"  at BIGINT NOT NULL);"
	"CREATE INDEX login_failures_key ON login_failures (key, at);"
	"CREATE TABLE audit ("
	"  id @ID@,"
	"  at @TIMESTAMP@ NOT NULL,"
	"  user_id BIGINT,"
	"  username TEXT NOT NULL DEFAULT '',"
	"  client_addr TEXT NOT NULL DEFAULT '',"
	"  action TEXT NOT NULL,"
	"  unit_id BIGINT,"
	"  record_type TEXT NOT NULL DEFAULT '',"
	"  record_id TEXT NOT NULL DEFAULT '',"
	"  before_value TEXT,"
	"  after_value TEXT,"
	"  detail TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX audit_unit ON audit (unit_id, id);"
	"CREATE INDEX audit_user ON audit (user_id, id);"
	"CREATE INDEX audit_record ON audit (record_type, record_id, id);"
	"CREATE INDEX audit_at ON audit (at, id);",
	  "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	  " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
	  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	  " BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
	  "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
	  " $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;"
	  "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit"
	  " FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();", NULL },

	/* 3: consent to the processing of personal data, per person (a user
	 * account now, a member with the member registry), with its dates */
	{ "CREATE TABLE consents ("
	"  id @ID@,"
	"  subject_type TEXT NOT NULL CHECK (subject_type IN ('user','member')),"
	"  subject_id BIGINT NOT NULL,"
	"  purpose TEXT NOT NULL,"
	"  given_on @DATE@ NOT NULL,"
	"  withdrawn_on @DATE@,"
	"  recorded_at BIGINT NOT NULL,"
	"  recorded_by TEXT NOT NULL);"
	"CREATE INDEX consents_subject ON consents (subject_type, subject_id);", NULL, NULL, NULL },

	/* 4: TRUNCATE empties a PostgreSQL table without row triggers: refuse
	 * it on the audit trail too (SQLite has no TRUNCATE; its DELETE
	 * triggers already hold) */
	{ "SELECT 1", NULL,
	  "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit"
	  " FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();", NULL },

	/* 5: ancestry through time (store/ancestry.h): every (descendant,
	 * ancestor) pair with the depth between them and the interval over which
	 * it holds, the unit itself at depth 0; kept exact by every write to
	 * units and unit_parents, in the same transaction. ancestry_work is the
	 * scratch list of units being refreshed (writers take turns, so one
	 * table serves them all). Filled here from the intervals already held. */
	{ "CREATE TABLE ancestry ("
	"  descendant BIGINT NOT NULL REFERENCES units(id),"
	"  ancestor BIGINT NOT NULL REFERENCES units(id),"
	"  depth INTEGER NOT NULL,"
	"  valid_from @DATE@ NOT NULL,"
	"  valid_to @DATE@ NOT NULL,"
	"  PRIMARY KEY (descendant, ancestor, valid_from),"
	"  CHECK (valid_from < valid_to));"
	"CREATE INDEX ancestry_ancestor ON ancestry (ancestor, depth, valid_from);"
	"CREATE TABLE ancestry_work (id BIGINT PRIMARY KEY);"
	ANCESTRY_FILL_SQL("SELECT id FROM units") ";"
	/* and attributes through time, like names (Huế became a centrally run
	 * city; a border commune may stop being one) */
	"CREATE TABLE unit_attributes ("
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  attributes TEXT NOT NULL DEFAULT '',"
	"  valid_from @DATE@ NOT NULL,"
	"  valid_to @DATE@ NOT NULL,"
	"  PRIMARY KEY (unit_id, valid_from),"
	"  CHECK (valid_from < valid_to));"
	"INSERT INTO unit_attributes (unit_id, attributes, valid_from, valid_to)"
	"  SELECT id, attributes, valid_from, valid_to FROM units;"
	"ALTER TABLE units DROP COLUMN attributes;", NULL, NULL, NULL },

	/* 6: the indexes of the hot reads hold every column those reads use,
	 * so that they never visit the table (measured on the generated
	 * country: counting the children of 3,321 communes took 25 ms through
	 * unit_parents_parent, which lacked valid_to; a scope check fetched
	 * the ancestry row for valid_to and depth) */
	{ "DROP INDEX ancestry_ancestor;"
	"CREATE INDEX ancestry_ancestor ON ancestry (ancestor, depth, valid_from, valid_to, descendant);"
	"CREATE INDEX ancestry_descendant ON ancestry (descendant, ancestor, valid_from, valid_to, depth);"
	"DROP INDEX unit_parents_parent;"
	"CREATE INDEX unit_parents_parent ON unit_parents (parent_id, valid_from, valid_to, unit_id);", NULL, NULL, NULL },

	/* 7: each log-in attempt's failure rows carry the attempt's own random
	 * id, so that a right password takes back that attempt's rows and no
	 * other (a shared second let one good log-in wipe eight bad ones) */
	{ "ALTER TABLE login_failures ADD COLUMN claim TEXT;", NULL, NULL, NULL },

	/* 8: a password an admin reset is a one-time one: until she changes
	 * it, her log-in reaches nothing but the password change (issue 14) */
	{ "ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;", NULL, NULL, NULL },

	/* 9: the member registry (issue 15, docs/members.md): a person's
	 * record, her memberships as intervals (a transfer ends one and starts
	 * the next on the same day), and the words of her folded name for
	 * search by the beginning of any word. An ID number is unique;
	 * several records may have none. */
	{ "CREATE TABLE persons ("
	"  id @ID@,"
	"  full_name TEXT NOT NULL,"
	"  name_fold TEXT NOT NULL,"
	"  name_key TEXT @BINARY@ NOT NULL,"
	"  birth_date @DATE@ NOT NULL,"
	"  sex TEXT NOT NULL CHECK (sex IN ('female', 'male')),"
	"  ethnicity TEXT REFERENCES ethnic_groups(code),"
	"  religion TEXT NOT NULL DEFAULT '',"
	"  education TEXT NOT NULL DEFAULT '',"
	"  qualification TEXT NOT NULL DEFAULT '',"
	"  political_theory TEXT NOT NULL DEFAULT '',"
	"  occupation TEXT NOT NULL DEFAULT '',"
	"  id_number TEXT UNIQUE,"
	"  id_kind TEXT CHECK (id_kind IN ('cccd', 'cmnd')),"
	"  phone TEXT,"
	"  address_province TEXT NOT NULL DEFAULT '',"
	"  address_commune TEXT NOT NULL DEFAULT '',"
	"  hamlet TEXT NOT NULL DEFAULT '',"
	"  street TEXT NOT NULL DEFAULT '',"
	"  circumstances TEXT NOT NULL DEFAULT '',"
	"  digital INTEGER NOT NULL DEFAULT 0,"
	"  party_member INTEGER NOT NULL DEFAULT 0,"
	"  notes TEXT NOT NULL DEFAULT '',"
	"  erased INTEGER NOT NULL DEFAULT 0,"
	"  created_at @TIMESTAMP@ NOT NULL,"
	"  updated_at @TIMESTAMP@ NOT NULL);"
	"CREATE INDEX persons_phone ON persons (phone);"
	"CREATE TABLE person_words ("
	"  word TEXT @BINARY@ NOT NULL,"
	"  person_id BIGINT NOT NULL REFERENCES persons(id),"
	"  PRIMARY KEY (word, person_id));"
	"CREATE TABLE memberships ("
	"  id @ID@,"
	"  person_id BIGINT NOT NULL REFERENCES persons(id),"
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('member', 'honorary')),"
	"  valid_from @DATE@ NOT NULL,"
	"  valid_to @DATE@ NOT NULL,"
	"  start_reason TEXT NOT NULL,"
	"  end_reason TEXT,"
	"  CHECK (valid_from < valid_to));"
	"CREATE UNIQUE INDEX memberships_person ON memberships (person_id, valid_from);"
	"CREATE INDEX memberships_unit ON memberships (unit_id, valid_from, valid_to, person_id);", NULL, NULL, NULL },

	/* 10: transfers across scope ("giới thiệu sinh hoạt", issue 15 item 2):
	 * issued by the sending unit's officers, accepted or refused by the
	 * receiving unit's. The member's history changes only on acceptance. */
	{ "CREATE TABLE transfers ("
	"  id @ID@,"
	"  person_id BIGINT NOT NULL REFERENCES persons(id),"
	"  from_unit BIGINT NOT NULL REFERENCES units(id),"
	"  to_unit BIGINT NOT NULL REFERENCES units(id),"
	"  date @DATE@ NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'refused', 'cancelled')),"
	"  note TEXT NOT NULL DEFAULT '',"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  created_by TEXT NOT NULL,"
	"  created_at @TIMESTAMP@ NOT NULL,"
	"  decided_by TEXT,"
	"  decided_at @TIMESTAMP@,"
	"  decided_on @DATE@);"
	"CREATE INDEX transfers_to ON transfers (to_unit, status, id);"
	"CREATE INDEX transfers_from ON transfers (from_unit, status, id);"
	"CREATE INDEX transfers_person ON transfers (person_id, status);", NULL, NULL, NULL },

	/* 11: dues (hội phí, issue 15 item 1): the amount a unit sets for a
	 * year (in VND; a unit without one takes its nearest ancestor's), and
	 * each member's payment for a year, once */
	{ "CREATE TABLE dues_rates ("
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  year INTEGER NOT NULL,"
	"  amount BIGINT NOT NULL CHECK (amount >= 0),"
	"  PRIMARY KEY (unit_id, year));"
	"CREATE TABLE dues_payments ("
	"  person_id BIGINT NOT NULL REFERENCES persons(id),"
	"  year INTEGER NOT NULL,"
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  amount BIGINT NOT NULL CHECK (amount >= 0),"
	"  paid_on @DATE@ NOT NULL,"
	"  recorded_by TEXT NOT NULL,"
	"  recorded_at @TIMESTAMP@ NOT NULL,"
	"  PRIMARY KEY (person_id, year));"
	"CREATE INDEX dues_payments_unit ON dues_payments (unit_id, year);", NULL, NULL, NULL },

	/* 12: the member list read in name order, so that a search in a large
	 * unit stops at the page's last row (store/members.c, the drivers):
	 * everyone by the sort key, with what the walk checks before it reads
	 * a row (the folded name for the words, erased); and the people of one
	 * word by the sort key, with the folded name likewise (a given name's
	 * people are together in name order, so a walk over everyone would
	 * read up to them first). */
	{ "CREATE INDEX persons_name ON persons (name_key, id, name_fold, erased);"
	"ALTER TABLE person_words ADD COLUMN name_key TEXT @BINARY@ NOT NULL DEFAULT '';"
	"ALTER TABLE person_words ADD COLUMN name_fold TEXT NOT NULL DEFAULT '';"
	"UPDATE person_words SET name_key = (SELECT p.name_key FROM persons p WHERE p.id = person_words.person_id),"
	"  name_fold = (SELECT p.name_fold FROM persons p WHERE p.id = person_words.person_id);"
	"CREATE INDEX person_words_name ON person_words (word, name_key, person_id, name_fold);", NULL, NULL, NULL },

	/* 13: the digital membership card (issue 15 item 7; store/card.h) and
	 * the member's own account (item 4). card_keys: the server's Ed25519
	 * keys, the seed of each secret key and its public key as hex, made
	 * and retired in Unix seconds (a retired key's cards no longer
	 * verify). users.person_id: the member record an account is hers, at
	 * most one account a record. */
	{ "CREATE TABLE card_keys ("
	"  id @ID@,"
	"  public_key TEXT NOT NULL,"
	"  secret_key TEXT NOT NULL,"
	"  created_at BIGINT NOT NULL,"
	"  retired_at BIGINT);"
	"ALTER TABLE users ADD COLUMN person_id BIGINT REFERENCES persons(id);"
	"CREATE UNIQUE INDEX users_person ON users (person_id);", NULL, NULL, NULL },

	/* 14: the membership figures kept exact inside every write
	 * (store/member_tally.h), counted once from what is held by the
	 * migration to 15, which keeps the search rows beside them */
	{ "CREATE TABLE member_tally ("
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  dim TEXT @BINARY@ NOT NULL,"
	"  value TEXT @BINARY@ NOT NULL,"
	"  n BIGINT NOT NULL,"
	"  amount BIGINT NOT NULL,"
	"  PRIMARY KEY (unit_id, dim, value));", NULL, NULL, NULL },

	/* 15: a province's members by the words of their names, kept inside
	 * every write (store/member_tally.h); the index holds every column so
	 * that a search reads it alone */
	{ "CREATE TABLE member_words ("
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  word TEXT @BINARY@ NOT NULL,"
	"  name_key TEXT @BINARY@ NOT NULL,"
	"  person_id BIGINT NOT NULL REFERENCES persons(id),"
	"  name_fold TEXT NOT NULL);"
	"CREATE UNIQUE INDEX member_words_walk ON member_words (unit_id, word, name_key, person_id, name_fold);",
	  NULL, NULL, member_tally_rebuild_15 },

	/* 16: a person's words and search rows by her id, which each write of
	 * hers takes out and puts back (without these, every edit read both
	 * tables whole) */
	{ "CREATE INDEX person_words_person ON person_words (person_id);"
	  "CREATE INDEX member_words_person ON member_words (person_id);", NULL, NULL, NULL },

	/* 17: sort keys word by word (core/text.h: every "Anh" before any
	 * "Ánh"), made again from the names they are kept for */
	{ "", NULL, NULL, rekey },

	/* 18: member lists imported from files (store/imports.h): one row per
	 * import, and for each record it created or changed, the import and
	 * the file's line (provenance without an audit row per record) */
	{ "CREATE TABLE imports ("
	"  id @ID@,"
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  file_name TEXT NOT NULL,"
	"  file_sha256 TEXT NOT NULL,"
	"  file_size BIGINT NOT NULL,"
	"  format TEXT NOT NULL,"
	"  mode TEXT NOT NULL,"
	"  rows_read BIGINT NOT NULL,"
	"  valid BIGINT NOT NULL,"
	"  invalid BIGINT NOT NULL,"
	"  created BIGINT NOT NULL,"
	"  updated BIGINT NOT NULL,"
	"  unchanged BIGINT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  created_at @TIMESTAMP@ NOT NULL);"
	"CREATE TABLE import_records ("
	"  person_id BIGINT NOT NULL REFERENCES persons(id),"
	"  import_id BIGINT NOT NULL REFERENCES imports(id),"
	"  line BIGINT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  fields TEXT NOT NULL,"
	"  PRIMARY KEY (person_id, import_id));"
	"CREATE INDEX import_records_import ON import_records (import_id);"
	/* the API's import jobs: a file uploaded, checked, committed */
	"CREATE TABLE import_jobs ("
	"  id @ID@,"
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  user_id BIGINT NOT NULL,"
	"  username TEXT NOT NULL,"
	"  file_name TEXT NOT NULL,"
	"  file_size BIGINT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  options TEXT NOT NULL,"
	"  report TEXT,"
	"  error TEXT,"
	"  import_id BIGINT REFERENCES imports(id),"
	"  runner TEXT NOT NULL,"
	"  created_at @TIMESTAMP@ NOT NULL,"
	"  updated_at @TIMESTAMP@ NOT NULL);"
	"CREATE INDEX import_jobs_user ON import_jobs (user_id, id);"
	/* the column mappings saved for files of the same shape */
	"CREATE TABLE import_templates ("
	"  id @ID@,"
	"  name TEXT NOT NULL,"
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  mapping TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  created_at @TIMESTAMP@ NOT NULL);"
	"CREATE UNIQUE INDEX import_templates_name ON import_templates (unit_id, name);", NULL, NULL, NULL },

	/* 19: the search rows by province without foreign keys. They are
	 * made from persons and units inside the same writes (and checked
	 * against them by `unionbase check`); the check of each row's person
	 * read persons at random, when an import adds its rows in the
	 * index's order: a third of a large import's time. */
	{ "", "CREATE TABLE member_words_19 ("
	  "  unit_id BIGINT NOT NULL,"
	  "  word TEXT NOT NULL,"
	  "  name_key TEXT NOT NULL,"
	  "  person_id BIGINT NOT NULL,"
	  "  name_fold TEXT NOT NULL);"
	  "INSERT INTO member_words_19 SELECT unit_id, word, name_key, person_id, name_fold FROM member_words"
	  "  ORDER BY unit_id, word, name_key, person_id, name_fold;"
	  "DROP TABLE member_words;"
	  "ALTER TABLE member_words_19 RENAME TO member_words;"
	  "CREATE UNIQUE INDEX member_words_walk ON member_words (unit_id, word, name_key, person_id, name_fold);"
	  "CREATE INDEX member_words_person ON member_words (person_id);",
	  "ALTER TABLE member_words DROP CONSTRAINT member_words_unit_id_fkey,"
	  "  DROP CONSTRAINT member_words_person_id_fkey;", NULL },

	/* 20: a person's words (person_words) keyed by word, sort key and
	 * person: the order a search walks, one index where there were two
	 * (SQLite: the table itself, WITHOUT ROWID), and an import adds its
	 * rows in that order. No foreign key, as member_words (19): they are
	 * made from persons inside the same writes. */
	{ "", "CREATE TABLE person_words_20 ("
	  "  word TEXT NOT NULL,"
	  "  name_key TEXT NOT NULL,"
	  "  person_id BIGINT NOT NULL,"
	  "  name_fold TEXT NOT NULL,"
	  "  PRIMARY KEY (word, name_key, person_id)) WITHOUT ROWID;"
	  "INSERT INTO person_words_20 (word, name_key, person_id, name_fold)"
	  "  SELECT word, name_key, person_id, name_fold FROM person_words ORDER BY word, name_key, person_id;"
	  "DROP TABLE person_words;"
	  "ALTER TABLE person_words_20 RENAME TO person_words;"
	  "CREATE INDEX person_words_person ON person_words (person_id);",
	  "ALTER TABLE person_words DROP CONSTRAINT person_words_pkey,"
	  "  DROP CONSTRAINT person_words_person_id_fkey,"
	  "  ADD PRIMARY KEY (word, name_key, person_id) INCLUDE (name_fold);"
	  "DROP INDEX person_words_name;", NULL },

	/* 21: indicators, report forms, the values entered per unit and
	 * period, and the forms' submission and approval (store/reports.h,
	 * docs/reports.md). Numbers are kept in thousandths (BIGINT): sums
	 * are exact, and the same on both stores. The catalogue is loaded
	 * from data/indicators.csv and data/forms.csv by `unionbase init`. */
	{ "CREATE TABLE indicators ("
	"  code TEXT @BINARY@ PRIMARY KEY,"
	"  position INTEGER NOT NULL,"
	"  name_vi TEXT NOT NULL,"
	"  name_en TEXT NOT NULL,"
	"  measure_vi TEXT NOT NULL,"
	"  measure_en TEXT NOT NULL,"
	"  source TEXT NOT NULL CHECK (source IN ('computed', 'entered', 'formula')),"
	"  figure TEXT NOT NULL,"
	"  numerator TEXT NOT NULL,"
	"  denominator TEXT NOT NULL,"
	"  factor BIGINT NOT NULL,"
	"  rollup TEXT NOT NULL CHECK (rollup IN ('sum', 'ratio', 'latest', 'none')),"
	"  levels TEXT NOT NULL,"
	"  min_value BIGINT,"
	"  max_value BIGINT,"
	"  at_most TEXT NOT NULL,"
	"  change_warn BIGINT,"
	"  tolerance BIGINT,"
	"  decimals INTEGER NOT NULL);"
	"CREATE TABLE forms ("
	"  code TEXT @BINARY@ PRIMARY KEY,"
	"  position INTEGER NOT NULL,"
	"  name_vi TEXT NOT NULL,"
	"  name_en TEXT NOT NULL,"
	"  level TEXT NOT NULL REFERENCES levels(key),"
	"  period_type TEXT NOT NULL CHECK (period_type IN ('month', 'quarter', 'half', 'year', 'term')),"
	"  due_days INTEGER NOT NULL);"
	"CREATE TABLE form_indicators ("
	"  form TEXT @BINARY@ NOT NULL REFERENCES forms(code),"
	"  indicator TEXT @BINARY@ NOT NULL REFERENCES indicators(code),"
	"  position INTEGER NOT NULL,"
	"  PRIMARY KEY (form, indicator));"
	"CREATE TABLE indicator_values ("
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  period TEXT @BINARY@ NOT NULL,"
	"  indicator TEXT @BINARY@ NOT NULL REFERENCES indicators(code),"
	"  value BIGINT NOT NULL,"
	"  comment TEXT NOT NULL,"
	"  updated_by TEXT NOT NULL,"
	"  updated_at @TIMESTAMP@ NOT NULL,"
	"  PRIMARY KEY (indicator, period, unit_id));"
	"CREATE TABLE form_reports ("
	"  form TEXT @BINARY@ NOT NULL REFERENCES forms(code),"
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  period TEXT @BINARY@ NOT NULL,"
	"  status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'returned')),"
	"  explanation TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  submitted_by TEXT NOT NULL,"
	"  decided_by TEXT NOT NULL,"
	"  updated_at @TIMESTAMP@ NOT NULL,"
	"  PRIMARY KEY (form, period, unit_id));"
	/* the values of an approved form as they stood at its approval */
	"CREATE TABLE form_snapshots ("
	"  form TEXT @BINARY@ NOT NULL,"
	"  unit_id BIGINT NOT NULL,"
	"  period TEXT @BINARY@ NOT NULL,"
	"  indicator TEXT @BINARY@ NOT NULL,"
	"  value BIGINT,"
	"  computed BIGINT,"
	"  PRIMARY KEY (form, period, unit_id, indicator),"
	"  FOREIGN KEY (form, period, unit_id) REFERENCES form_reports (form, period, unit_id));",
	  NULL, NULL, NULL },

	/* 22: the targets of a congress term per unit and indicator
	 * (store/targets.h): base and allowance are the value the level
	 * above handed down and the room it gave, NULL when the unit set its
	 * own. */
	{ "CREATE TABLE targets ("
	"  indicator TEXT @BINARY@ NOT NULL REFERENCES indicators(code),"
	"  term TEXT @BINARY@ NOT NULL,"
	"  unit_id BIGINT NOT NULL REFERENCES units(id),"
	"  value BIGINT NOT NULL,"
	"  direction TEXT NOT NULL CHECK (direction IN ('at_least', 'at_most')),"
	"  base BIGINT,"
	"  allowance BIGINT CHECK (allowance >= 0),"
	"  set_by_unit BIGINT REFERENCES units(id),"
	"  set_by TEXT NOT NULL,"
	"  updated_at @TIMESTAMP@ NOT NULL,"
	"  PRIMARY KEY (indicator, term, unit_id));"
	"CREATE INDEX targets_unit ON targets (unit_id, term);",
	  NULL, NULL, NULL },

	/* 23: the people with digital capacity, for the national count of
	 * them (store/member_stats.c, lean_top_pass): reading each member's
	 * row for the flag was half of the national roll-up of the reports */
	{ "CREATE INDEX persons_digital ON persons (id) WHERE digital <> 0;", NULL, NULL, NULL },

	/* 24: the figures in their key's order (SQLite: the table itself,
	 * WITHOUT ROWID). A nation's statistics read its 60,000 rows at 20
	 * million members (its members by date of birth, the starts and ends
	 * by day), each a seek from the key into the table: most of their
	 * time. PostgreSQL finds a row's page in its shared buffers, and
	 * each write's upserts stay HOT while n and amount are not in an
	 * index: it keeps its table.
	 * Also, for a commune's statistics (counted from its stays): its
	 * dues payments of a year and of a period, read from one index with
	 * every column they need (they read each payment's row, half of the
	 * time), and its honorary members from an index of theirs alone (the
	 * kind of each stay read from its row, a fifth). */
	{ "DROP INDEX dues_payments_unit;"
	  "CREATE INDEX dues_payments_unit ON dues_payments (unit_id, paid_on, year, amount);"
	  "CREATE INDEX memberships_honorary ON memberships (unit_id, valid_from, valid_to) WHERE kind = 'honorary';",
	  "CREATE TABLE member_tally_24 ("
	  "  unit_id BIGINT NOT NULL REFERENCES units(id),"
	  "  dim TEXT NOT NULL,"
	  "  value TEXT NOT NULL,"
	  "  n BIGINT NOT NULL,"
	  "  amount BIGINT NOT NULL,"
	  "  PRIMARY KEY (unit_id, dim, value)) WITHOUT ROWID;"
	  "INSERT INTO member_tally_24 (unit_id, dim, value, n, amount)"
	  "  SELECT unit_id, dim, value, n, amount FROM member_tally ORDER BY unit_id, dim, value;"
	  "DROP TABLE member_tally;"
	  "ALTER TABLE member_tally_24 RENAME TO member_tally;",
	  NULL, NULL },

	/* 25: how many search rows each word has in each province ('word'
	 * figures, store/member_tally.h), counted from the search rows
	 * themselves: a search chooses its way from them (store/members.c) */
	{ "INSERT INTO member_tally (unit_id, dim, value, n, amount)"
	  "  SELECT unit_id, 'word', word, count(*), 0 FROM member_words"
	  "  WHERE word <> '' AND EXISTS (SELECT 1 FROM meta WHERE key = 'tally_from' AND value <> 'off')"
	  "  GROUP BY unit_id, word;",
	  NULL, NULL, NULL },

	/* 26: the figures by day (store/member_tally.h), from which a past
	 * day's figures of the nation are read: counted from the stays, the
	 * nation as of 2024-12-31 read every member of that day (575 s at 20
	 * million members). A table of their own: in member_tally, the
	 * nation's hundreds of thousands of rows by day slowed its reads of
	 * today's figures. */
	{ "", MEMBER_DAYS_TABLE " WITHOUT ROWID;", MEMBER_DAYS_TABLE ";",
	  member_load_days_fill },

	/* 27: each member's whole name kept at her commune too (search rows
	 * '', store/member_tally.h): a commune's list and search walk them
	 * in name order; from the stays and records, the list of a commune of
	 * 15,000 members at 20 million took 0.75 s, its search up to 1 s */
	{ "INSERT INTO member_words (unit_id, word, name_key, person_id, name_fold)"
	  "  SELECT DISTINCT a.ancestor, '', p.name_key, p.id, p.name_fold FROM memberships m"
	  "  JOIN persons p ON p.id = m.person_id"
	  "  JOIN ancestry a ON a.descendant = m.unit_id AND a.valid_to = '9999-12-31'"
	  "  JOIN units tu ON tu.id = a.ancestor JOIN levels tl ON tl.key = tu.level"
	  "  AND (SELECT count(*) FROM levels r WHERE r.rank < tl.rank) >= 2"
	  "  AND (SELECT count(*) FROM levels r WHERE r.rank > tl.rank) >= 2"
	  "  WHERE m.valid_to = '9999-12-31' AND p.erased = 0"
	  "  AND EXISTS (SELECT 1 FROM meta WHERE key = 'tally_from' AND value <> 'off')"
	  "  ORDER BY 1, 2, 3, 4, 5;",
	  NULL, NULL, NULL },

	/* 28: ancestry_work's rows keyed by the refresh that lists them
	 * (store/ancestry.c): each refresh reads and deletes its own rows by
	 * the index, never scanning the table. One transaction that refreshes
	 * many units (the generated country, a reform) leaves every deleted
	 * row in PostgreSQL's heap until it ends: a scan of the whole table at
	 * each refresh made such a transaction quadratic. */
	{ "DROP TABLE ancestry_work;", ANCESTRY_WORK_TABLE " WITHOUT ROWID;", ANCESTRY_WORK_TABLE ";", NULL },

	/* 29: SQLite: the dues payments stored in their key's order, WITHOUT
	 * ROWID: a table of rowids beside the index of its primary key, each
	 * payment went into two B-trees (110 million at 20 million members).
	 * Generating 1,000,000 members: 62.7 and 72.0 s before, 58.4 and 60.4
	 * s after; the database 3% smaller. The search rows (member_words)
	 * stay a table beside their index: WITHOUT ROWID, their index by
	 * person holds every column, and moving them in in key order was
	 * slower (63.3 and 62.4 s). PostgreSQL keeps its table. */
	{ "",
	  "CREATE TABLE dues_payments_29 ("
	  "  person_id BIGINT NOT NULL REFERENCES persons(id),"
	  "  year INTEGER NOT NULL,"
	  "  unit_id BIGINT NOT NULL REFERENCES units(id),"
	  "  amount BIGINT NOT NULL CHECK (amount >= 0),"
	  "  paid_on TEXT NOT NULL,"
	  "  recorded_by TEXT NOT NULL,"
	  "  recorded_at TEXT NOT NULL,"
	  "  PRIMARY KEY (person_id, year)) WITHOUT ROWID;"
	  "INSERT INTO dues_payments_29 (person_id, year, unit_id, amount, paid_on, recorded_by, recorded_at)"
	  "  SELECT person_id, year, unit_id, amount, paid_on, recorded_by, recorded_at FROM dues_payments"
	  "  ORDER BY person_id, year;"
	  "DROP TABLE dues_payments;"
	  "ALTER TABLE dues_payments_29 RENAME TO dues_payments;"
	  "CREATE INDEX dues_payments_unit ON dues_payments (unit_id, paid_on, year, amount);",
	  NULL, NULL },

	/* 30: the tree's version, a number that every change of the
	 * organisation tree sets anew, in its own transaction (triggers, so
	 * that no writer can forget it): a server keeps what it read of the
	 * tree (a caller's scope, a unit page) with the number it read it at,
	 * and uses it again while the number stands (docs/architecture.md,
	 * "What a server keeps of the tree"). A random positive number, not a
	 * count: a database restored to an earlier day, or a standby that
	 * lost the last commits, would count up to numbers a running server
	 * has already seen with another tree */
	{ "CREATE TABLE org_version (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL);"
	  "INSERT INTO org_version (id, n) VALUES (1, 1);",
	  "CREATE TRIGGER org_version_levels_i AFTER INSERT ON levels BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_levels_u AFTER UPDATE ON levels BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_levels_d AFTER DELETE ON levels BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_units_i AFTER INSERT ON units BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_units_u AFTER UPDATE ON units BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_units_d AFTER DELETE ON units BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_unit_names_i AFTER INSERT ON unit_names BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_unit_names_u AFTER UPDATE ON unit_names BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_unit_names_d AFTER DELETE ON unit_names BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_unit_parents_i AFTER INSERT ON unit_parents BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_unit_parents_u AFTER UPDATE ON unit_parents BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_unit_parents_d AFTER DELETE ON unit_parents BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_unit_attributes_i AFTER INSERT ON unit_attributes BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_unit_attributes_u AFTER UPDATE ON unit_attributes BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_unit_attributes_d AFTER DELETE ON unit_attributes BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_ancestry_i AFTER INSERT ON ancestry BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_ancestry_u AFTER UPDATE ON ancestry BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_ancestry_d AFTER DELETE ON ancestry BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_events_i AFTER INSERT ON events BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_events_u AFTER UPDATE ON events BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_events_d AFTER DELETE ON events BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_event_units_i AFTER INSERT ON event_units BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_event_units_u AFTER UPDATE ON event_units BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;"
	  "CREATE TRIGGER org_version_event_units_d AFTER DELETE ON event_units BEGIN UPDATE org_version SET n = (random() & 9223372036854775807) | 1; END;",
	  "CREATE FUNCTION org_version_bump() RETURNS trigger LANGUAGE plpgsql AS"
	  "  $$BEGIN UPDATE org_version SET n = 1 + floor(random() * 9.2e18)::bigint; RETURN NULL; END$$;"
	  "CREATE TRIGGER org_version_levels AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON levels"
	  "  FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump();"
	  "CREATE TRIGGER org_version_units AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units"
	  "  FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump();"
	  "CREATE TRIGGER org_version_unit_names AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_names"
	  "  FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump();"
	  "CREATE TRIGGER org_version_unit_parents AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_parents"
	  "  FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump();"
	  "CREATE TRIGGER org_version_unit_attributes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_attributes"
	  "  FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump();"
	  "CREATE TRIGGER org_version_ancestry AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ancestry"
	  "  FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump();"
	  "CREATE TRIGGER org_version_events AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON events"
	  "  FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump();"
	  "CREATE TRIGGER org_version_event_units AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON event_units"
	  "  FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump();",
	  NULL },
};

#define N_MIGRATIONS ((int)(sizeof(MIGRATIONS) / sizeof(MIGRATIONS[0])))
_Static_assert(sizeof(MIGRATIONS) / sizeof(MIGRATIONS[0]) == SCHEMA_VERSION,
	       "SCHEMA_VERSION must be the number of migrations");

static int table_exists(db_t *db, const char *name, bool *yes, err_t *e)
{
	const char *sql = db_dialect(db) == DB_SQLITE
		? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
		: "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?";
	db_stmt_t *st = NULL;
	int rc = db_prepare(db, sql, &st);

	if (rc == DB_OK)
		rc = db_bind_text(st, 1, name);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*yes = db_col_int64(st, 0) > 0;
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

int migrate_version(db_t *db, int *version, err_t *e)
{
	bool has_meta = false;
	db_stmt_t *st = NULL;
	int rc;

	*version = 0;
	if (table_exists(db, "meta", &has_meta, e))
		return -1;
	if (!has_meta)
		return 0;
	rc = db_prepare(db, "SELECT value FROM meta WHERE key = 'schema_version'", &st);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*version = (int)db_col_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(st);
	return rc == DB_OK ? 0 : store_fail(db, rc, e);
}

static int apply_one(db_t *db, int version, err_t *e)
{
	const migration_t *m = &MIGRATIONS[version - 1];
	const char *extra = db_dialect(db) == DB_SQLITE ? m->sqlite : m->postgresql;
	char *sql = db_expand(db, m->common);
	db_stmt_t *st = NULL;
	bool own;
	int rc;

	if (!sql)
		return err_fail(e, ERR_INTERNAL, NULL, "out of memory");
	if (store_tx_begin(db, &own, e)) {
		free(sql);
		return -1;
	}
	rc = *sql ? db_exec(db, sql) : DB_OK; /* a step may be all code (then) */
	free(sql);
	if (rc == DB_OK && extra)
		rc = db_exec(db, extra);
	if (rc == DB_OK)
		rc = db_prepare(db, version == 1
				? "INSERT INTO meta (key, value) VALUES ('schema_version', ?)"
				: "UPDATE meta SET value = ? WHERE key = 'schema_version'", &st);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 1, version);
	if (rc == DB_OK && (rc = db_step(st)) == DB_DONE)
		rc = DB_OK;
	db_finalize(st);
	if (rc != DB_OK) {
		store_fail(db, rc, e);
		return store_tx_end(db, own, -1, e);
	}
	return store_tx_end(db, own, m->then ? m->then(db, e) : 0, e);
}

int migrate_apply(db_t *db, err_t *e)
{
	return migrate_apply_to(db, N_MIGRATIONS, e);
}

int migrate_apply_to(db_t *db, int to, err_t *e)
{
	int version;

	if (to < 1 || to > N_MIGRATIONS)
		return err_fail(e, ERR_INTERNAL, NULL, "migrate_apply_to: no schema version {version}", ERR_INT("version", to));
	if (migrate_version(db, &version, e))
		return -1;
	if (version > N_MIGRATIONS)
		return err_fail(e, ERR_INTERNAL, "schema_too_new",
				"the database is at schema version {version}, newer than this program ({needed})",
				ERR_INT("version", version), ERR_INT("needed", N_MIGRATIONS));
	for (int v = version + 1; v <= to; v++)
		if (apply_one(db, v, e))
			return -1;
	return 0;
}

int migrate_check(db_t *db, err_t *e)
{
	int version;

	if (migrate_version(db, &version, e))
		return -1;
	if (version == 0)
		return err_fail(e, ERR_INTERNAL, "schema_missing", "the database is empty: create it with 'unionbase init'");
	if (version < SCHEMA_VERSION)
		return err_fail(e, ERR_INTERNAL, "schema_old",
				"the database is at schema version {version}, this program needs {needed}: run 'unionbase init' on it to migrate",
				ERR_INT("version", version), ERR_INT("needed", SCHEMA_VERSION));
	if (version > SCHEMA_VERSION)
		return err_fail(e, ERR_INTERNAL, "schema_too_new",
				"the database is at schema version {version}, newer than this program ({needed})",
				ERR_INT("version", version), ERR_INT("needed", SCHEMA_VERSION));
	return 0;
}
