/*
 * access.c - the permission matrix (see access.h and docs/security.md).
 */
#include "core/access.h"

#include <stdio.h>
#include <string.h>

static const char *const ROLE_NAMES[] = { "viewer", "entry", "approver", "admin", "member" };

/* For each permission, the roles that grant it. */
static const unsigned MATRIX[PERM_COUNT] = {
	[PERM_UNIT_READ] = ROLE_VIEWER | ROLE_ENTRY | ROLE_APPROVER | ROLE_ADMIN,
	[PERM_UNIT_REORGANISE] = ROLE_ADMIN,
	[PERM_USER_READ] = ROLE_ADMIN,
	[PERM_USER_MANAGE] = ROLE_ADMIN,
	[PERM_AUDIT_READ] = ROLE_ADMIN,
	[PERM_SENSITIVE_READ] = ROLE_ENTRY | ROLE_APPROVER | ROLE_ADMIN,
	[PERM_RECORD_WRITE] = ROLE_ENTRY | ROLE_APPROVER | ROLE_ADMIN,
	[PERM_REPORT_APPROVE] = ROLE_APPROVER | ROLE_ADMIN,
	[PERM_RECORD_READ] = ROLE_VIEWER | ROLE_ENTRY | ROLE_APPROVER | ROLE_ADMIN,
	[PERM_CARD_KEYS] = ROLE_ADMIN,
};

static const char *const PERM_NAMES[PERM_COUNT] = {
	[PERM_UNIT_READ] = "unit.read",
	[PERM_UNIT_REORGANISE] = "unit.reorganise",
	[PERM_USER_READ] = "user.read",
	[PERM_USER_MANAGE] = "user.manage",
	[PERM_AUDIT_READ] = "audit.read",
	[PERM_SENSITIVE_READ] = "sensitive.read",
	[PERM_RECORD_WRITE] = "record.write",
	[PERM_REPORT_APPROVE] = "report.approve",
	[PERM_RECORD_READ] = "record.read",
	[PERM_CARD_KEYS] = "card.keys",
};

void principal_system(principal_t *p, const char *name, date_t today)
{
	memset(p, 0, sizeof(*p));
	p->today = today;
	snprintf(p->username, sizeof(p->username), "%s", name);
	p->roles = ROLE_VIEWER | ROLE_ENTRY | ROLE_APPROVER | ROLE_ADMIN;
	p->global = true;
}

bool access_allows(unsigned roles, perm_t p)
{
	if ((int)p < 0 || p >= PERM_COUNT)
		return false;
	return (roles & MATRIX[p]) != 0;
}

bool roles_within(unsigned want, unsigned have)
{
	if ((want & ROLE_MEMBER) && !(have & ROLE_MEMBER))
		return false;
	for (int p = 0; p < PERM_COUNT; p++)
		if (access_allows(want, (perm_t)p) && !access_allows(have, (perm_t)p))
			return false;
	return true;
}

unsigned roles_covered(unsigned want, unsigned have)
{
	unsigned out = 0;

	for (unsigned bit = 1; bit <= ROLE_MEMBER; bit <<= 1)
		if ((want & bit) && roles_within(bit, have))
			out |= bit;
	return out;
}

bool roles_grantable(unsigned want, unsigned have)
{
	if (!want || (want & ~(unsigned)ROLE_ALL))
		return false;
	return want == ROLE_MEMBER || roles_within(want, have);
}

bool user_manageable(int64_t caller_unit, int64_t target_unit, unsigned target_roles)
{
	return caller_unit != target_unit || !(target_roles & ROLE_ADMIN);
}

int role_parse(const char *word, role_t *out)
{
	for (size_t i = 0; i < sizeof(ROLE_NAMES) / sizeof(ROLE_NAMES[0]); i++)
		if (strcmp(word, ROLE_NAMES[i]) == 0) {
			*out = (role_t)(1u << i);
			return 0;
		}
	return -1;
}

const char *role_name(role_t r)
{
	for (size_t i = 0; i < sizeof(ROLE_NAMES) / sizeof(ROLE_NAMES[0]); i++)
		if ((unsigned)r == 1u << i)
			return ROLE_NAMES[i];
	return "unknown";
}

int roles_parse(const char *list, unsigned *mask, const char *field, err_t *e)
{
	const char *p = list;

	*mask = 0;
	while (*p) {
		char word[16];
		size_t len;
		role_t r;
		while (*p == ' ' || *p == ',')
			p++;
		len = strcspn(p, " ,");
		if (len == 0)
			break;
		memcpy(word, p, len < sizeof(word) ? len : sizeof(word) - 1);
		word[len < sizeof(word) ? len : sizeof(word) - 1] = '\0';
		if (len >= sizeof(word) || role_parse(word, &r) != 0)
			return err_field(e, field, "not_one_of", "has an unknown role '{value}' (use {allowed})",
					 ERR_STR("value", word), ERR_STR("allowed", ROLE_LIST));
		*mask |= (unsigned)r;
		p += len;
	}
	if (!*mask)
		return err_field(e, field, "required", "needs at least one role");
	return 0;
}

void roles_format(unsigned mask, char *buf, size_t cap)
{
	size_t len = 0;

	if (cap)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(ROLE_NAMES) / sizeof(ROLE_NAMES[0]); i++)
		if (mask & (1u << i)) {
			int n = snprintf(buf + len, cap - len, "%s%s", len ? " " : "", ROLE_NAMES[i]);
			if (n < 0 || (size_t)n >= cap - len)
				return;
			len += (size_t)n;
		}
}

const char *perm_name(perm_t p)
{
	if ((int)p < 0 || p >= PERM_COUNT)
		return "unknown";
	return PERM_NAMES[p];
}

void access_mask(const char *value, char *buf, size_t cap)
{
	size_t n = strlen(value), keep = n > 4 ? 4 : 0, i;

	if (cap == 0)
		return;
	for (i = 0; i < n - keep && i + 1 < cap; i++)
		buf[i] = '*';
	for (size_t k = 0; k < keep && i + 1 < cap; k++, i++)
		buf[i] = value[n - keep + k];
	buf[i] = '\0';
}
