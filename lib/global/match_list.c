/*
 * match_list - Postfix's name, domain and network lists; see match_list.h.
 *
 * A list is parsed once into an array of elements; matching walks it in
 * order.  Names are stored lower case and compared against a lower-cased
 * copy of the subject.  Addresses are stored in network byte order with
 * their prefix length, so a match is a byte compare plus one masked byte.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "argv.h"
#include "dict.h"
#include "mail_params.h"
#include "maps.h"
#include "match_list.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"
#include "vstring.h"

#define MATCH_LIST_FILE_DEPTH 10 /* /file naming /file ... */

typedef enum { MATCH_ELEM_NAME, MATCH_ELEM_TABLE, MATCH_ELEM_NET } MATCH_ELEM_KIND;

typedef struct MATCH_ELEM {
    MATCH_ELEM_KIND kind;
    int negate;
    char *name; /* lower-case name, or the table spec */
    DICT *dict; /* MATCH_ELEM_TABLE */
    int family; /* MATCH_ELEM_NET: AF_INET or AF_INET6 */
    unsigned char addr[16];
    int bits;
} MATCH_ELEM;

struct MATCH_LIST {
    char *title;
    int flags;
    size_t count;
    size_t size;
    MATCH_ELEM *elems;
};

static void match_list_add(MATCH_LIST *list, const char *elem, int negate, int depth);

/* "/file/name": every word in the file is an element. */
static void match_list_add_file(MATCH_LIST *list, const char *path, int negate, int depth)
{
    FILE *fp;
    char line[4096];

    if (depth > MATCH_LIST_FILE_DEPTH)
        msg_fatal("%s: file %s: files nested too deeply", list->title, path);
    if ((fp = fopen(path, "r")) == 0)
        msg_fatal("%s: open file %s: %m", list->title, path);
    while (fgets(line, sizeof(line), fp) != 0) {
        char *cp = strchr(line, '#');
        ARGV *words;

        if (cp)
            *cp = 0;
        words = argv_split_list(line);
        for (size_t i = 0; i < words->argc; i++)
            match_list_add(list, words->argv[i], negate, depth + 1);
        argv_free(words);
    }
    if (ferror(fp))
        msg_fatal("%s: read file %s: %m", list->title, path);
    fclose(fp);
}

/*
 * An address or network element: "a", "[a]", "a/n", "[a]/n".  1 when elem
 * has that form (ep filled in), 0 when it is something else; a network
 * with a bad prefix length or host bits set is fatal.
 */
static int match_list_parse_net(MATCH_LIST *list, const char *elem, MATCH_ELEM *ep)
{
    char buf[INET6_ADDRSTRLEN + 8];
    char *addr = buf;
    char *mask;
    char *end;
    int max_bits;

    if (strlen(elem) >= sizeof(buf))
        return 0;
    strcpy(buf, elem);
    if ((mask = strrchr(buf, '/')) != 0)
        *mask++ = 0;
    if (*addr == '[') {
        if ((end = strchr(++addr, ']')) == 0 || end[1] != 0)
            return 0;
        *end = 0;
    }
    if (inet_pton(AF_INET, addr, ep->addr) == 1) {
        ep->family = AF_INET;
        max_bits = 32;
    } else if (inet_pton(AF_INET6, addr, ep->addr) == 1) {
        ep->family = AF_INET6;
        max_bits = 128;
    } else {
        return 0;
    }
    ep->bits = max_bits;
    if (mask) {
        unsigned long n;

        if (!alldig(mask) || !safe_strtoul(mask, &n) || n > (unsigned long)max_bits)
            msg_fatal("%s: bad network mask in \"%s\"", list->title, elem);
        ep->bits = (int)n;
        for (int bit = ep->bits; bit < max_bits; bit++)
            if (ep->addr[bit / 8] & (0x80 >> (bit % 8)))
                msg_fatal("%s: non-null host address bits in \"%s\"", list->title, elem);
    }
    ep->kind = MATCH_ELEM_NET;
    return 1;
}

static void match_list_add(MATCH_LIST *list, const char *elem, int negate, int depth)
{
    MATCH_ELEM elem_buf;

    while (*elem == '!') {
        negate = !negate;
        elem++;
    }
    if (*elem == 0) {
        msg_warn("%s: empty list element ignored", list->title);
        return;
    }
    if (*elem == '/') {
        match_list_add_file(list, elem, negate, depth);
        return;
    }
    memset(&elem_buf, 0, sizeof(elem_buf));
    elem_buf.negate = negate;
    if ((list->flags & MATCH_LIST_ADDR) && match_list_parse_net(list, elem, &elem_buf)) {
        elem_buf.name = mystrdup(elem);
    } else if (maps_is_table(elem)) {
        elem_buf.kind = MATCH_ELEM_TABLE;
        elem_buf.name = mystrdup(elem);
        elem_buf.dict = maps_table_open(elem, DICT_FLAG_DEFAULT);
    } else {
        elem_buf.kind = MATCH_ELEM_NAME;
        elem_buf.name = lowercase(mystrdup(elem));
    }
    if (list->count == list->size) {
        list->size = list->size ? 2 * list->size : 4;
        list->elems = myrealloc_array(list->elems, list->size, sizeof(*list->elems));
    }
    list->elems[list->count++] = elem_buf;
}

MATCH_LIST *match_list_create(const char *title, const char *spec, int flags)
{
    MATCH_LIST *list = mycalloc(1, sizeof(*list));
    ARGV *elems = argv_split_list(spec ? spec : "");

    list->title = mystrdup(title);
    list->flags = flags;
    for (size_t i = 0; i < elems->argc; i++)
        match_list_add(list, elems->argv[i], 0, 0);
    argv_free(elems);
    return list;
}

/* One table lookup: 1 found, 0 not, -1 failed (logged). */
static int match_list_lookup(MATCH_LIST *list, DICT *dict, const char *key)
{
    const char *value;
    int status = dict_get(dict, key, &value);

    if (status == DICT_STAT_FOUND)
        return 1;
    if (status == DICT_STAT_FAIL) {
        msg_warn("%s: %s:%s: table lookup problem for \"%s\": %s", list->title, dict->type,
                 dict->name, key, dict_errtext(dict));
        return -1;
    }
    return 0;
}

/* Does a name or table element match name (lower case)?  1, 0, or -1. */
static int match_list_name(MATCH_LIST *list, const MATCH_ELEM *ep, const char *name)
{
    int host = list->flags & MATCH_LIST_HOST;
    int parent = list->flags & MATCH_LIST_PARENT;
    size_t nlen = strlen(name);
    size_t plen;

    if (ep->kind == MATCH_ELEM_TABLE) {
        int rc = match_list_lookup(list, ep->dict, name);

        if (rc != 0 || !host)
            return rc;
        /* Parent domains: "sub.example.com" asks "example.com" or ".example.com". */
        for (const char *dot = strchr(name + 1, '.'); dot; dot = strchr(dot + 1, '.')) {
            if ((rc = match_list_lookup(list, ep->dict, parent ? dot + 1 : dot)) != 0)
                return rc;
        }
        return 0;
    }
    if (ep->kind != MATCH_ELEM_NAME)
        return 0;
    if (strcmp(ep->name, name) == 0)
        return 1;
    if (!host)
        return 0;
    plen = strlen(ep->name);
    if (parent) {
        /* "example.com" matches "x.example.com" (a whole label before it). */
        return nlen > plen && name[nlen - plen - 1] == '.' &&
               strcmp(name + nlen - plen, ep->name) == 0;
    }
    /* ".example.com" matches "x.example.com", not "example.com". */
    return ep->name[0] == '.' && nlen > plen && strcmp(name + nlen - plen, ep->name) == 0;
}

/* Does a network element contain the address? */
static int match_list_net(const MATCH_ELEM *ep, int family, const unsigned char *addr)
{
    int bits = ep->bits;
    int i;

    if (family != ep->family)
        return 0;
    for (i = 0; bits >= 8; i++, bits -= 8)
        if (addr[i] != ep->addr[i])
            return 0;
    return bits == 0 || ((addr[i] ^ ep->addr[i]) & (0xff << (8 - bits)) & 0xff) == 0;
}

int match_list_match_host(MATCH_LIST *list, const char *name, const char *addr)
{
    unsigned char abuf[16];
    int family = 0;
    char *lname = 0;
    int result = 0;

    if (name && *name && strcmp(name, "unknown") != 0)
        lname = lowercase(mystrdup(name));
    if (addr) {
        if (inet_pton(AF_INET, addr, abuf) == 1)
            family = AF_INET;
        else if (inet_pton(AF_INET6, addr, abuf) == 1)
            family = AF_INET6;
    }
    for (size_t i = 0; i < list->count; i++) {
        const MATCH_ELEM *ep = list->elems + i;
        int rc = 0;

        if (ep->kind == MATCH_ELEM_NET)
            rc = family != 0 && match_list_net(ep, family, abuf);
        else if (lname)
            rc = match_list_name(list, ep, lname);
        if (rc == 0 && ep->kind == MATCH_ELEM_TABLE && addr && *addr)
            rc = match_list_lookup(list, ep->dict, addr);
        if (rc != 0) {
            result = rc < 0 ? MATCH_LIST_FAIL : !ep->negate;
            break;
        }
    }
    if (lname)
        myfree(lname);
    return result;
}

int match_list_match(MATCH_LIST *list, const char *name)
{
    char *lname = lowercase(mystrdup(name));
    int result = 0;

    for (size_t i = 0; i < list->count; i++) {
        int rc = match_list_name(list, list->elems + i, lname);

        if (rc != 0) {
            result = rc < 0 ? MATCH_LIST_FAIL : !list->elems[i].negate;
            break;
        }
    }
    myfree(lname);
    return result;
}

int match_list_empty(const MATCH_LIST *list)
{
    return list->count == 0;
}

void match_list_free(MATCH_LIST *list)
{
    /* Tables stay in the maps_table_open() cache. */
    for (size_t i = 0; i < list->count; i++)
        myfree(list->elems[i].name);
    myfree(list->elems);
    myfree(list->title);
    myfree(list);
}

int match_list_parent_style(const char *param)
{
    ARGV *names = argv_split_list(var_parent_domain_matches_subdomains);
    int found = 0;

    for (size_t i = 0; i < names->argc && !found; i++)
        found = strcmp(names->argv[i], param) == 0;
    argv_free(names);
    return found;
}
