#ifndef MODELSEAL_LIST_TREE_H
#define MODELSEAL_LIST_TREE_H
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>

/* names: `count` NUL-terminated relative paths (malloc'd, the caller frees); or why, and no names */
typedef struct ListResult {
  char *names;
  size_t len;
  uint32_t count;
  const char *why;
} ListResult;

/* ignore: NUL-terminated relative paths skipped with everything below them */
ListResult list_tree(const char *root, const char *ignore, size_t ignore_len);

napi_value list_napi(napi_env env, napi_callback_info info);

#endif
