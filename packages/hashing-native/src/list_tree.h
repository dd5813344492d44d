#ifndef MODELSEAL_LIST_TREE_H
#define MODELSEAL_LIST_TREE_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* A walk in progress: the folders from the root to where it is, each read whole and sorted. */
typedef struct Lister Lister;

/* files found by one lister_next(): `count` NUL-terminated relative paths (malloc'd; the caller frees buf) */
typedef struct ListOut {
  char *buf;
  size_t len, cap;
  uint32_t count;
} ListOut;

/* ignore: NUL-terminated relative paths, skipped with everything below them (copied) */
Lister *lister_open(const char *root, const char *ignore, size_t ignore_len, const char **why);
int lister_next(Lister *w, uint32_t max, ListOut *out);
int lister_done(const Lister *w);
const char *lister_why(const Lister *w);
void lister_close(Lister *w);

napi_value list_open_napi(napi_env env, napi_callback_info info);
napi_value list_next_napi(napi_env env, napi_callback_info info);

#endif
