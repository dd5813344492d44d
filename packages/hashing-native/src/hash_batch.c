/*
 * Hashes a batch of files (or byte ranges of files) on libuv's thread pool, with the OpenSSL that
 * Node itself links (its symbols are exported to addons, so the digests are OpenSSL's and no crypto
 * lives here). Why native: for many small files the cost is not SHA-256 but the five JS-to-C
 * crossings per file (open, fstat, read, close, hash), their argument checks and the garbage they
 * leave; here one call covers the whole batch. The rules are those of read.ts, which stays the
 * reference: open with O_NOFOLLOW|O_NONBLOCK, refuse what fstat says is not a regular file, read a
 * whole file asking for one byte past its size (a short read proves EOF, a full one proves growth),
 * and re-check the size after a range.
 */
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "list_tree.h"

#define CHUNK (1 << 20)
#define MAX_THREADS 64

/* failure kinds, mirrored in packages/hashing/src/native.ts */
enum { FAIL_NONE = 0, FAIL_OPEN = 1, FAIL_STAT = 2, FAIL_READ = 3, FAIL_NOT_REGULAR = 4, FAIL_CHANGED = 5, FAIL_NOMEM = 6, FAIL_DIGEST = 7 };

typedef struct Job {
  /* inputs, owned by JS values kept alive by the references below */
  const char *paths;
  char *root; /* the paths are relative to it; NULL: they are absolute (or relative to the cwd) */
  size_t *offsets; /* where each name starts in paths: found here, not trusted from the caller */
  const double *ranges; /* count * 3: start, end, expected size; -1 = none; NULL = whole files */
  uint32_t count;
  const EVP_MD *md;
  unsigned dlen;
  uint8_t *digests;
  int32_t *stop;     /* set by JS to abort */
  int64_t *progress; /* bytes hashed so far, read by JS */
  /* shared between the pool threads */
  uint32_t next;
  int32_t fail_index; /* -1 until a task fails; the first failure wins */
  int32_t fail_kind, fail_errno;
  double fail_expected, fail_actual;
  /* completion */
  int pending;
  napi_async_work works[MAX_THREADS];
  int nworks;
  napi_ref refs[6];
  int nrefs;
  napi_ref callback;
} Job;

static int stopped(Job *j) {
  return __atomic_load_n(j->stop, __ATOMIC_RELAXED) != 0 || __atomic_load_n(&j->fail_index, __ATOMIC_RELAXED) >= 0;
}

static void fail(Job *j, uint32_t i, int kind, int err, double expected, double actual) {
  int32_t none = -1;
  if (__atomic_compare_exchange_n(&j->fail_index, &none, (int32_t)i, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    j->fail_kind = kind;
    j->fail_errno = err;
    j->fail_expected = expected;
    j->fail_actual = actual;
  }
}

static int no_openat2; /* the kernel (or a seccomp filter) has no openat2: plain openat it is */

/*
 * A name relative to the root is opened beneath it with no symlink anywhere on the way: O_NOFOLLOW
 * covers only the last component, and a folder swapped for a link after the listing would
 * otherwise lead outside the model. Kernels before 5.6 get openat, as absolute paths always did.
 */
static int open_file(int dirfd, const char *path) {
  const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  if (dirfd != AT_FDCWD && !__atomic_load_n(&no_openat2, __ATOMIC_RELAXED)) {
    struct open_how how = {.flags = flags, .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS};
    int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) return fd;
    if (errno == ENOSYS) __atomic_store_n(&no_openat2, 1, __ATOMIC_RELAXED);
  }
  return openat(dirfd, path, flags);
}

/* Reads [start, end) of fd (end < 0: the whole file) into the digest; 0 on success. */
static int hash_one(Job *j, int dirfd, uint32_t i, EVP_MD_CTX *ctx, uint8_t *buf) {
  const char *path = j->paths + j->offsets[i];
  int fd = open_file(dirfd, path);
  if (fd < 0) return fail(j, i, FAIL_OPEN, errno, -1, -1), -1;
  int rc = -1;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    fail(j, i, FAIL_STAT, errno, -1, -1);
    goto out;
  }
  if (!S_ISREG(st.st_mode)) {
    fail(j, i, FAIL_NOT_REGULAR, 0, -1, -1);
    goto out;
  }
  double start = 0, end = -1, expected = -1;
  if (j->ranges) {
    start = j->ranges[3 * i];
    end = j->ranges[3 * i + 1];
    expected = j->ranges[3 * i + 2];
  }
  const int64_t size = (int64_t)st.st_size;
  if (expected >= 0 && (double)size != expected) {
    fail(j, i, FAIL_CHANGED, 0, expected, (double)size);
    goto out;
  }
  const int whole = end < 0;
  const int64_t stop_at = whole ? size : (int64_t)end;
  int64_t pos = (int64_t)start;
  if (!EVP_DigestInit_ex2(ctx, j->md, NULL)) {
    fail(j, i, FAIL_DIGEST, 0, -1, -1);
    goto out;
  }
  for (;;) {
    int64_t left = (whole ? stop_at + 1 : stop_at) - pos;
    size_t want = left < CHUNK ? (size_t)left : CHUNK;
    if (want == 0) break;
    ssize_t n = pread(fd, buf, want, (off_t)pos);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(j, i, FAIL_READ, errno, -1, -1);
      goto out;
    }
    if (n == 0) break;
    if (pos + n > stop_at) {
      fail(j, i, FAIL_CHANGED, 0, (double)size, (double)(pos + n));
      goto out;
    }
    EVP_DigestUpdate(ctx, buf, (size_t)n);
    pos += n;
    __atomic_fetch_add(j->progress, (int64_t)n, __ATOMIC_RELAXED);
    if (whole && (size_t)n < want && pos >= stop_at) break;
    if (stopped(j)) goto out;
  }
  if (pos != stop_at) {
    fail(j, i, FAIL_CHANGED, 0, (double)size, (double)pos);
    goto out;
  }
  if (!whole) {
    if (fstat(fd, &st) != 0) {
      fail(j, i, FAIL_STAT, errno, -1, -1);
      goto out;
    }
    if ((int64_t)st.st_size != size) {
      fail(j, i, FAIL_CHANGED, 0, (double)size, (double)st.st_size);
      goto out;
    }
  }
  unsigned len = 0;
  if (!EVP_DigestFinal_ex(ctx, j->digests + (size_t)i * j->dlen, &len) || len != j->dlen) {
    fail(j, i, FAIL_DIGEST, 0, -1, -1);
    goto out;
  }
  rc = 0;
out:
  close(fd);
  return rc;
}

static void execute(napi_env env, void *data) {
  Job *j = data;
  uint8_t *buf = malloc(CHUNK);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  /* each thread its own descriptor: nothing shared to close while another thread uses it */
  int dirfd = j->root ? open(j->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : AT_FDCWD;
  if (!buf || !ctx) {
    fail(j, 0, FAIL_NOMEM, ENOMEM, -1, -1);
  } else if (dirfd < 0 && dirfd != AT_FDCWD) {
    fail(j, 0, FAIL_OPEN, errno, -1, -1);
  } else {
    for (;;) {
      if (stopped(j)) break;
      uint32_t i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
      if (i >= j->count) break;
      if (hash_one(j, dirfd, i, ctx, buf) != 0) break;
    }
  }
  if (dirfd >= 0) close(dirfd);
  EVP_MD_CTX_free(ctx);
  free(buf);
}

static void complete(napi_env env, napi_status status, void *data) {
  Job *j = data;
  if (--j->pending > 0) return;
  napi_value cb, global, result, v;
  napi_get_reference_value(env, j->callback, &cb);
  napi_get_global(env, &global);
  if (j->fail_index >= 0) {
    napi_create_object(env, &result);
    napi_create_int32(env, j->fail_index, &v);
    napi_set_named_property(env, result, "index", v);
    napi_create_int32(env, j->fail_kind, &v);
    napi_set_named_property(env, result, "kind", v);
    napi_create_int32(env, j->fail_errno, &v);
    napi_set_named_property(env, result, "errno", v);
    napi_create_double(env, j->fail_expected, &v);
    napi_set_named_property(env, result, "expected", v);
    napi_create_double(env, j->fail_actual, &v);
    napi_set_named_property(env, result, "actual", v);
  } else {
    napi_get_null(env, &result);
  }
  for (int k = 0; k < j->nworks; k++) napi_delete_async_work(env, j->works[k]);
  for (int k = 0; k < j->nrefs; k++) napi_delete_reference(env, j->refs[k]);
  napi_delete_reference(env, j->callback);
  EVP_MD_free((EVP_MD *)j->md);
  free(j->offsets);
  free(j->root);
  free(j);
  napi_call_function(env, global, cb, 1, &result, NULL);
}

#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) return throw_error(env, #call);                                        \
  } while (0)

static napi_value throw_error(napi_env env, const char *what) {
  napi_throw_error(env, "HASH_BATCH_ARGUMENT", what);
  return NULL;
}

static int typed(napi_env env, napi_value v, napi_typedarray_type want, size_t min, void **data) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  size_t length;
  if (napi_get_typedarray_info(env, v, &type, &length, data, NULL, NULL) != napi_ok) return 0;
  return type == want && length >= min;
}

/*
 * start(paths: Uint8Array (count NUL-terminated names), count: number, ranges: Float64Array|null,
 *       algorithm: string, digests: Uint8Array, stop: Int32Array, progress: BigInt64Array,
 *       threads: number, callback(failure|null)[, root: string|null])
 */
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 9 && argc != 10) return throw_error(env, "start takes 9 or 10 arguments");
  Job *j = calloc(1, sizeof(Job));
  if (!j) return throw_error(env, "out of memory");
  j->fail_index = -1;
  void *p;
  size_t paths_len = 0;
  napi_typedarray_type type;
  bool is = false;
  napi_is_typedarray(env, argv[0], &is);
  if (!is || napi_get_typedarray_info(env, argv[0], &type, &paths_len, &p, NULL, NULL) != napi_ok ||
      type != napi_uint8_array)
    goto bad;
  j->paths = p;
  double wanted;
  if (napi_get_value_double(env, argv[1], &wanted) != napi_ok || wanted < 0 || wanted > UINT32_MAX ||
      wanted != (double)(uint32_t)wanted)
    goto bad;
  size_t count = (size_t)wanted;
  j->count = (uint32_t)count;
  /* exactly `count` names, each ending in a NUL inside the buffer: nothing is read past it */
  if (count > 0 && (paths_len == 0 || j->paths[paths_len - 1] != 0)) goto bad;
  j->offsets = malloc((count ? count : 1) * sizeof(size_t));
  if (!j->offsets) goto bad;
  size_t found = 0;
  for (size_t at = 0; at < paths_len && found <= count;) {
    const char *nul = memchr(j->paths + at, 0, paths_len - at);
    if (!nul) break;
    if (found < count) j->offsets[found] = at;
    found++;
    at = (size_t)(nul - j->paths) + 1;
  }
  if (found != count) goto bad;
  napi_valuetype vt;
  napi_typeof(env, argv[2], &vt);
  if (vt != napi_null) {
    if (!typed(env, argv[2], napi_float64_array, count * 3, &p)) goto bad;
    j->ranges = p;
  }
  char alg[32];
  size_t alen;
  if (napi_get_value_string_utf8(env, argv[3], alg, sizeof alg, &alen) != napi_ok) goto bad;
  const char *name = strcmp(alg, "sha256") == 0 ? "SHA2-256" : strcmp(alg, "blake2b512") == 0 ? "BLAKE2B-512" : NULL;
  if (!name) goto bad;
  j->md = EVP_MD_fetch(NULL, name, NULL);
  if (!j->md) goto bad;
  j->dlen = (unsigned)EVP_MD_get_size(j->md);
  if (!typed(env, argv[4], napi_uint8_array, count * j->dlen, &p)) goto bad_md;
  j->digests = p;
  if (!typed(env, argv[5], napi_int32_array, 1, &p)) goto bad_md;
  j->stop = p;
  if (!typed(env, argv[6], napi_bigint64_array, 1, &p)) goto bad_md;
  j->progress = p;
  int32_t threads;
  if (napi_get_value_int32(env, argv[7], &threads) != napi_ok || threads < 1 || threads > MAX_THREADS) goto bad_md;
  napi_typeof(env, argv[8], &vt);
  if (vt != napi_function) goto bad_md;
  if (argc == 10) {
    napi_typeof(env, argv[9], &vt);
    if (vt == napi_string) {
      size_t len;
      if (napi_get_value_string_utf8(env, argv[9], NULL, 0, &len) != napi_ok || len == 0) goto bad_md;
      j->root = malloc(len + 1);
      if (!j->root) goto bad_md;
      napi_get_value_string_utf8(env, argv[9], j->root, len + 1, &len);
      if (strlen(j->root) != len) goto bad_md; /* an embedded NUL would name another folder */
    } else if (vt != napi_null) {
      goto bad_md;
    }
  }
  /* the buffers live as long as the job: JS may drop its own handles meanwhile */
  for (int k = 0; k < 7; k++) {
    if (k == 1 || k == 3 || (k == 2 && !j->ranges)) continue;
    napi_create_reference(env, argv[k], 1, &j->refs[j->nrefs++]);
  }
  napi_create_reference(env, argv[8], 1, &j->callback);
  napi_value resource;
  napi_create_string_utf8(env, "modelseal.hashBatch", NAPI_AUTO_LENGTH, &resource);
  j->nworks = threads;
  j->pending = threads;
  for (int k = 0; k < threads; k++) {
    napi_create_async_work(env, NULL, resource, execute, complete, j, &j->works[k]);
    napi_queue_async_work(env, j->works[k]);
  }
  return NULL;
bad_md:
  EVP_MD_free((EVP_MD *)j->md);
bad:
  free(j->offsets);
  free(j->root);
  free(j);
  return throw_error(env, "hash batch: invalid arguments");
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "start", NAPI_AUTO_LENGTH, start, NULL, &fn);
  napi_set_named_property(env, exports, "start", fn);
  napi_create_function(env, "listOpen", NAPI_AUTO_LENGTH, list_open_napi, NULL, &fn);
  napi_set_named_property(env, exports, "listOpen", fn);
  napi_create_function(env, "listNext", NAPI_AUTO_LENGTH, list_next_napi, NULL, &fn);
  napi_set_named_property(env, exports, "listNext", fn);
  return exports;
}
