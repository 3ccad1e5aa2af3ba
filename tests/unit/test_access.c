/* Unit tests of core/access: which roles cover which, what an admin may
 * give, whom she may manage (issue 13, finding 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/access.h"

static void roles_within_follow_the_permissions(void **state)
{
	(void)state;
	assert_true(roles_within(ROLE_VIEWER, ROLE_ADMIN));
	assert_true(roles_within(ROLE_VIEWER | ROLE_ENTRY, ROLE_ADMIN));
	assert_false(roles_within(ROLE_ADMIN, ROLE_VIEWER));
	assert_false(roles_within(ROLE_MEMBER, ROLE_ADMIN));
	assert_true(roles_within(ROLE_MEMBER, ROLE_MEMBER | ROLE_VIEWER));
}

static void an_admin_gives_what_she_holds_or_member_alone(void **state)
{
	(void)state;
	assert_true(roles_grantable(ROLE_VIEWER, ROLE_ADMIN));
	assert_true(roles_grantable(ROLE_ADMIN, ROLE_ADMIN));
	assert_true(roles_grantable(ROLE_MEMBER, ROLE_ADMIN));
	/* the finding: admin and member from an admin who is not a member */
	assert_false(roles_grantable(ROLE_ADMIN | ROLE_MEMBER, ROLE_ADMIN));
	assert_true(roles_grantable(ROLE_ADMIN | ROLE_MEMBER, ROLE_ADMIN | ROLE_MEMBER));
	assert_false(roles_grantable(ROLE_APPROVER, ROLE_VIEWER | ROLE_ENTRY));
	assert_false(roles_grantable(0, ROLE_ADMIN));
	assert_false(roles_grantable(1u << 9, ROLE_ADMIN));
}

static void an_admin_of_her_own_unit_is_managed_from_above(void **state)
{
	(void)state;
	assert_false(user_manageable(7, 7, ROLE_ADMIN));
	assert_false(user_manageable(7, 7, ROLE_ADMIN | ROLE_VIEWER));
	assert_true(user_manageable(7, 7, ROLE_VIEWER | ROLE_ENTRY));
	assert_true(user_manageable(7, 8, ROLE_ADMIN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_within_follow_the_permissions),
		cmocka_unit_test(an_admin_gives_what_she_holds_or_member_alone),
		cmocka_unit_test(an_admin_of_her_own_unit_is_managed_from_above),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
