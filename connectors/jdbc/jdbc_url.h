/*
 * jdbc_url.h - a JDBC connection URL read as libpq connection keywords.
 *
 * Only PostgreSQL's URLs (pgJDBC's grammar) are read:
 *
 *   jdbc:postgresql://host[:port][,host2[:port2]...]/database?prop=value&...
 *   jdbc:postgresql://[::1]:5432/db          an IPv6 address in brackets
 *   jdbc:postgresql:database                 localhost:5432
 *   jdbc:postgresql:/                        localhost:5432, the user's database
 *
 * Percent-escapes in the database and the properties are decoded.  The
 * properties pgJDBC shares with libpq become libpq keywords (user,
 * password, sslmode, ssl=true as verify-full, sslcert, sslkey, sslrootcert,
 * sslpassword, ApplicationName, connectTimeout and loginTimeout,
 * currentSchema and options, targetServerType, tcpKeepAlive, gssEncMode);
 * the others have no meaning for libpq and are listed in `ignored`.  Any
 * other jdbc: URL is refused with a message naming the dialects supported.
 *
 *   jdbc:postgresql://db.example:6432/shop?sslmode=require&currentSchema=sales
 *     -> host=db.example port=6432 dbname=shop sslmode=require
 *        options='-c search_path=sales'
 */
#ifndef CONNECTD_JDBC_URL_H
#define CONNECTD_JDBC_URL_H

#include <stddef.h>

typedef struct jdbc_url {
    /* libpq keywords and their values, NULL-terminated, for PQconnectdbParams */
    char **keys, **values;
    size_t n;
    char *ignored; /* the URL properties libpq has no use for, comma-joined; NULL when none */
} jdbc_url_t;

/* What the URL's first part names, e.g. "mysql" of jdbc:mysql://..., for
 * the message that refuses it. */
#define JDBC_URL_DIALECTS "PostgreSQL (jdbc:postgresql://host[:port]/database)"

/*
 * Reads `url`.  `user` and `password` (connection.user and
 * connection.password; NULL or "" when unset) take the place of the URL's
 * own, as pgJDBC lets the connection properties win over the URL.  NULL
 * after one sentence in errbuf naming connection.url.
 */
jdbc_url_t *jdbc_url_parse(const char *url, const char *user, const char *password, char *errbuf, size_t errlen);
void jdbc_url_free(jdbc_url_t *u); /* NULL is fine */

/* The value of libpq keyword `key`, or NULL; borrowed from u. */
const char *jdbc_url_get(const jdbc_url_t *u, const char *key);

#endif
