/* an_report: what `refugesim report` makes from a results file alone:
 * text tables, CSV files and (through an_plot.h) plots.
 * Reads only the file; never prints except to the FILE* it is given. */
#ifndef AN_REPORT_H
#define AN_REPORT_H

#include <stdio.h>
#include "an_h5.h"
#include "an_summary.h"

/* Summaries of every point of f (free with an_report_free_points). */
int an_report_load(an_h5_file *f, an_point_summary **pts, size_t *n_pts);
void an_report_free_points(an_point_summary *pts, size_t n_pts);

/* Overall, per-service and per-group tables.  Up to AN_REPORT_COLUMNS
 * points side by side in the overall table, more one row a point. */
#define AN_REPORT_COLUMNS 6
void an_report_print(FILE *out, const an_h5_info *info, const an_point_summary *pts, size_t n_pts);

/* Writes into dir (which must exist): points.csv, summary.csv,
 * replications.csv, outcomes.csv, services.csv, groups.csv, monthly.csv.
 * Every file but points.csv starts with the columns point,<varied keys>.
 * Comma-separated, header row, '.' decimals, empty cell = not available. */
int an_report_csv(an_h5_file *f, const char *dir);

/* A varied key in words and units, for a person: "spaces" is "Refuge
 * spaces (all services)", "extra[NAME]" "Units added to NAME",
 * "services[i].units" "Units of <service i's name>", known scenario keys
 * their wording ("Referrals per year", "Mean move-on delay (days)"), any
 * other key "<key> (scenario key)".  ps (NULL: no service names) gives
 * the service names.  Always NUL-terminated. */
void an_report_key_label(char *buf, size_t size, const char *key, const an_point_summary *ps);
/* One value of a varied key as a phrase, for a column heading or a
 * legend: "150 referrals a year", "40% with a pet", "mean stay 20 days
 * at Juno House", "12 units of Juno House", "40 spaces"; any other key
 * "<key> <value>".  Lower case but for names: the caller capitalises a
 * phrase that starts a heading. */
void an_report_key_value(char *buf, size_t size, const char *key, double v, const an_point_summary *ps);
/* Point i's column heading for a person: its stored label, unless that
 * is the key=value kind a sweep over keys other than units stores
 * ("per_year=150, mean=20"), which becomes the phrases of its varied
 * keys joined: "150 referrals a year, mean stay 20 days" (values in as
 * many digits as tell them apart); the label again when the phrases would
 * not fit size.  ps is point i's summary (its label, service names; NULL:
 * the file's label).  An optimise file's points are "Step 0", "Step 1",
 * ... (its path).  The tidy CSV keeps the stored labels and keys (for
 * programs).  With size AN_REPORT_HEADING_MAX nothing is ever cut. */
#define AN_REPORT_HEADING_MAX (2 * AN_LABEL_MAX)
void an_report_point_heading(char *buf, size_t size, an_h5_file *f, size_t i, const an_point_summary *ps);
/* The scenario's name (its top-level `name` in /scenario, read as YAML:
 * quotes and escapes decoded), "" when absent; buf is NUL-terminated, cut
 * at a character boundary.  The text is as the scenario gave it: control
 * characters and all, for the writers' sim_text to escape. */
void an_report_scenario_name(an_h5_file *f, char *buf, size_t size);
/* The same from YAML text (NULL or not YAML: ""). */
void an_scenario_name(const char *yaml, char *buf, size_t size);

/* The printed tables as wide CSV, for spreadsheets, into dir (which must
 * exist): measures_wide.csv (a row per measure), services_wide.csv (a row
 * per service and measure), groups_wide.csv (a row per household group and
 * measure); after the words and the unit, three columns per point: its
 * estimate, the 95% interval's low and high end (shares in percent).
 * Headings and names in words (the points' an_report_point_heading; f
 * NULL: their stored labels); every string through SIM_TEXT_CSV. */
int an_report_csv_wide(an_h5_file *f, const char *dir, const an_point_summary *pts, size_t n_pts);

/* fopen(dir/name, "w"); NULL on failure (errno set). */
FILE *an_report_fopen(const char *dir, const char *name);
/* fclose o, turning a write or close error into SIM_EIO; an earlier status
 * st wins.  o NULL returns st. */
int an_report_fclose(FILE *o, int st);

#endif
