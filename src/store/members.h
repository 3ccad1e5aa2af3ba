/*
 * members.h - the member registry in the store (docs/members.md): persons,
 * their memberships through time, and the member list with search.
 *
 * The values reach here checked (core/person.h does the rules, api/ and
 * cli/ call it); the store keeps the invariants that need the database: an
 * ID number names one person, a membership is in a unit of the two lowest
 * levels that exists on the day she joins, and her stays never overlap.
 * Every write records an audit row in its own transaction. Scope and
 * permission are the caller's business, as for units; lists take the
 * caller's scope and show only members whose unit lies in it.
 *
 * Ownership: plain structs with fixed buffers; member_list_t owns its items
 * (member_list_free), member_history's *out is malloc'd (caller frees).
 */
#ifndef UB_MEMBERS_H
#define UB_MEMBERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/access.h"
#include "core/err.h"
#include "core/person.h"
#include "core/unit.h"
#include "store/db.h"
#include "store/org_store.h"

#define PERSON_TEXT_MAX 200               /* characters of the free-text fields */
#define PERSON_TEXT_BUF (PERSON_TEXT_MAX * 4 + 1)
#define PERSON_NAME_BUF (PERSON_NAME_MAX * 4 + 1)
#define MEMBER_REASON_MAX 16
#define MEMBER_SEARCH_WORDS 6             /* words of a query that count */

typedef struct person {
	int64_t id;
	char full_name[PERSON_NAME_BUF];
	date_t birth_date;
	person_sex_t sex;
	char ethnicity[8];                /* two-digit code of ethnic_groups, "" for none */
	char religion[PERSON_TEXT_BUF];
	char education[PERSON_TEXT_BUF];
	char qualification[PERSON_TEXT_BUF];
	char political_theory[PERSON_TEXT_BUF];
	char occupation[PERSON_TEXT_BUF];
	char id_number[PERSON_ID_BUF];    /* "" for none */
	person_id_kind_t id_kind;
	char phone[PERSON_PHONE_BUF];     /* "+84...", "" for none */
	char hamlet[PERSON_TEXT_BUF];
	char street[PERSON_TEXT_BUF];
	char circumstances[PERSON_TEXT_BUF]; /* words separated by spaces */
	bool digital;
	bool party_member;
	char notes[PERSON_TEXT_BUF];
} person_t;

typedef struct membership {
	int64_t id;
	unit_ref_t unit;                  /* as of the stay's first day */
	member_kind_t kind;
	date_t valid_from, valid_to;      /* [from, to); DATE_OPEN while it lasts */
	char start_reason[MEMBER_REASON_MAX];
	char end_reason[MEMBER_REASON_MAX]; /* "" while it lasts */
} membership_t;

/* A person and her stay on the day asked, if any. */
typedef struct member {
	person_t p;
	bool current;                     /* m holds on the day asked */
	membership_t m;
} member_t;

typedef struct member_list {
	member_t *items;
	size_t n;
	char next[ORG_CURSOR_MAX];        /* "" on the last page */
	/* how the page was found (tests, diagnostics; static text): "unit"
	 * (the unit's stays), "word" (a word's range, read whole and sorted),
	 * "word walk" (one word's rows in name order), "name walk" (the
	 * unit's members in name order), "word merge" (a range of few
	 * words read as the merge of their walks), "words leapfrog" (the
	 * words' walks leaping to each other's rows); with " (kept)" when
	 * from the kept search rows */
	const char *plan;
} member_list_t;

void member_list_free(member_list_t *l);

/* Whether a stay may begin in unit_id on d: 422 with a detail on field
 * "unit": not_found (no such unit that day), not_a_branch (not of the two
 * lowest levels), unit_ends (its close is recorded and nothing takes its
 * members on). Returns 0, or -1 with e (also a store failure). */
int member_check_unit(db_t *db, int64_t unit_id, date_t d, err_t *e);

/* What member_check_unit reads of a unit, to check many days against
 * (an import's rows) without reading it again. */
typedef struct member_unit_facts {
	int64_t unit_id;
	char code[UNIT_CODE_MAX + 1]; /* as refusals name it ("" when not found) */
	bool found;        /* the unit exists (on some day) */
	date_t from, to;   /* its days [from, to) */
	int64_t below;     /* levels below its own */
	int64_t successor; /* who takes its members on when it ends (to); 0: none */
} member_unit_facts_t;
int member_unit_facts(db_t *db, int64_t unit_id, member_unit_facts_t *f, err_t *e);
/* member_check_unit on facts read before: the same answers. */
int member_check_unit_facts(const member_unit_facts_t *f, date_t d, err_t *e);

/* Records a new person p (p->id is set) who joins unit_id as `kind` on
 * `joined`. Refusals: 409 id_number_taken (value; name when the holder is
 * in who's scope is the caller's to add), 422 with a detail on field
 * "unit": not_a_branch (the unit is not of the two lowest levels),
 * not_found (no such unit on that day); 422 ethnicity not_one_of. One
 * transaction (or the caller's), with an audit row member.create. */
int member_add(db_t *db, const principal_t *who, person_t *p, int64_t unit_id, member_kind_t kind, date_t joined,
	       err_t *e);

/* Replaces the record of person p->id with p (her memberships are not
 * touched). Refusals as member_add's for the ID number and ethnicity;
 * ERR_NOT_FOUND for no such person. Audited as member.update with the
 * names of the fields that changed (never their sensitive values). One
 * transaction (or the caller's). */
int member_update(db_t *db, const principal_t *who, const person_t *p, err_t *e);

/* Where a record came from when it was not typed in: an import
 * (store/imports.h) and the line of its file. */
typedef struct member_origin {
	int64_t import_id;
	int64_t line;
} member_origin_t;

/* member_add for a record read from an import's file: the same writes,
 * but the import and the line are recorded as her record's provenance
 * (import_records, action "created") instead of an audit row: the import
 * has one audit row of its own. The caller has made member_add's checks
 * (the unit on the day, the ethnic group, the ID number free) in the same
 * write transaction, for all its rows at less cost. */
int member_add_imported(db_t *db, const principal_t *who, person_t *p, int64_t unit_id, member_kind_t kind,
			date_t joined, const member_origin_t *origin, err_t *e);

/* New records of an import stored together: member_add_imported's
 * writes (persons, person_words, memberships, import_records "created")
 * in bulk (PostgreSQL: COPY), for records whose unit goes on (its end not
 * recorded: nothing to carry on) and whose checks the import made. The
 * batch is owned by its creator (member_batch_free; NULL is fine),
 * made for records in units under `under` (the import's unit), and
 * copies what it is given. member_batch_store writes and empties it, in
 * the caller's write transaction, and counts its records' figures in
 * memory (store/member_load.h, member_load_count_begin); member_batches_end
 * adds them to the kept figures and writes their search rows
 * (person_words, member_words); the transaction must call it after its
 * last batch, before it commits (store/member_tally.h). Each returns 0, or
 * -1 with e. */
typedef struct member_batch member_batch_t;
/* The highest ID number on record that begins with `prefix` (digits, up to
 * PERSON_ID_BUF - 7 of them) and ends in six digits, into out; *found
 * false when there is none. For the generator, which numbers on from it.
 * Returns 0 or -1 with e. */
int member_id_number_last(db_t *db, const char *prefix, char out[PERSON_ID_BUF], bool *found, err_t *e);

int member_batch_new(int64_t under, member_batch_t **out, err_t *e);
int member_batch_add(member_batch_t *b, const person_t *p, int64_t unit_id, member_kind_t kind, date_t joined,
		     int64_t line, err_t *e);
size_t member_batch_count(const member_batch_t *b);
int member_batch_store(db_t *db, member_batch_t *b, int64_t import_id, err_t *e);
int member_batches_end(db_t *db, member_batch_t *b, err_t *e);
void member_batch_free(member_batch_t *b);

/* member_update for a record read from an import's file: the names of
 * the fields that changed into changed (cap bytes; "" when none, and then
 * nothing is written), recorded as provenance ("updated") instead of an
 * audit row. */
int member_update_imported(db_t *db, const principal_t *who, const person_t *p, const member_origin_t *origin,
			   char *changed, size_t cap, err_t *e);

/* The names of the fields in which records a and b differ ("full_name,
 * phone"), into out[cap]; "" when none. */
void member_changed_fields(const person_t *a, const person_t *b, char *out, size_t cap);

/* Records that may be the same person as p (not p->id itself), who are
 * members on day d: the same folded name and date of birth in the same
 * commune (the ancestor of unit_id one level above the branches), or the
 * same phone number anywhere. Flagged for the user to confirm, never
 * refused. At most cap of them into out[], *n; their stays on d named. */
int member_duplicates(db_t *db, const person_t *p, int64_t unit_id, date_t d, member_t *out, size_t cap, size_t *n,
		      err_t *e);

/* The person with this id, and her stay on day d (out->current false when
 * she has none that day). ERR_NOT_FOUND when there is no such person. */
int member_get(db_t *db, int64_t id, date_t d, member_t *out, err_t *e);

/* Every stay of person id, oldest first, into *out (malloc'd) and *n. */
int member_history(db_t *db, int64_t id, membership_t **out, size_t *n, err_t *e);

typedef struct member_query {
	const principal_t *scope; /* only members whose unit lies in it; NULL: all */
	int64_t unit_id;          /* 0, or the members of this unit's subtree */
	const char *q;            /* NULL or text: every word the beginning of a word of
				     the name (folded), or digits of an ID number or phone */
	bool id_prefix;           /* digits match the beginning of an ID number; else
				     only the whole of one (the beginning of a phone always) */
	date_t as_of;             /* members on this day, sorted by name (person_sort_key) */
	/* filters; zero values filter nothing */
	int kind;                 /* 1 members, 2 honorary members */
	int age_min, age_max;     /* whole years on as_of */
	const char *ethnicity;    /* the members of this ethnic group */
	const char *circumstance; /* one word of their circumstances ([a-z_]) */
	int digital;              /* 1 with digital capacity, 2 without */
	int dues_unpaid;          /* a year: those who have not paid its dues */
	int limit;                /* 1..ORG_PAGE_MAX */
	const char *cursor;       /* NULL or a member_list_t.next */
	int probe;                /* 0, or (tests) the rows a search driver may bring
				     before another drives: the drivers give one answer */
	bool unkept;              /* (tests) never the kept search rows: the same answer */
	bool unleaped;            /* (tests) never a leap between the words (the plans
				     it goes before): the same answer */
} member_query_t;

/* One page of the members on q->as_of. Returns 0 or -1 with e (a bad
 * cursor: ERR_BAD_REQUEST). */
int member_list(db_t *db, const member_query_t *q, member_list_t *out, err_t *e);


/* ---- leaving and moving ---- */

#define MEMBER_NOTE_BUF (NOTE_MAX * 4 + 1)

/* Ends her stay that holds day d on d (its last day d - 1) for reason
 * (moved_away, married_away, left, died, transferred); with to_unit (not
 * 0), she starts a stay there on d, "transferred", of the same kind.
 * Refusals: 409 not_a_member (date) when no stay holds d; 409
 * date_out_of_range (date, from) when the stay begins on d or later, or a
 * later change is recorded; the new unit's as member_add's. Her pending
 * transfers are cancelled (member_cancel_transfers). Audited as
 * member.leave or member.transfer, in one transaction (or the caller's). */
int member_end_stay(db_t *db, const principal_t *who, int64_t person_id, date_t d, const char *reason,
		    int64_t to_unit, err_t *e);

/* A former member joins again: a stay in unit_id (a branch or group that
 * exists on d) from d, "rejoined", of `kind`. Refusals: 409
 * already_a_member (from: the first day of the stay that is open), 409
 * date_out_of_range (date, until: the day her last stay ended) when d is
 * before that day; the unit's as member_add's. The rules of a new member
 * (her age on d) are the caller's, as for member_add. Audited as
 * member.rejoin, in one transaction (or the caller's). */
/* The person whose ID number is id_number: her id into *id (0: none) and
 * whether a stay of hers is still open (*current), whatever the caller's
 * scope (a former member rejoining elsewhere, POST /api/v1/members with
 * rejoin). Returns 0 or -1 with e. */
int member_by_id_number(db_t *db, const char *id_number, int64_t *id, bool *current, err_t *e);

/* member_by_id_number for n (at most MEMBER_ID_LOOKUP_MAX) ID numbers in
 * one statement: ids[i] and current[i] (unless current is NULL) for
 * id_numbers[i]. One round trip
 * where there were n: on PostgreSQL, most of an import's dry run. Returns
 * 0 or -1 with e. */
#define MEMBER_ID_LOOKUP_MAX 256
int member_by_id_numbers(db_t *db, const char *const *id_numbers, size_t n, int64_t *ids, bool *current, err_t *e);

int member_rejoin(db_t *db, const principal_t *who, int64_t person_id, int64_t unit_id, member_kind_t kind, date_t d,
		  err_t *e);

/* ---- the members of a unit that a reorganisation ends ---- */

/* *n = the stays in unit_id that hold day d or a later one (the members a
 * unit ending on d, its last day d - 1, would leave without a unit, those
 * who join it from d on included). */
int member_count_in(db_t *db, int64_t unit_id, date_t d, int64_t *n, err_t *e);

/* The stays that outlive their unit (a stay still holding after the unit
 * ended: left by a reorganisation before reorganisations took members
 * along, or written behind the program): each written as one line to
 * report (may be NULL; beyond the first 100 only counted) and counted in
 * *n. For `unionbase check`; they count in no figure of a day after the
 * unit ended. Returns 0 or -1 with e. */
int member_stays_outliving_units(db_t *db, FILE *report, size_t *n, err_t *e);

/* Every stay in from_unit that holds day d ends on d ("transferred") and
 * goes on in to_unit from d ("transferred", the same kind and end); a stay
 * that begins on d or later moves to to_unit whole: the members of a
 * branch merged into another follow it. Audited as
 * member.transfer each; their pending transfers are cancelled. In the
 * caller's transaction. *moved receives how many. */
int member_move_all(db_t *db, const principal_t *who, int64_t from_unit, int64_t to_unit, date_t d, int64_t *moved,
		    err_t *e);

/* Cancels the pending transfers of person_id other than `except` (0:
 * none), decided on d with reason why (a leave's reason, "erased"): the
 * stay they would move has ended. Audited as transfer.cancel each. In the
 * caller's transaction. member_end_stay does it for every stay it ends. */
int member_cancel_transfers(db_t *db, const principal_t *who, int64_t person_id, int64_t except, date_t d,
			    const char *why, err_t *e);

/* ---- transfers across scope ---- */

typedef struct transfer {
	int64_t id;
	int64_t person_id;
	char full_name[PERSON_NAME_BUF];
	date_t birth_date;
	unit_ref_t from, to;              /* as of the transfer's date */
	date_t date;                      /* the day the sending unit asked for */
	char status[12];                  /* pending, accepted, refused, cancelled */
	char note[MEMBER_NOTE_BUF];
	char reason[MEMBER_NOTE_BUF];     /* why it was refused */
	char created_by[64];
	char decided_by[64];              /* "" while pending */
	date_t decided_on;                /* 0 while pending */
} transfer_t;

typedef struct transfer_list {
	transfer_t *items;
	size_t n;
} transfer_list_t;

void transfer_list_free(transfer_list_t *l);

/* A pending transfer of person_id from her unit on d to to_unit (a branch
 * or group existing on d). Refusals: 409 not_a_member (no stay on d), 409
 * transfer_pending (she has one already), the unit's as member_add's.
 * *id receives the new transfer's id. Audited as transfer.create. */
int transfer_create(db_t *db, const principal_t *who, int64_t person_id, date_t d, int64_t to_unit,
		    const char *note, int64_t *id, err_t *e);

/* ERR_NOT_FOUND when there is no such transfer. */
int transfer_get(db_t *db, int64_t id, transfer_t *out, err_t *e);

/* The transfers whose receiving (incoming) or sending unit lies in scope
 * (NULL: all), newest first, only those with status when it is not NULL;
 * at most limit. */
int transfer_list(db_t *db, const principal_t *scope, bool incoming, const char *status, int limit,
		  transfer_list_t *out, err_t *e);

/* Decides a pending transfer: accepted on day d (her stay moves to the
 * receiving unit on d: member_end_stay), or refused with reason, or
 * cancelled by the sender. 409 transfer_decided (status) when it is not
 * pending. Audited as transfer.accept, transfer.refuse, transfer.cancel. */
typedef enum transfer_decision { TRANSFER_ACCEPT, TRANSFER_REFUSE, TRANSFER_CANCEL } transfer_decision_t;
int transfer_decide(db_t *db, const principal_t *who, int64_t id, transfer_decision_t what, date_t d,
		    const char *reason, err_t *e);

/* ---- dues (hội phí) ---- */

#define DUES_YEAR_MIN 1930
#define DUES_YEAR_MAX 2200
#define DUES_AMOUNT_MAX 100000000 /* VND */

typedef struct dues_payment {
	int year;
	int64_t amount;          /* VND */
	date_t paid_on;
	unit_ref_t unit;         /* her unit when she paid, as of that day */
} dues_payment_t;

/* Sets unit_id's dues for year (VND). Audited as dues.rate. */
int dues_rate_set(db_t *db, const principal_t *who, int64_t unit_id, int year, int64_t amount, err_t *e);

/* The dues that apply to unit_id in year, as the tree stands on d: its own
 * rate, else its nearest ancestor's; *found false when none is set. The
 * unit that set it into *from_unit. */
int dues_rate_get(db_t *db, int64_t unit_id, int year, date_t d, int64_t *amount, int64_t *from_unit, bool *found,
		  err_t *e);

/* Records person_id's dues for year, paid on paid_on in the unit she is a
 * member of that day; amount < 0 takes the rate of that unit for the year.
 * Refusals: 409 not_a_member (no stay on paid_on), 409 dues_paid (year:
 * paid already), 422 with a detail on "amount" no_rate (none given, none
 * set). Audited as dues.pay. */
int dues_pay(db_t *db, const principal_t *who, int64_t person_id, int year, int64_t amount, date_t paid_on,
	     err_t *e);

/* Her payments, newest year first, into *out (malloc'd), *n. */
int dues_list(db_t *db, int64_t person_id, dues_payment_t **out, size_t *n, err_t *e);

/* Records that who read the sensitive data of member `id` (a unit_id of
 * her unit): action member.sensitive_read, naming the fields. */
int member_audit_read(db_t *db, const principal_t *who, int64_t unit_id, const char *id, err_t *e);

#endif
