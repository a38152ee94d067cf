/* Unit tests for config_provider.c: Kafka's ${provider:path:key} matching,
 * the env, file and dir providers, the worker's config.providers keys,
 * the path checks (allowed.paths through symlinks and "..", FIFOs,
 * devices, oversized files), and reverseTransform.  Tables of values and
 * what they resolve to; "@" in a value stands for the test's temporary
 * directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <signal.h>

#include "config/config_provider.h"

static char tmp[256];

/* `text` with every '@' replaced by the temporary directory. */
static char *expand(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        n += *p == '@' ? strlen(tmp) : 1;
    }
    char *out = malloc(n + 1), *o = out;
    for (const char *p = text; *p; p++) {
        if (*p == '@') {
            o += sprintf(o, "%s", tmp);
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static void write_file(const char *rel, const char *content)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmp, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void make_link(const char *target, const char *rel)
{
    char *t = expand(target), path[512];
    snprintf(path, sizeof(path), "%s/%s", tmp, rel);
    assert_int_equal(symlink(t, path), 0);
    free(t);
}

/* A properties file of exactly `size` bytes: one key, then comment lines. */
static void write_sized(const char *rel, size_t size)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmp, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    size_t n = (size_t)fprintf(f, "k=v\n");
    for (; n < size; n++) {
        fputc(n + 1 == size ? '\n' : n % 64 == 4 ? '#' : n % 64 == 63 ? '\n' : 'x', f);
    }
    fclose(f);
}

static void make_dir(const char *rel)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmp, rel);
    assert_int_equal(mkdir(path, 0700), 0);
}

static int setup(void **state)
{
    snprintf(tmp, sizeof(tmp), "/tmp/test_config_provider.XXXXXX");
    assert_non_null(mkdtemp(tmp));
    write_file("a.properties", "user=bob\nurl=jdbc:postgresql://db:5432/app\na\\:b=colon key\nempty=\n");
    make_dir("ok");
    write_file("ok/b.properties", "token=t0k3n\n");
    make_dir("okay");
    write_file("okay/c.properties", "token=other\n");
    make_dir("secrets");
    write_file("secrets/pw", "s3cret\n");
    make_dir("secrets/sub");
    /* Ways out of allowed.paths (@/ok, @/secrets) and things not to read. */
    make_link("@/a.properties", "ok/link.properties");
    make_link("@", "ok/up");
    make_link("@/a.properties", "secrets/link");
    make_link("@/ok/b.properties", "ok/inside.properties");
    make_link("@/ok", "oklink");
    char fifo[512];
    snprintf(fifo, sizeof(fifo), "%s/ok/fifo", tmp);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    write_sized("ok/max.properties", 1 << 20);
    write_sized("ok/big.properties", (1 << 20) + 1);
    setenv("CP_A", "alpha", 1);
    setenv("CP_B", "beta", 1);
    setenv("CP_EMPTY", "", 1);
    setenv("CP_NESTED", "${env:CP_A}", 1);
    unsetenv("CP_UNSET");
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Worker properties from "k=v" strings (NULL-terminated), '@' expanded.
 * Unless they set config.providers, all three built-in providers are
 * listed: none is on by default (test_off_by_default). */
static properties_t *worker(const char *const *kvs)
{
    properties_t *props = properties_create();
    bool listed = false;
    for (const char *const *kv = kvs; kv && *kv; kv++) {
        listed |= strncmp(*kv, "config.providers=", strlen("config.providers=")) == 0;
    }
    if (!listed) {
        properties_set(props, "config.providers", "env,file,dir");
    }
    for (; kvs && *kvs; kvs++) {
        char *kv = expand(*kvs), err[256];
        assert_int_equal(properties_set_override(props, kv, err, sizeof(err)), 0);
        free(kv);
    }
    return props;
}

/* Resolves {"k": value} with the providers `kvs` configures: the value,
 * or NULL with errstr. */
static char *resolve_one(const char *const *kvs, const char *value, char *errstr, size_t errstr_size)
{
    properties_t *wprops = worker(kvs);
    char err[512];
    config_provider_t *cprov = config_provider_create(wprops, err, sizeof(err));
    if (!cprov) {
        fail_msg("config_provider_create: %s", err);
    }
    properties_t *config = properties_create();
    char *v = expand(value);
    properties_set(config, "k", v);
    free(v);
    properties_t *resolved = config_provider_resolve(cprov, config, errstr, errstr_size);
    char *out = resolved ? strdup(properties_get(resolved, "k")) : NULL;
    properties_destroy(resolved);
    properties_destroy(config);
    config_provider_destroy(cprov);
    properties_destroy(wprops);
    return out;
}

static const struct {
    const char *what;
    const char *value;
    const char *expect; /* '@' expanded */
} resolve_cases[] = {
    {"env", "${env:CP_A}", "alpha"},
    {"text around", "x-${env:CP_A}-y", "x-alpha-y"},
    {"two references", "${env:CP_A}${env:CP_B}", "alphabeta"},
    {"same reference twice", "${env:CP_A}/${env:CP_A}", "alpha/alpha"},
    {"empty variable", "[${env:CP_EMPTY}]", "[]"},
    {"no reference", "plain value", "plain value"},
    {"empty value", "", ""},
    {"unknown provider left as is", "${vault:secret/db:pw}", "${vault:secret/db:pw}"},
    {"unknown provider, then a known one", "${vault:x} ${env:CP_A}", "${vault:x} alpha"},
    {"no colon: not a reference", "${CP_A}", "${CP_A}"},
    {"no colon, then a reference", "${CP_A} ${env:CP_B}", "${CP_A} beta"},
    {"unclosed", "${env:CP_A", "${env:CP_A"},
    {"lone $ and braces", "$ {env:CP_A} {env:CP_A}", "$ {env:CP_A} {env:CP_A}"},
    {"no escape: $$ is a $ and a reference", "$${env:CP_A}", "$alpha"},
    {"a replacement is not searched again", "${env:CP_NESTED}", "${env:CP_A}"},
    {"provider is up to the first ':' (Kafka's lazy match)", "${x${env:CP_A}", "${x${env:CP_A}"},
    {"file", "${file:@/a.properties:user}", "bob"},
    {"file value with colons", "${file:@/a.properties:url}", "jdbc:postgresql://db:5432/app"},
    {"file key with a colon", "${file:@/a.properties:a:b}", "colon key"},
    {"file empty value", "<${file:@/a.properties:empty}>", "<>"},
    {"file and env in one value", "${file:@/a.properties:user}@${env:CP_A}", "bob@alpha"},
    {"dir: the whole file, newline kept", "${dir:@/secrets:pw}", "s3cret\n"},
    {"dir with a trailing slash", "${dir:@/secrets/:pw}", "s3cret\n"},
};

static void test_resolve_table(void **state)
{
    for (size_t i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]); i++) {
        char err[512] = "";
        char *got = resolve_one(NULL, resolve_cases[i].value, err, sizeof(err));
        char *want = expand(resolve_cases[i].expect);
        if (!got || strcmp(got, want) != 0) {
            fail_msg("%s: '%s' resolved to '%s' (error '%s'), expected '%s'", resolve_cases[i].what,
                     resolve_cases[i].value, got ? got : "(null)", err, want);
        }
        free(got);
        free(want);
    }
}

static const struct {
    const char *what;
    const char *const *worker;
    const char *value;
    const char *error; /* substring, '@' expanded */
} error_cases[] = {
    {"unset variable", NULL, "x ${env:CP_UNSET}",
     "k: ${env:CP_UNSET} refers to an environment variable that is not set"},
    {"env takes no path", NULL, "${env:p:CP_A}", "k: ${env:p:CP_A} the env provider takes no path"},
    {"missing file", NULL, "${file:@/nope.properties:user}",
     "k: ${file:@/nope.properties:user} cannot read @/nope.properties: No such file or directory"},
    {"missing key", NULL, "${file:@/a.properties:password}", "@/a.properties has no key 'password'"},
    {"file without a key", NULL, "${file:@/a.properties}", "names no key of a file"},
    {"missing dir file", NULL, "${dir:@/secrets:nope}", "cannot read @/secrets/nope: No such file"},
    {"dir escape", NULL, "${dir:@/secrets:../a.properties}", "is not the name of a file in"},
    {"dir dot-dot", NULL, "${dir:@/secrets:..}", "is not the name of a file in"},
    {"dir: a directory is not a file", NULL, "${dir:@/secrets:sub}", "@/secrets/sub is not a regular file"},
    {"dir without a directory", NULL, "${dir:pw}", "names no directory"},
    {"file outside allowed.paths", (const char *const[]){"config.providers.file.param.allowed.paths=@/ok", NULL},
     "${file:@/a.properties:user}", "@/a.properties is outside config.providers.file.param.allowed.paths"},
    {"allowed.paths is per component", (const char *const[]){"config.providers.file.param.allowed.paths=@/ok", NULL},
     "${file:@/okay/c.properties:token}", "is outside"},
    {"allowed.paths after normalising ..",
     (const char *const[]){"config.providers.file.param.allowed.paths=@/ok", NULL},
     "${file:@/ok/../a.properties:user}", "is outside"},
    {"allowed.paths: relative paths never match",
     (const char *const[]){"config.providers.file.param.allowed.paths=@/ok", NULL}, "${file:a.properties:user}",
     "is outside"},
    {"dir outside allowed.paths", (const char *const[]){"config.providers.dir.param.allowed.paths=@/ok", NULL},
     "${dir:@/secrets:pw}", "is outside config.providers.dir.param.allowed.paths"},
    {"env allowlist", (const char *const[]){"config.providers.env.param.allowlist.pattern=CP_B|OTHER", NULL},
     "${env:CP_A}", "allowlist.pattern does not allow"},
    {"env allowlist is anchored", (const char *const[]){"config.providers.env.param.allowlist.pattern=CP_", NULL},
     "${env:CP_A}", "does not allow"},
    {"first error wins, naming its key", NULL, "${env:CP_A} ${env:CP_UNSET} ${file:@/nope:x}", "${env:CP_UNSET}"},
    /* The path checks. */
    {"a symlink out of allowed.paths", (const char *const[]){"config.providers.file.param.allowed.paths=@/ok", NULL},
     "${file:@/ok/link.properties:user}", "@/ok/link.properties resolves to @/a.properties, outside "
                                           "config.providers.file.param.allowed.paths"},
    {"a symlinked directory out of allowed.paths",
     (const char *const[]){"config.providers.file.param.allowed.paths=@/ok", NULL},
     "${file:@/ok/up/a.properties:user}", "resolves to @/a.properties, outside"},
    {"a symlink and .. out of allowed.paths",
     (const char *const[]){"config.providers.file.param.allowed.paths=@/ok", NULL},
     "${file:@/ok/up/ok/../a.properties:user}", "resolves to @/a.properties, outside"},
    {"dir: a symlink out of allowed.paths",
     (const char *const[]){"config.providers.dir.param.allowed.paths=@/secrets", NULL}, "${dir:@/secrets:link}",
     "@/secrets/link resolves to @/a.properties, outside config.providers.dir.param.allowed.paths"},
    {"dir: .. out of allowed.paths", (const char *const[]){"config.providers.dir.param.allowed.paths=@/secrets", NULL},
     "${dir:@/secrets/..:a.properties}", "@/secrets/../a.properties is outside"},
    {"/etc/passwd outside allowed.paths", (const char *const[]){"config.providers.file.param.allowed.paths=@/ok", NULL},
     "${file:/etc/passwd:root}", "/etc/passwd is outside config.providers.file.param.allowed.paths"},
    {"a FIFO is not read", NULL, "${file:@/ok/fifo:k}", "@/ok/fifo is not a regular file"},
    {"a FIFO inside allowed.paths is not read",
     (const char *const[]){"config.providers.file.param.allowed.paths=@/ok", NULL}, "${file:@/ok/fifo:k}",
     "@/ok/fifo is not a regular file"},
    {"dir: a FIFO is not read", NULL, "${dir:@/ok:fifo}", "@/ok/fifo is not a regular file"},
    {"/dev/zero is not read", NULL, "${file:/dev/zero:k}", "/dev/zero is not a regular file"},
    {"/dev/zero inside allowed.paths is not read",
     (const char *const[]){"config.providers.file.param.allowed.paths=/dev", NULL}, "${file:/dev/zero:k}",
     "/dev/zero is not a regular file"},
    {"dir: /dev/zero inside allowed.paths is not read",
     (const char *const[]){"config.providers.dir.param.allowed.paths=/dev", NULL}, "${dir:/dev:zero}",
     "/dev/zero is not a regular file"},
    {"a directory is not a properties file", NULL, "${file:@/ok:k}", "@/ok is not a regular file"},
    {"over 1 MiB", NULL, "${file:@/ok/big.properties:k}",
     "@/ok/big.properties is larger than 1 MiB, the most a config provider reads"},
    {"dir: over 1 MiB", NULL, "${dir:@/ok:big.properties}", "is larger than 1 MiB"},
    {"env: Kafka's env.var.pattern", (const char *const[]){"config.providers.env.param.env.var.pattern=CP_B", NULL},
     "${env:CP_A}", "k: ${env:CP_A} refers to an environment variable that "
                    "config.providers.env.param.allowlist.pattern does not allow"},
    {"env: HOME not in the pattern", (const char *const[]){"config.providers.env.param.allowlist.pattern=CP_.*", NULL},
     "${env:HOME}", "does not allow"},
};

static void test_resolve_errors(void **state)
{
    for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
        char err[512] = "";
        char *got = resolve_one(error_cases[i].worker, error_cases[i].value, err, sizeof(err));
        char *want = expand(error_cases[i].error);
        if (got || !strstr(err, want)) {
            fail_msg("%s: '%s' gave '%s', error '%s'; expected an error with '%s'", error_cases[i].what,
                     error_cases[i].value, got ? got : "(null)", err, want);
        }
        free(want);
    }
}

/* Which providers the worker's config.providers keys enable. */
static const struct {
    const char *what;
    const char *const *worker;
    const char *value;
    const char *expect;
} enable_cases[] = {
    {"file and dir allowed inside allowed.paths",
     (const char *const[]){"config.providers.file.param.allowed.paths=@/ok, @/secrets", NULL},
     "${file:@/ok/b.properties:token}", "t0k3n"},
    {"allowed.paths names the directory itself",
     (const char *const[]){"config.providers.dir.param.allowed.paths=@/secrets", NULL}, "${dir:@/secrets:pw}",
     "s3cret\n"},
    {"allowed.paths root", (const char *const[]){"config.providers.file.param.allowed.paths=/", NULL},
     "${file:@/a.properties:user}", "bob"},
    {"env allowlist match", (const char *const[]){"config.providers.env.param.allowlist.pattern=CP_.*", NULL},
     "${env:CP_A}", "alpha"},
    {"config.providers=file: env left as is", (const char *const[]){"config.providers=file", NULL},
     "${env:CP_A} ${file:@/a.properties:user}", "${env:CP_A} bob"},
    {"config.providers empty: nothing resolved", (const char *const[]){"config.providers=", NULL},
     "${env:CP_A} ${file:@/nope:x}", "${env:CP_A} ${file:@/nope:x}"},
    {"spaces and empty items in the list", (const char *const[]){"config.providers= env , ,dir", NULL},
     "${env:CP_A} ${dir:@/secrets:pw}", "alpha s3cret\n"},
    {"a name of one's own, Kafka's class name",
     (const char *const[]){"config.providers=secrets",
                           "config.providers.secrets.class=org.apache.kafka.common.config.provider.FileConfigProvider",
                           NULL},
     "${secrets:@/a.properties:user} ${file:@/a.properties:user}", "bob ${file:@/a.properties:user}"},
    {"the simple class name", (const char *const[]){"config.providers=k8s",
                                                   "config.providers.k8s.class=DirectoryConfigProvider", NULL},
     "${k8s:@/secrets:pw}", "s3cret\n"},
    {"a symlink that stays inside allowed.paths",
     (const char *const[]){"config.providers.file.param.allowed.paths=@/ok", NULL},
     "${file:@/ok/inside.properties:token}", "t0k3n"},
    {"allowed.paths through a symlink, the file through the real path",
     (const char *const[]){"config.providers.file.param.allowed.paths=@/oklink", NULL},
     "${file:@/oklink/b.properties:token}", "t0k3n"},
    {"exactly 1 MiB is read", NULL, "${file:@/ok/max.properties:k}", "v"},
    {"a built-in name with another class",
     (const char *const[]){"config.providers=env", "config.providers.env.class=FileConfigProvider", NULL},
     "${env:@/a.properties:user}", "bob"},
};

static void test_enabled_providers(void **state)
{
    for (size_t i = 0; i < sizeof(enable_cases) / sizeof(enable_cases[0]); i++) {
        char err[512] = "";
        char *got = resolve_one(enable_cases[i].worker, enable_cases[i].value, err, sizeof(err));
        char *want = expand(enable_cases[i].expect);
        if (!got || strcmp(got, want) != 0) {
            fail_msg("%s: '%s' resolved to '%s' (error '%s'), expected '%s'", enable_cases[i].what,
                     enable_cases[i].value, got ? got : "(null)", err, want);
        }
        free(got);
        free(want);
    }
}

static const struct {
    const char *what;
    const char *const *worker;
    const char *error;
} create_errors[] = {
    {"a name without a class", (const char *const[]){"config.providers=vault", NULL},
     "config.providers lists 'vault' but config.providers.vault.class is not set"},
    {"an unknown class",
     (const char *const[]){"config.providers=vault", "config.providers.vault.class=com.example.VaultConfigProvider",
                           NULL},
     "config.providers.vault.class: unknown config provider class 'com.example.VaultConfigProvider'"},
    {"relative allowed.paths", (const char *const[]){"config.providers.file.param.allowed.paths=etc", NULL},
     "config.providers.file.param.allowed.paths: 'etc' is not an absolute path"},
    {"missing allowed.paths", (const char *const[]){"config.providers.dir.param.allowed.paths=@/ok,@/gone", NULL},
     "config.providers.dir.param.allowed.paths: @/gone: No such file or directory"},
    {"bad allowlist pattern", (const char *const[]){"config.providers.env.param.allowlist.pattern=CP_(", NULL},
     "config.providers.env.param.allowlist.pattern: 'CP_(' is not a valid regular expression"},
    {"both pattern keys",
     (const char *const[]){"config.providers.env.param.allowlist.pattern=A",
                           "config.providers.env.param.env.var.pattern=B", NULL},
     "are the same setting; set one"},
};

static void test_create_errors(void **state)
{
    for (size_t i = 0; i < sizeof(create_errors) / sizeof(create_errors[0]); i++) {
        properties_t *wprops = worker(create_errors[i].worker);
        char err[512] = "";
        config_provider_t *cprov = config_provider_create(wprops, err, sizeof(err));
        char *want = expand(create_errors[i].error);
        if (cprov || !strstr(err, want)) {
            fail_msg("%s: created=%d, error '%s', expected '%s'", create_errors[i].what, cprov != NULL, err, want);
        }
        free(want);
        config_provider_destroy(cprov);
        properties_destroy(wprops);
    }
    config_provider_destroy(NULL);
}

/* As Kafka: a worker that lists no provider resolves nothing, and a
 * listed one resolves only its own references. */
static void test_off_by_default(void **state)
{
    char *value = expand("${env:CP_A} ${env:HOME} ${file:@/a.properties:user} ${dir:@/secrets:pw} "
                         "${file:/dev/zero:k} ${file:@/ok/fifo:k}");
    const char *lists[] = {NULL, "", " , "};
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        properties_t *wprops = properties_create();
        if (lists[i]) {
            properties_set(wprops, "config.providers", lists[i]);
        }
        /* Parameters of providers not listed enable nothing. */
        properties_set(wprops, "config.providers.env.param.allowlist.pattern", ".*");
        properties_set(wprops, "config.providers.file.class", "FileConfigProvider");
        char err[512] = "";
        config_provider_t *cprov = config_provider_create(wprops, err, sizeof(err));
        assert_non_null(cprov);
        properties_t *config = properties_create();
        properties_set(config, "topic", value);
        properties_t *resolved = config_provider_resolve(cprov, config, err, sizeof(err));
        assert_non_null(resolved);
        assert_string_equal(properties_get(resolved, "topic"), value);
        properties_destroy(resolved);
        properties_destroy(config);
        config_provider_destroy(cprov);
        properties_destroy(wprops);
    }
    free(value);
}

/* Every key is kept, in order; the input is not touched. */
static void test_resolve_whole_config(void **state)
{
    properties_t *wprops = worker(NULL);
    char err[512];
    config_provider_t *cprov = config_provider_create(wprops, err, sizeof(err));
    assert_non_null(cprov);
    properties_t *config = properties_create();
    properties_set(config, "name", "pg");
    properties_set(config, "connection.password", "${env:CP_A}");
    char *user = expand("${file:@/a.properties:user}");
    properties_set(config, "connection.user", user);
    properties_set(config, "tasks.max", "1");
    properties_t *resolved = config_provider_resolve(cprov, config, err, sizeof(err));
    assert_non_null(resolved);
    assert_int_equal(properties_count(resolved), 4);
    const char *keys[] = {"name", "connection.password", "connection.user", "tasks.max"};
    const char *values[] = {"pg", "alpha", "bob", "1"};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(properties_key_at(resolved, i), keys[i]);
        assert_string_equal(properties_value_at(resolved, i), values[i]);
    }
    assert_string_equal(properties_get(config, "connection.password"), "${env:CP_A}");
    assert_string_equal(properties_get(config, "connection.user"), user);
    /* An error leaves nothing behind (ASan checks the leak). */
    properties_set(config, "broken", "${env:CP_UNSET}");
    properties_t *none = config_provider_resolve(cprov, config, err, sizeof(err));
    assert_null(none);
    assert_non_null(strstr(err, "broken: ${env:CP_UNSET}"));
    free(user);
    properties_destroy(resolved);
    properties_destroy(config);
    config_provider_destroy(cprov);
    properties_destroy(wprops);
}

static void test_has_reference(void **state)
{
    assert_true(config_provider_has_reference("${env:X}"));
    assert_true(config_provider_has_reference("a ${vault:p:k} b"));
    assert_true(config_provider_has_reference("${:x}"));
    assert_false(config_provider_has_reference("${X}"));
    assert_false(config_provider_has_reference("${env:X"));
    assert_false(config_provider_has_reference("plain"));
    assert_false(config_provider_has_reference(""));
    assert_false(config_provider_has_reference(NULL));
}

/* reverseTransform: a task config shows references, not secrets. */
static void test_reverse(void **state)
{
    properties_t *raw = properties_create(), *resolved = properties_create(), *task = properties_create();
    properties_set(raw, "password", "${env:CP_A}");
    properties_set(raw, "url", "jdbc://h/${env:CP_B}");
    properties_set(raw, "changed", "${env:CP_A}");
    properties_set(raw, "absent", "${env:CP_A}");
    properties_set(raw, "plain", "x");
    properties_set(raw, "unknown", "${vault:p:k}");
    properties_set(resolved, "password", "alpha");
    properties_set(resolved, "url", "jdbc://h/beta");
    properties_set(resolved, "changed", "alpha");
    properties_set(resolved, "absent", "alpha");
    properties_set(resolved, "plain", "x");
    properties_set(resolved, "unknown", "${vault:p:k}");

    properties_set(task, "password", "alpha");
    properties_set(task, "url", "jdbc://h/beta");
    properties_set(task, "changed", "alpha-for-task-0");
    properties_set(task, "plain", "x");
    properties_set(task, "unknown", "${vault:p:k}");
    properties_set(task, "task.only", "alpha");
    config_provider_reverse(raw, resolved, task);

    assert_int_equal(properties_count(task), 6);
    assert_string_equal(properties_get(task, "password"), "${env:CP_A}");
    assert_string_equal(properties_get(task, "url"), "jdbc://h/${env:CP_B}");
    assert_string_equal(properties_get(task, "changed"), "alpha-for-task-0");
    assert_null(properties_get(task, "absent"));
    assert_string_equal(properties_get(task, "plain"), "x");
    assert_string_equal(properties_get(task, "unknown"), "${vault:p:k}");
    assert_string_equal(properties_get(task, "task.only"), "alpha");
    properties_destroy(raw);
    properties_destroy(resolved);
    properties_destroy(task);
}

/* The round trip the herder makes: resolve for the connector, reverse the
 * task configs it returns, resolve each again when the task starts. */
static void test_round_trip(void **state)
{
    properties_t *wprops = worker(NULL);
    char err[512];
    config_provider_t *cprov = config_provider_create(wprops, err, sizeof(err));
    properties_t *raw = properties_create();
    properties_set(raw, "password", "${env:CP_A}");
    properties_set(raw, "topic", "t");
    properties_t *resolved = config_provider_resolve(cprov, raw, err, sizeof(err));
    properties_t *task = properties_create();
    properties_set(task, "password", properties_get(resolved, "password"));
    properties_set(task, "topic", "t");
    config_provider_reverse(raw, resolved, task);
    assert_string_equal(properties_get(task, "password"), "${env:CP_A}");
    properties_t *task_resolved = config_provider_resolve(cprov, task, err, sizeof(err));
    assert_string_equal(properties_get(task_resolved, "password"), "alpha");
    properties_destroy(task_resolved);
    properties_destroy(task);
    properties_destroy(resolved);
    properties_destroy(raw);
    config_provider_destroy(cprov);
    properties_destroy(wprops);
}

int main(void)
{
    /* A read that blocks (a FIFO) would hang the test: fail it instead. */
    alarm(60);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resolve_table),   cmocka_unit_test(test_resolve_errors),
        cmocka_unit_test(test_enabled_providers), cmocka_unit_test(test_create_errors),
        cmocka_unit_test(test_resolve_whole_config), cmocka_unit_test(test_has_reference),
        cmocka_unit_test(test_reverse),         cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_off_by_default),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
