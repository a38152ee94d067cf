/*
 * json_tape.h - a strict JSON reader into one flat array of nodes, kept
 * and reused from one document to the next.
 *
 * JsonConverter reads every consumed record, and a tree of separately
 * allocated nodes (jansson's) cost a sink more than all the rest of its
 * work.  Here a document is one array of nodes in document order, its
 * strings unescaped into one text buffer, both grown once and reused: a
 * parse allocates nothing after the first few.
 *
 * It accepts exactly what jansson's json_loadb accepts with JSON_DECODE_ANY
 * and JSON_ALLOW_NUL (RFC 8259, any value at the top, \u0000 in strings but
 * not in keys, integers that fit int64_t, finite reals, well-formed UTF-8,
 * at most 2048 levels), so replacing one with the other changes no
 * record's fate; tests/unit/test_json_tape.c holds the two side by side.
 * One quirk is not copied: jansson skips a NUL byte right after a number
 * ("[1\0]" reads as [1]); here, as in Jackson, it is an error.
 *
 * A node's subtree is the nodes after it up to its `end`: an array's items
 * follow it, each ending where the next begins; an object's members follow
 * it as key (a string node) then value.
 */
#ifndef CONNECTD_JSON_TAPE_H
#define CONNECTD_JSON_TAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* jansson's JSON_PARSER_MAX_DEPTH: a value nested deeper fails. */
#define JSON_TAPE_MAX_DEPTH 2048

typedef enum json_tape_type {
    JSON_TAPE_NULL,
    JSON_TAPE_FALSE,
    JSON_TAPE_TRUE,
    JSON_TAPE_INTEGER,
    JSON_TAPE_REAL,
    JSON_TAPE_STRING,
    JSON_TAPE_ARRAY,
    JSON_TAPE_OBJECT,
} json_tape_type_t;

/* An object with some key more than once.  Like jansson and Jackson, the
 * object then holds the key once, at its first place, with its last value
 * (json_tape_member finds that one). */
#define JSON_TAPE_DUPLICATE_KEYS 0x1

typedef struct json_tape_node {
    uint8_t type; /* json_tape_type_t */
    uint8_t flags;
    uint32_t count;              /* STRING: bytes; ARRAY: items; OBJECT: members */
    uint32_t end;                /* the index of the first node after this one's subtree */
    uint32_t src_begin, src_end; /* its bytes in the document */
    union {
        int64_t i;     /* INTEGER */
        double f;      /* REAL */
        const char *s; /* STRING: NUL-terminated (and may hold NULs), in the tape's text */
    } u;
} json_tape_node_t;

typedef struct json_tape {
    json_tape_node_t *nodes; /* nodes[0] is the document's value */
    size_t n_nodes, cap_nodes;
    char *text;
    size_t cap_text;
    /* Why the last parse failed, with jansson's words where it has them and
     * the line and (byte) column. */
    char error[192];
} json_tape_t;

void json_tape_init(json_tape_t *tape);
void json_tape_free(json_tape_t *tape);

/* Reads the document json[0..len); false with tape->error when it is not
 * one.  Nodes and strings stay valid until the next parse. */
bool json_tape_parse(json_tape_t *tape, const char *json, size_t len);

/* The value of an object's member `key` (its last, for a key given twice),
 * or NULL.  A struct's fields usually come in the order they were written,
 * so the search starts at *hint (a node index, 0 for the first member) and
 * leaves there the member after the one found. */
const json_tape_node_t *json_tape_member(const json_tape_t *tape, const json_tape_node_t *object, const char *key,
                                         size_t key_len, uint32_t *hint);

/* The node after `node`'s subtree: its next sibling, when it has one. */
static inline const json_tape_node_t *json_tape_next(const json_tape_t *tape, const json_tape_node_t *node)
{
    return &tape->nodes[node->end];
}

#endif
