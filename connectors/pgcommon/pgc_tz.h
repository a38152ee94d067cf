/*
 * pgc_tz.h - time zones by name, read from the system's tz database, for
 * the settings that name one as Java's ZoneId does (the JDBC connectors'
 * db.timezone): the value of a zone-less timestamp column is a wall-clock
 * time in that zone, so reading it needs the zone's offset at that local
 * time, and writing one the offset at an instant.
 *
 * Names are Java's ZoneId.of() forms: "UTC", "Z", "GMT", "UT"; a fixed
 * offset "+02:00", "-0530", "+2", optionally after "UTC", "GMT" or "UT"
 * ("UTC+01:00"); a region of the tz database ("Europe/Paris"), read from
 * $TZDIR or /usr/share/zoneinfo (TZif files, their POSIX TZ footer used
 * past the last transition); and Java's three-letter SHORT_IDS ("PST",
 * "EST"), as JdbcSourceConnectorConfig falls back to them.
 *
 * Local times that a transition skips or repeats resolve as java.time
 * does (ZonedDateTime.ofLocal): in a gap the time moves later by the
 * gap's length; in an overlap the earlier instant wins.
 *
 * A zone is immutable once loaded: any thread may use it.
 */
#ifndef CONNECTD_PGC_TZ_H
#define CONNECTD_PGC_TZ_H

#include <stddef.h>
#include <stdint.h>

typedef struct pgc_tz pgc_tz_t;

/* Loads zone `name`; NULL after one sentence in errbuf (the setting's
 * name is the caller's to add). */
pgc_tz_t *pgc_tz_load(const char *name, char *errbuf, size_t errlen);
void pgc_tz_free(pgc_tz_t *tz);              /* NULL is fine */
const char *pgc_tz_name(const pgc_tz_t *tz); /* as given; borrowed */
/* Whether the zone is UTC or a fixed offset of 0, so callers may skip the
 * arithmetic. */
int pgc_tz_is_utc(const pgc_tz_t *tz);

/* The zone's offset from UTC, in seconds east, at instant `utc` (seconds
 * since the epoch). */
int32_t pgc_tz_offset_at(const pgc_tz_t *tz, int64_t utc);
/* The instant (seconds since the epoch) of wall-clock time `local`
 * (seconds since 1970-01-01 00:00 of the zone's calendar). */
int64_t pgc_tz_local_to_utc(const pgc_tz_t *tz, int64_t local);

#endif
