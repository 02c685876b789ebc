"""Reading inputs: detect each file's kind by content, load it, never crash on it."""
