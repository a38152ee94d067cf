/*
 * java_regex.h - java.util.regex as RegexRouter and TopicNameMatches use
 * it (Pattern.matcher(topic).matches(), then replaceFirst), on top of
 * POSIX extended regular expressions (regcomp), the closest thing libc has.
 *
 *   java_regex_t *re = java_regex_compile("(.*)-(.*)", errstr, sizeof(errstr));
 *   java_regex_matches(re, "a-b")                        -> true
 *   java_regex_replace(re, "a-b", "$2", &out, ...)       -> 1, out = "b"
 *
 * The Java pattern is translated to ERE and compiled as ^(...)$, so a match
 * is always of the whole topic, as matches() requires.  Translated: \d \D
 * \w \W \s \S (ASCII, as Java's defaults), the same inside [...], \t \n \r
 * \f \e \a \xhh \uhhhh, \Q...\E, escaped punctuation, \A \z \Z, (?:...),
 * named groups (?<name>...) (and ${name} in replacements), a leading (?i),
 * back-references \1..\9.  Refused with an error naming the construct:
 * lazy (*?) and possessive (*+) quantifiers, lookaround, atomic groups,
 * inline flags other than a leading (?i), \p{...}, class intersection and
 * nesting ([a-z&&[^b]]).
 *
 * Known differences that remain: ERE picks the leftmost-longest match where
 * Java backtracks in order, so alternations whose first branch is a prefix
 * of a later one can capture different groups (Java's (a|ab)(c|bcd) on
 * "abcd" gives groups "a","bcd"; ERE may give "ab","cd"), and replaceFirst
 * here always replaces the whole topic where Java's replaceFirst searches
 * again and may stop at a shorter first match; \b and \B rely on glibc's
 * extension; '.' also matches a line terminator (topics have none).
 */
#ifndef CONNECTD_TRANSFORMS_JAVA_REGEX_H
#define CONNECTD_TRANSFORMS_JAVA_REGEX_H

#include <stdbool.h>
#include <stddef.h>

typedef struct java_regex java_regex_t;

/* NULL with errstr (regerror's text, or the construct we refuse) when the
 * pattern does not compile. */
java_regex_t *java_regex_compile(const char *pattern, char *errstr, size_t errstr_size);
void java_regex_free(java_regex_t *re); /* NULL is fine */

/* Matcher.matches(): whether the whole text matches. */
bool java_regex_matches(const java_regex_t *re, const char *text);

/* matches() and then replaceFirst(replacement) with Java's replacement
 * syntax ($n, ${name}, \x for a literal x): 1 with *out a malloc'd
 * result, 0 when the text does not match, -1 with errstr in Java's words
 * ("No group 3", "Illegal group reference") for a bad replacement. */
int java_regex_replace(const java_regex_t *re, const char *text, const char *replacement, char **out,
                       char *errstr, size_t errstr_size);

/* A config validator for regex settings (cd_config_def_t.validate):
 * Kafka's RegexValidator message "Invalid regex: ...". */
int java_regex_validate(const char *value, char *errbuf, size_t errlen);

#endif
