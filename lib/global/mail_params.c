/*
 * mail_params - the parameter registry, its variables, and binding them.
 *
 * The rows live in params_*.def (see mail_params.h); this file expands them
 * twice: once into the var_* definitions, once into mail_param_table[].
 * mail_params_init() then converts every parameter's effective value (from
 * mail_conf_eval, i.e. main.cf, -o overrides or the default, expanded) to its
 * C type, checks its bounds, and stores it.
 *
 * Computed defaults follow Postfix: myhostname is gethostname(), with
 * ".$mydomain" appended when it has no dot; mydomain is myhostname without
 * its first label, or "localdomain"; mynetworks lists the networks of the
 * machine's interfaces per mynetworks_style (host, subnet, class) and
 * inet_protocols; process_id and process_name describe this process.
 *
 * What can go wrong: a bad value is fatal (msg_fatal, Postfix's wording).  A
 * failing getifaddrs() leaves mynetworks at the loopback networks, with a
 * warning.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "argv.h"
#include "htable.h"
#include "mail_conf.h"
#include "mail_params.h"
#include "msg.h"
#include "mymalloc.h"
#include "stringops.h"
#include "vstring.h"

/* The variables. */
#define PARAM_STR(n, d, mn, mx)      char *var_##n;
#define PARAM_STR_FN(n, f, mn, mx)   char *var_##n;
#define PARAM_STR_V(c, n, d, mn, mx) char *var_##c;
#define PARAM_RAW(n, d, mn, mx)      char *var_##n;
#define PARAM_LIST(n, d)             char *var_##n;
#define PARAM_INT(n, d, mn, mx)      int var_##n;
#define PARAM_LONG(n, d, mn, mx)     long var_##n;
#define PARAM_SIZE(n, d, mn, mx)     long var_##n;
#define PARAM_BOOL(n, d)             int var_##n;
#define PARAM_TIME(n, d, mn, mx)     int var_##n;
#include "params_all.def"
#include "params_undef.h"

/* The table. */
#define PARAM_STR(n, d, mn, mx)      {#n, MAIL_PARAM_STR, d, 0, mn, mx, &var_##n},
#define PARAM_STR_FN(n, f, mn, mx)   {#n, MAIL_PARAM_STR, 0, f, mn, mx, &var_##n},
#define PARAM_STR_V(c, n, d, mn, mx) {n, MAIL_PARAM_STR, d, 0, mn, mx, &var_##c},
#define PARAM_RAW(n, d, mn, mx)      {#n, MAIL_PARAM_RAW, d, 0, mn, mx, &var_##n},
#define PARAM_LIST(n, d)             {#n, MAIL_PARAM_LIST, d, 0, 0, 0, &var_##n},
#define PARAM_INT(n, d, mn, mx)      {#n, MAIL_PARAM_INT, d, 0, mn, mx, &var_##n},
#define PARAM_LONG(n, d, mn, mx)     {#n, MAIL_PARAM_LONG, d, 0, mn, mx, &var_##n},
#define PARAM_SIZE(n, d, mn, mx)     {#n, MAIL_PARAM_SIZE, d, 0, mn, mx, &var_##n},
#define PARAM_BOOL(n, d)             {#n, MAIL_PARAM_BOOL, d, 0, 0, 0, &var_##n},
#define PARAM_TIME(n, d, mn, mx)     {#n, MAIL_PARAM_TIME, d, 0, mn, mx, &var_##n},
const MAIL_PARAM mail_param_table[] = {
#include "params_all.def"
};
#include "params_undef.h"

const size_t mail_param_count = sizeof(mail_param_table) / sizeof(mail_param_table[0]);

/*
 * The name index: open addressing over a power-of-two array of row numbers
 * plus one (0 is an empty slot), at most half full.  Every program binds
 * hundreds of parameters at start; one allocation here instead of a hash
 * entry and a key copy per row keeps that start cheap.
 */
static unsigned *mail_param_index;
static size_t mail_param_index_mask;

/* mail_param_find - look up a registry row by name */
const MAIL_PARAM *mail_param_find(const char *name)
{
    size_t i;
    unsigned row;

    if (mail_param_index == 0) {
        size_t size = 16;

        while (size < 2 * mail_param_count)
            size *= 2;
        mail_param_index = mycalloc(size, sizeof(*mail_param_index));
        mail_param_index_mask = size - 1;
        for (size_t r = 0; r < mail_param_count; r++) {
            for (i = htable_hash(mail_param_table[r].name) & mail_param_index_mask;
                 mail_param_index[i] != 0; i = (i + 1) & mail_param_index_mask)
                if (strcmp(mail_param_table[mail_param_index[i] - 1].name,
                           mail_param_table[r].name) == 0)
                    break; /* a duplicate name: the first row wins, as before */
            if (mail_param_index[i] == 0)
                mail_param_index[i] = (unsigned)r + 1;
        }
    }
    for (i = htable_hash(name) & mail_param_index_mask; (row = mail_param_index[i]) != 0;
         i = (i + 1) & mail_param_index_mask)
        if (strcmp(mail_param_table[row - 1].name, name) == 0)
            return &mail_param_table[row - 1];
    return 0;
}

/* mail_param_default - the raw default text */
const char *mail_param_default(const MAIL_PARAM *p)
{
    return p->defval ? p->defval : p->deffn();
}

/* mail_param_conv_bool - yes/no, either case */
int mail_param_conv_bool(const char *value, long *result)
{
    if (strcasecmp(value, "yes") == 0) {
        *result = 1;
        return 1;
    }
    if (strcasecmp(value, "no") == 0) {
        *result = 0;
        return 1;
    }
    return 0;
}

/* mail_param_conv_time - number with optional unit; 0 on syntax error or overflow */
int mail_param_conv_time(const char *value, int def_unit, long *result)
{
    const char *cp = value;
    long num = 0;
    long mult;
    int unit;

    if (*cp < '0' || *cp > '9')
        return 0;
    for (; *cp >= '0' && *cp <= '9'; cp++) {
        if (__builtin_mul_overflow(num, 10L, &num) || __builtin_add_overflow(num, *cp - '0', &num))
            return 0;
    }
    if (*cp == 0)
        unit = def_unit;
    else if (cp[1] == 0)
        unit = *cp;
    else
        return 0;
    switch (unit) {
    case 'w':
        mult = 7L * 24 * 3600;
        break;
    case 'd':
        mult = 24L * 3600;
        break;
    case 'h':
        mult = 3600;
        break;
    case 'm':
        mult = 60;
        break;
    case 's':
        mult = 1;
        break;
    default:
        return 0;
    }
    if (__builtin_mul_overflow(num, mult, &num) || num > INT_MAX)
        return 0;
    *result = num;
    return 1;
}

/* mail_param_conv_num - a decimal number, optional sign */
static int mail_param_conv_num(const char *value, long lo, long hi, long *result)
{
    const char *cp = value;
    int neg = 0;
    long num = 0;

    if (*cp == '-' || *cp == '+')
        neg = (*cp++ == '-');
    if (*cp < '0' || *cp > '9')
        return 0;
    for (; *cp >= '0' && *cp <= '9'; cp++) {
        if (__builtin_mul_overflow(num, 10L, &num) ||
            (neg ? __builtin_sub_overflow(num, *cp - '0', &num)
                 : __builtin_add_overflow(num, *cp - '0', &num)))
            return 0;
    }
    if (*cp != 0 || num < lo || num > hi)
        return 0;
    *result = num;
    return 1;
}

/* mail_param_time_unit - the default unit: the default's last letter */
static int mail_param_time_unit(const MAIL_PARAM *p)
{
    const char *def = mail_param_default(p);
    size_t len = strlen(def);

    if (len > 0 && strchr("smhdw", def[len - 1]) != 0)
        return def[len - 1];
    return 's';
}

/* mail_param_check - convert and check one expanded value */
const char *mail_param_check(const MAIL_PARAM *p, const char *value, long *result)
{
    static VSTRING *why;
    long num = 0;
    size_t len;

    if (why == 0)
        why = vstring_alloc(100);
    switch (p->type) {
    case MAIL_PARAM_STR:
    case MAIL_PARAM_RAW:
    case MAIL_PARAM_LIST:
        len = strlen(value);
        if (p->min > 0 && len < (size_t)p->min) {
            vstring_sprintf(why, "bad string length %ld < %ld: %s = %s", (long)len, p->min, p->name,
                            value);
            return vstring_str(why);
        }
        if (p->max > 0 && len > (size_t)p->max) {
            vstring_sprintf(why, "bad string length %ld > %ld: %s = %s", (long)len, p->max, p->name,
                            value);
            return vstring_str(why);
        }
        break;
    case MAIL_PARAM_BOOL:
        if (!mail_param_conv_bool(value, &num)) {
            vstring_sprintf(why, "bad boolean configuration: %s = %s", p->name, value);
            return vstring_str(why);
        }
        break;
    case MAIL_PARAM_TIME:
        if (!mail_param_conv_time(value, mail_param_time_unit(p), &num)) {
            vstring_sprintf(why, "parameter %s: bad time value or unit: %s", p->name, value);
            return vstring_str(why);
        }
        if (num < p->min) {
            vstring_sprintf(why, "invalid %s: %ld (min %ld)", p->name, num, p->min);
            return vstring_str(why);
        }
        if (p->max > 0 && num > p->max) {
            vstring_sprintf(why, "invalid %s: %ld (max %ld)", p->name, num, p->max);
            return vstring_str(why);
        }
        break;
    case MAIL_PARAM_INT:
    case MAIL_PARAM_LONG:
    case MAIL_PARAM_SIZE:
        if (!mail_param_conv_num(value, p->type == MAIL_PARAM_INT ? INT_MIN : LONG_MIN,
                                 p->type == MAIL_PARAM_INT ? INT_MAX : LONG_MAX, &num)) {
            vstring_sprintf(why, "bad numerical configuration: %s = %s", p->name, value);
            return vstring_str(why);
        }
        if (num < p->min) {
            vstring_sprintf(why, "invalid %s parameter value %ld < %ld", p->name, num, p->min);
            return vstring_str(why);
        }
        if (p->max > 0 && num > p->max) {
            vstring_sprintf(why, "invalid %s parameter value %ld > %ld", p->name, num, p->max);
            return vstring_str(why);
        }
        break;
    default:
        msg_panic("mail_param_check: %s: unknown type %d", p->name, p->type);
    }
    *result = num;
    return 0;
}

/*
 * mail_param_bind - evaluate, check and store one parameter; is_set is 0
 * when the caller knows that main.cf and the overrides do not set it.
 */
static void mail_param_bind(const MAIL_PARAM *p, int is_set)
{
    const char *value;
    const char *why;
    long num;

    if (p->type == MAIL_PARAM_RAW) {
        if (!is_set || (value = mail_conf_lookup(p->name)) == 0)
            value = mail_param_default(p);
    } else if (p->defval && strchr(p->defval, '$') == 0 &&
               (!is_set || mail_conf_lookup(p->name) == 0)) {
        /* Most rows: a literal default, which expands to itself. */
        value = p->defval;
    } else if ((value = mail_conf_eval(p->name)) == 0) {
        msg_panic("mail_param_bind: no value for registry parameter %s", p->name);
    }
    if ((why = mail_param_check(p, value, &num)) != 0)
        msg_fatal("%s", why);
    switch (p->type) {
    case MAIL_PARAM_STR:
    case MAIL_PARAM_RAW:
    case MAIL_PARAM_LIST: {
        char **sp = (char **)p->var;
        char *old = *sp;

        *sp = mystrdup(value);
        if (old)
            myfree(old);
        break;
    }
    case MAIL_PARAM_INT:
    case MAIL_PARAM_BOOL:
    case MAIL_PARAM_TIME:
        *(int *)p->var = (int)num;
        break;
    case MAIL_PARAM_LONG:
    case MAIL_PARAM_SIZE:
        *(long *)p->var = num;
        break;
    default:
        msg_panic("mail_param_bind: %s: unknown type %d", p->name, p->type);
    }
}

/*
 * mail_params_myorigin_file - Debian: "myorigin = /etc/mailname" means the
 * first line of that file.
 */
static void mail_params_myorigin_file(void)
{
    char buf[1024];
    FILE *fp;
    char *cp;

    if (var_myorigin == 0 || var_myorigin[0] != '/')
        return;
    if ((fp = fopen(var_myorigin, "re")) == 0)
        msg_fatal("%s: cannot open file: %m", var_myorigin);
    if (fgets(buf, sizeof(buf), fp) == 0)
        buf[0] = 0;
    fclose(fp);
    buf[strcspn(buf, "\r\n")] = 0;
    cp = buf + strspn(buf, " \t");
    trimblanks(cp);
    if (*cp == 0)
        msg_fatal("%s: empty file: the first line must be the mail domain", var_myorigin);
    myfree(var_myorigin);
    var_myorigin = mystrdup(cp);
}

/* mail_params_init - bind every variable */
void mail_params_init(void)
{
    unsigned char *is_set;
    ARGV *names;
    const MAIL_PARAM *p;

    if (mail_conf_file() == 0)
        mail_conf_read();

    /*
     * main.cf and the overrides set a few dozen of the hundreds of names:
     * mark their rows once instead of looking up every row's name.
     */
    is_set = mycalloc(mail_param_count, 1);
    names = mail_conf_names();
    for (size_t i = 0; i < names->argc; i++)
        if ((p = mail_param_find(names->argv[i])) != 0)
            is_set[p - mail_param_table] = 1;
    argv_free(names);
    for (size_t i = 0; i < mail_param_count; i++)
        mail_param_bind(&mail_param_table[i], is_set[i]);
    myfree(is_set);
    mail_params_myorigin_file();
    msg_utf8 = var_smtputf8_enable;
    if (strcasecmp(var_mynetworks_style, "host") != 0 &&
        strcasecmp(var_mynetworks_style, "subnet") != 0 &&
        strcasecmp(var_mynetworks_style, "class") != 0)
        msg_fatal("unknown mynetworks mask style: %s", var_mynetworks_style);
}

/* mail_params_init_list - bind only the named variables */
void mail_params_init_list(const char *const *names)
{
    const MAIL_PARAM *p;

    if (mail_conf_file() == 0)
        mail_conf_read();
    for (; *names; names++) {
        if ((p = mail_param_find(*names)) == 0)
            msg_panic("mail_params_init_list: unknown parameter %s", *names);
        mail_param_bind(p, 1);
    }
}

/* mail_param_get2 - value of prefix+suffix, checked as an ad-hoc row */
static long mail_param_get2(int type, const char *prefix, const char *suffix, const char *defval,
                            long min, long max)
{
    VSTRING *name = vstring_alloc(100);
    MAIL_PARAM row;
    const char *value;
    const char *why;
    long num;

    vstring_sprintf(name, "%s%s", prefix, suffix);
    row.name = vstring_str(name);
    row.type = type;
    row.defval = defval;
    row.deffn = 0;
    row.min = min;
    row.max = max;
    row.var = 0;
    /*
     * main.cf or -o wins; else a name the registry knows has its registry
     * default (local_destination_recipient_limit is 1, whatever a caller
     * that asks for any transport's limit passes); else the caller's.
     */
    value = 0;
    if (mail_conf_lookup(row.name) != 0 || mail_param_find(row.name) != 0)
        value = mail_conf_eval(row.name);
    if (value == 0)
        value = mail_conf_expand(defval);
    if ((why = mail_param_check(&row, value, &num)) != 0)
        msg_fatal("%s", why);
    vstring_free(name);
    return num;
}

long mail_param_get_int2(const char *prefix, const char *suffix, long defval, long min, long max)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%ld", defval);
    return mail_param_get2(MAIL_PARAM_LONG, prefix, suffix, buf, min, max);
}

long mail_param_get_time2(const char *prefix, const char *suffix, const char *defval, long min,
                          long max)
{
    return mail_param_get2(MAIL_PARAM_TIME, prefix, suffix, defval, min, max);
}

/* Computed defaults. */

static char *mail_params_hostname(void)
{
    static char *hostname;
    char buf[256];

    if (hostname == 0) {
        if (gethostname(buf, sizeof(buf)) < 0)
            msg_fatal("gethostname: %m");
        buf[sizeof(buf) - 1] = 0;
        hostname = mystrdup(buf);
    }
    return hostname;
}

const char *mail_params_default_myhostname(void)
{
    static VSTRING *buf;
    const char *host = mail_params_hostname();
    const char *domain;

    if (strchr(host, '.') != 0)
        return host;
    if (buf == 0)
        buf = vstring_alloc(100);
    /* mydomain from main.cf if set there; its own default would loop. */
    if (mail_conf_lookup("mydomain") != 0)
        domain = mail_conf_eval_quiet("mydomain");
    else
        domain = 0;
    if (domain == 0 || *domain == 0)
        domain = "localdomain";
    vstring_sprintf(buf, "%s.%s", host, domain);
    return vstring_str(buf);
}

const char *mail_params_default_mydomain(void)
{
    static VSTRING *buf;
    const char *host = mail_conf_eval_quiet("myhostname");
    const char *dot;

    if (host == 0 || (dot = strchr(host, '.')) == 0 || dot[1] == 0)
        return "localdomain";
    if (buf == 0)
        buf = vstring_alloc(100);
    vstring_strcpy(buf, dot + 1);
    return vstring_str(buf);
}

const char *mail_params_default_process_id(void)
{
    static char buf[32];

    snprintf(buf, sizeof(buf), "%ld", (long)getpid());
    return buf;
}

const char *mail_params_default_process_name(void)
{
    return msg_program ? msg_program : "postern";
}

/* mail_params_net_add - append one network, unless already listed */
static void mail_params_net_add(VSTRING *buf, const char *net)
{
    const char *hit = strstr(vstring_str(buf), net);
    size_t len = strlen(net);

    while (hit) {
        if ((hit == vstring_str(buf) || hit[-1] == ' ') && (hit[len] == 0 || hit[len] == ' '))
            return;
        hit = strstr(hit + 1, net);
    }
    if (VSTRING_LEN(buf) > 0)
        vstring_addch(buf, ' ');
    vstring_strcat(buf, net);
}

/* mail_params_mask_bits - prefix length of a netmask */
static int mail_params_mask_bits(const unsigned char *mask, size_t len)
{
    int bits = 0;

    for (size_t i = 0; i < len; i++)
        bits += __builtin_popcount(mask[i]);
    return bits;
}

/* mail_params_apply_mask - keep the first bits of an address */
static void mail_params_apply_mask(unsigned char *addr, size_t len, int bits)
{
    for (size_t i = 0; i < len; i++) {
        int keep = bits >= 8 ? 8 : (bits > 0 ? bits : 0);

        addr[i] &= (unsigned char)(0xff << (8 - keep));
        bits -= 8;
    }
}

const char *mail_params_default_mynetworks(void)
{
    static VSTRING *buf;
    const char *style = mail_conf_eval_quiet("mynetworks_style");
    const char *protos = mail_conf_eval_quiet("inet_protocols");
    int want4 = 1, want6 = 1;
    int st;
    struct ifaddrs *ifa_list, *ifa;
    char text[INET6_ADDRSTRLEN];
    char net[INET6_ADDRSTRLEN + 32];

    if (buf == 0)
        buf = vstring_alloc(100);
    vstring_reset(buf);
    if (style == 0 || strcasecmp(style, "subnet") == 0)
        st = 's';
    else if (strcasecmp(style, "host") == 0)
        st = 'h';
    else if (strcasecmp(style, "class") == 0)
        st = 'c';
    else
        st = 'h'; /* narrowest; mail_params_init() is fatal */
    if (protos && strcasecmp(protos, "all") != 0) {
        want4 = strstr(protos, "ipv4") != 0;
        want6 = strstr(protos, "ipv6") != 0;
    }
    if (getifaddrs(&ifa_list) < 0) {
        msg_warn("getifaddrs: %m");
        vstring_strcpy(buf, "127.0.0.0/8");
        return vstring_str(buf);
    }
    for (int family = AF_INET; family != 0; family = (family == AF_INET ? AF_INET6 : 0)) {
        if ((family == AF_INET && !want4) || (family == AF_INET6 && !want6))
            continue;
        for (ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
            if (ifa->ifa_addr == 0 || ifa->ifa_addr->sa_family != family)
                continue;
            if (family == AF_INET) {
                struct in_addr a = ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
                unsigned char *ap = (unsigned char *)&a;
                int bits = 32;

                if (st == 's' && ifa->ifa_netmask)
                    bits = mail_params_mask_bits(
                        (unsigned char *)&((struct sockaddr_in *)ifa->ifa_netmask)->sin_addr, 4);
                else if (st == 'c')
                    bits = ap[0] < 128 ? 8 : ap[0] < 192 ? 16 : ap[0] < 224 ? 24 : 32;
                mail_params_apply_mask(ap, 4, bits);
                inet_ntop(AF_INET, &a, text, sizeof(text));
                snprintf(net, sizeof(net), "%s/%d", text, bits);
            } else {
                struct in6_addr a = ((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;
                int bits = 128;

                if (st != 'h' && ifa->ifa_netmask)
                    bits = mail_params_mask_bits(
                        ((struct sockaddr_in6 *)ifa->ifa_netmask)->sin6_addr.s6_addr, 16);
                mail_params_apply_mask(a.s6_addr, 16, bits);
                inet_ntop(AF_INET6, &a, text, sizeof(text));
                snprintf(net, sizeof(net), "[%s]/%d", text, bits);
            }
            mail_params_net_add(buf, net);
        }
    }
    freeifaddrs(ifa_list);
    return vstring_str(buf);
}
