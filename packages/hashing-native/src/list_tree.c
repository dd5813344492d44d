/*
 * Lists a model directory's regular files in canonical order (depth first, each folder's entries
 * by UTF-8 bytes, which is code point order), the way walk.ts does, a batch of names per call: for
 * 20k files the JS walk spent ~60 ms of the main thread on Dirent objects, path strings and the
 * garbage they leave. This lister serves only plain trees: at anything walk.ts has a rule or an error message
 * for (a symlink, a FIFO or device, a name that is not UTF-8, an entry type readdir does not give,
 * a read error, a path too long) it stops and says why, and the caller walks in JS, which then
 * applies the rule or reports the problem with its own code.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "list_tree.h"

/* tells our handles from any other external a caller might pass */
static const napi_type_tag LISTER_TAG = {0x6d6f64656c7365ULL, 0x616c2d6c69737431ULL};

typedef struct Entry {
  size_t name; /* offset into the level's arena while reading (it may move), then... */
  const char *p; /* ...the name itself, once the arena is final */
  size_t len;
  unsigned char type;
} Entry;

typedef struct Level {
  Entry *entries;
  char *arena;
  size_t count, next;
  size_t rel_len; /* the folder's path length in Lister.rel */
} Level;

struct Lister {
  int rootfd;
  char *ignore; /* NUL-terminated relative paths, one after another (a copy: calls outlive JS buffers) */
  size_t ignore_len;
  char rel[PATH_MAX];
  Level *stack;
  size_t depth, cap;
  const char *why; /* set when the walk stopped */
  int done;
};

static int grow(char **buf, size_t *cap, size_t need) {
  if (need <= *cap) return 1;
  size_t c = *cap ? *cap : 4096;
  while (c < need) c *= 2;
  char *b = realloc(*buf, c);
  if (!b) return 0;
  *buf = b;
  *cap = c;
  return 1;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF), as TextDecoder's fatal mode. */
static int utf8_ok(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    unsigned char c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t k;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) k = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) k = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) k = 3, cp = c & 0x07;
    else return 0;
    if (i + k >= n) return 0;
    for (size_t m = 1; m <= k; m++) {
      if ((s[i + m] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + m] & 0x3F);
    }
    if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    i += k + 1;
  }
  return 1;
}

static int ignored(const Lister *w, size_t rel_len) {
  for (size_t at = 0; at < w->ignore_len;) {
    const char *p = w->ignore + at;
    size_t n = strlen(p);
    if (n == rel_len && memcmp(p, w->rel, n) == 0) return 1;
    at += n + 1;
  }
  return 0;
}

static int by_bytes(const void *a, const void *b) {
  const Entry *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->p, y->p, n);
  return c ? c : (x->len < y->len ? -1 : x->len > y->len ? 1 : 0);
}

/* Reads one folder whole (and closes it) before descending: one descriptor open at a time. */
static int read_level(Lister *w, size_t rel_len, Entry **entries, size_t *count, char **arena) {
  int fd = openat(w->rootfd, rel_len ? w->rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return w->why = "a folder could not be opened", 0;
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return w->why = "a folder could not be read", 0;
  }
  size_t cap = 0, acap = 0, alen = 0;
  *entries = NULL;
  *arena = NULL;
  *count = 0;
  int ok = 1;
  for (;;) {
    errno = 0;
    struct dirent *e = readdir(d);
    if (!e) {
      if (errno) ok = 0, w->why = "a folder could not be read";
      break;
    }
    const char *name = e->d_name;
    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
    size_t len = strlen(name);
    if (*count == cap) {
      size_t ncap = cap ? cap * 2 : 64;
      Entry *ne = realloc(*entries, ncap * sizeof(Entry));
      if (!ne) {
        ok = 0, w->why = "out of memory";
        break;
      }
      *entries = ne;
      cap = ncap;
    }
    if (!grow(arena, &acap, alen + len + 1)) {
      ok = 0, w->why = "out of memory";
      break;
    }
    memcpy(*arena + alen, name, len + 1);
    (*entries)[(*count)++] = (Entry){alen, NULL, len, e->d_type};
    alen += len + 1;
  }
  closedir(d);
  if (ok) {
    for (size_t k = 0; k < *count; k++) (*entries)[k].p = *arena + (*entries)[k].name;
    if (*count > 1) qsort(*entries, *count, sizeof(Entry), by_bytes);
  }
  return ok;
}

static int push(Lister *w, size_t rel_len) {
  if (w->depth == w->cap) {
    size_t c = w->cap ? w->cap * 2 : 16;
    Level *n = realloc(w->stack, c * sizeof(Level));
    if (!n) return w->why = "out of memory", 0;
    w->stack = n;
    w->cap = c;
  }
  Level *l = &w->stack[w->depth];
  *l = (Level){NULL, NULL, 0, 0, rel_len};
  int ok = read_level(w, rel_len, &l->entries, &l->count, &l->arena);
  w->depth++; /* pushed even when unread: pop() frees whatever it holds */
  return ok;
}

static void pop(Lister *w) {
  Level *l = &w->stack[--w->depth];
  free(l->entries);
  free(l->arena);
  w->rel[l->rel_len] = 0;
}

Lister *lister_open(const char *root, const char *ignore, size_t ignore_len, const char **why) {
  Lister *w = calloc(1, sizeof(Lister));
  if (!w) return *why = "out of memory", NULL;
  w->rootfd = -1;
  if (ignore_len) {
    w->ignore = malloc(ignore_len);
    if (!w->ignore) return lister_close(w), *why = "out of memory", NULL;
    memcpy(w->ignore, ignore, ignore_len);
    w->ignore_len = ignore_len;
  }
  w->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (w->rootfd < 0) return lister_close(w), *why = "the folder could not be opened", NULL;
  if (!push(w, 0)) return *why = w->why, lister_close(w), NULL;
  return w;
}

void lister_close(Lister *w) {
  if (!w) return;
  while (w->depth > 0) pop(w);
  free(w->stack);
  free(w->ignore);
  if (w->rootfd >= 0) close(w->rootfd);
  free(w);
}

/* The next files (up to `max`) into out; 0 when the walk stopped (w->why says why). */
int lister_next(Lister *w, uint32_t max, ListOut *out) {
  if (w->why) return 0;
  while (w->depth > 0 && out->count < max) {
    Level *l = &w->stack[w->depth - 1];
    if (l->next == l->count) {
      pop(w);
      continue;
    }
    const Entry *e = &l->entries[l->next++];
    size_t rel_len = l->rel_len;
    size_t at = rel_len ? rel_len + 1 : 0;
    if (at + e->len + 1 > sizeof w->rel) return w->why = "a path is longer than PATH_MAX", 0;
    if (!utf8_ok((const unsigned char *)e->p, e->len)) return w->why = "a file name is not UTF-8", 0;
    if (rel_len) w->rel[rel_len] = '/';
    memcpy(w->rel + at, e->p, e->len + 1);
    size_t child_len = at + e->len;
    if (w->ignore_len && ignored(w, child_len)) continue;
    switch (e->type) {
      case DT_REG:
        if (!grow(&out->buf, &out->cap, out->len + child_len + 1)) return w->why = "out of memory", 0;
        memcpy(out->buf + out->len, w->rel, child_len + 1);
        out->len += child_len + 1;
        out->count++;
        break;
      case DT_DIR:
        if (!push(w, child_len)) return 0;
        break;
      case DT_LNK:
        return w->why = "a symbolic link", 0;
      case DT_UNKNOWN:
        return w->why = "readdir gave no entry type", 0;
      default:
        return w->why = "a special file", 0;
    }
  }
  w->done = w->depth == 0;
  return 1;
}

int lister_done(const Lister *w) { return w->done; }
const char *lister_why(const Lister *w) { return w->why; }

/* Frees what a stopped or finished walk still holds; the handle stays valid (and answers the same). */
static void release(Lister *w) {
  while (w->depth > 0) pop(w);
  if (w->rootfd >= 0) close(w->rootfd);
  w->rootfd = -1;
}

static void finalize(napi_env env, void *data, void *hint) { lister_close(data); }

static napi_value why_value(napi_env env, const char *why) {
  napi_value v;
  napi_create_string_utf8(env, why ? why : "the walk stopped", NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value bad(napi_env env, const char *what) {
  napi_throw_error(env, "HASH_BATCH_ARGUMENT", what);
  return NULL;
}

/* listOpen(root: string, ignore: Uint8Array (NUL-terminated paths) | null) -> handle | why: string */
napi_value list_open_napi(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], handle;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2) goto bad;
  size_t root_len;
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &root_len) != napi_ok || root_len == 0 ||
      root_len >= PATH_MAX)
    goto bad;
  char root[PATH_MAX];
  napi_get_value_string_utf8(env, argv[0], root, sizeof root, &root_len);
  if (strlen(root) != root_len) goto bad; /* an embedded NUL would name another folder */
  const char *ignore = NULL;
  size_t ignore_len = 0;
  napi_valuetype vt;
  napi_typeof(env, argv[1], &vt);
  if (vt != napi_null) {
    bool is = false;
    napi_typedarray_type type;
    void *p;
    napi_is_typedarray(env, argv[1], &is);
    if (!is || napi_get_typedarray_info(env, argv[1], &type, &ignore_len, &p, NULL, NULL) != napi_ok ||
        type != napi_uint8_array)
      goto bad;
    ignore = p;
    /* every path NUL-terminated inside the buffer: nothing is read past it */
    if (ignore_len > 0 && ignore[ignore_len - 1] != 0) goto bad;
  }
  const char *why = NULL;
  Lister *w = lister_open(root, ignore, ignore_len, &why);
  if (!w) return why_value(env, why);
  if (napi_create_external(env, w, finalize, NULL, &handle) != napi_ok) {
    lister_close(w);
    goto bad;
  }
  napi_type_tag_object(env, handle, &LISTER_TAG);
  return handle;
bad:
  return bad(env, "list: invalid arguments");
}

/* listNext(handle, max: number) -> [names: Buffer, count: number, done: boolean] | why: string */
napi_value list_next_napi(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], result;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2) goto bad;
  bool tagged = false;
  napi_valuetype vt;
  napi_typeof(env, argv[0], &vt);
  if (vt != napi_external || napi_check_object_type_tag(env, argv[0], &LISTER_TAG, &tagged) != napi_ok || !tagged)
    goto bad;
  Lister *w;
  if (napi_get_value_external(env, argv[0], (void **)&w) != napi_ok) goto bad;
  double max;
  if (napi_get_value_double(env, argv[1], &max) != napi_ok || !(max >= 1) || max > UINT32_MAX ||
      max != (double)(uint32_t)max)
    goto bad;
  ListOut out = {0};
  if (!lister_next(w, (uint32_t)max, &out)) {
    free(out.buf);
    release(w);
    return why_value(env, lister_why(w));
  }
  if (lister_done(w)) release(w);
  napi_value names, count, done;
  void *copy;
  napi_status s = napi_create_buffer_copy(env, out.len, out.len ? out.buf : "", &copy, &names);
  free(out.buf);
  if (s != napi_ok) goto bad;
  napi_create_uint32(env, out.count, &count);
  napi_get_boolean(env, lister_done(w), &done);
  napi_create_array_with_length(env, 3, &result);
  napi_set_element(env, result, 0, names);
  napi_set_element(env, result, 1, count);
  napi_set_element(env, result, 2, done);
  return result;
bad:
  return bad(env, "list: invalid arguments");
}
