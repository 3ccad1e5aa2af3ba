/*
 * cli.h - what the subcommands share: opening the database named by --db or
 * UNIONBASE_DB, reporting an error in one line, printing JSON.
 */
#ifndef UB_CLI_H
#define UB_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "core/access.h"
#include "core/err.h"
#include "store/db.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1   /* the operation was refused or failed */
#define CLI_EXIT_USAGE 2  /* the command line is wrong */

/* Opens the database (url NULL: UNIONBASE_DB) and checks its schema.
 * Returns NULL after printing the reason. The caller closes it. */
db_t *cli_open_db(const char *url);

/* Prints "unionbase: <message>" (and details) to stderr; returns the exit
 * code that goes with e (usage errors and refusals alike give 1). */
int cli_fail(const err_t *e);

/* A whole number from min to max (decimal, nothing else) in *out; -1 if
 * text is not one. */
int cli_number(const char *text, long min, long max, int *out);

/* Prints a usage error and returns CLI_EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The command line's identity in the audit trail: "cli:<login name>",
 * with every right (whoever can open the database has them anyway), and
 * the command's today: the one place a command reads the clock. */
void cli_principal(principal_t *who);

/* Prints s to stdout and pads it with spaces to `columns` terminal columns
 * (by display width, as utf8proc counts it: "Nguyễn" is 6 columns, not its
 * 9 bytes), at least one space. */
void cli_print_padded(const char *s, size_t columns);

/* Prints j (pretty, UTF-8) to stdout and releases it. Returns 0, or 1 if j
 * is NULL. */
int cli_print_json(json_t *j);

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_units(int argc, char **argv);
int cmd_members(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_report_form(int argc, char **argv);    /* argv[0]: form, enter, submit, ... */
bool cmd_report_is_form_step(const char *s);
int cmd_indicators(int argc, char **argv);
int cmd_targets(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_copy(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_card(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);

#endif
