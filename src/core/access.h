/*
 * access.h - who may do what: roles, permissions and the masking of
 * sensitive values. The permission matrix lives here, in one table, and is
 * documented in docs/security.md; every handler asks access_allows() and the
 * store decides scope (which units a caller's unit covers).
 *
 * A user belongs to one unit and holds roles there; each role applies to
 * that unit's subtree. An `admin` at the root unit (VN) is the system admin.
 * A `member` account sees only her own record and card, through the
 * member record her account is linked to (principal_t.person_id).
 */
#ifndef UB_ACCESS_H
#define UB_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"

typedef enum role {
	ROLE_VIEWER = 1 << 0,
	ROLE_ENTRY = 1 << 1,
	ROLE_APPROVER = 1 << 2,
	ROLE_ADMIN = 1 << 3,
	ROLE_MEMBER = 1 << 4,
} role_t;

#define ROLE_ALL (ROLE_VIEWER | ROLE_ENTRY | ROLE_APPROVER | ROLE_ADMIN | ROLE_MEMBER)
/* The role names, as error parameter "allowed". */
#define ROLE_LIST "viewer, entry, approver, admin, member"

typedef enum perm {
	PERM_UNIT_READ,       /* the tree, its history and lineage, in scope */
	PERM_UNIT_REORGANISE, /* create, rename, move, merge, split, close */
	PERM_USER_READ,       /* users of units in scope */
	PERM_USER_MANAGE,     /* add, disable, reset users in scope */
	PERM_AUDIT_READ,      /* the audit trail of units in scope */
	PERM_SENSITIVE_READ,  /* ethnicity, religion, ID numbers unmasked */
	PERM_RECORD_WRITE,    /* member records and figures (data entry) */
	PERM_REPORT_APPROVE,  /* approve and lock reports */
	PERM_RECORD_READ,     /* member records in scope (sensitive fields masked without sensitive.read) */
	PERM_CARD_KEYS,       /* rotate the key membership cards are signed with (and at the root only) */
	PERM_COUNT
} perm_t;

#define PRINCIPAL_MAX_ROOTS 32

/* Who is asking: a user through a session or an API token, or the program
 * itself (init, the command line). Plain data, no heap. */
typedef struct principal {
	int64_t user_id;          /* 0 for the program itself */
	char username[64];        /* "cli:root", "init" for the program */
	int64_t unit_id;          /* the user's unit */
	date_t today;             /* the day of the request or command, read once at the edge */
	unsigned roles;           /* role mask at that unit */
	int64_t token_id;         /* set when authenticated by an API token */
	int64_t session_ok;       /* 1 when authenticated by a session cookie */
	char client_addr[64];
	bool global;              /* the whole tree is in scope */
	int64_t roots[PRINCIPAL_MAX_ROOTS]; /* scope: the unit and its predecessors */
	size_t n_roots;
	int64_t person_id;        /* her own member record (users.person_id), 0 for none */
	int64_t org_version;      /* the tree's version her scope was read at; 0 unknown (store/org_store.h) */
} principal_t;

/* The program itself, with every right (init, the command line: whoever can
 * open the database file or connect to the server has them anyway), acting
 * on day today. */
void principal_system(principal_t *p, const char *name, date_t today);

/* True when any of the roles grants p. */
bool access_allows(unsigned roles, perm_t p);

/* True when every permission `want` grants is granted by `have` too (an
 * admin may hand a viewer's rights to a token). The member role stands for
 * one's own record and is covered only by itself. */
bool roles_within(unsigned want, unsigned have);

/* The roles of `want` that `have` covers, one by one. */
unsigned roles_covered(unsigned want, unsigned have);

/* True when an admin holding `have` may give a user the roles `want`: the
 * ones her roles cover, or member alone (a member's own account reaches
 * only her own record, so it gives away nothing). */
bool roles_grantable(unsigned want, unsigned have);

/* True when an admin at unit caller_unit may create, disable, enable or
 * erase a user of her scope at target_unit holding target_roles: an admin
 * of her own unit (like herself) is managed from the unit above, so that
 * two admins of one unit cannot shut each other out. */
bool user_manageable(int64_t caller_unit, int64_t target_unit, unsigned target_roles);

/* "viewer" -> ROLE_VIEWER ... Returns 0, or -1 for an unknown word. */
int role_parse(const char *word, role_t *out);
const char *role_name(role_t r);

/* Parses a space- or comma-separated role list into a mask. Returns 0 or
 * -1 with an ERR_INVALID detail on `field`. An empty list is refused. */
int roles_parse(const char *list, unsigned *mask, const char *field, err_t *e);

/* Writes the role names of mask, space-separated, into buf. */
void roles_format(unsigned mask, char *buf, size_t cap);

/* The permission's name as documented ("unit.read"). */
const char *perm_name(perm_t p);

/* Masks all but the last four characters: "012345678901" -> "********8901".
 * Writes into buf (cap bytes). Values of four characters or fewer are
 * masked whole. */
void access_mask(const char *value, char *buf, size_t cap);

#endif
