{
  "targets": [
    {
      "target_name": "hash_batch",
      "sources": ["src/hash_batch.c", "src/list_tree.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
