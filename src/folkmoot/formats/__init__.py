"""Date and number formats where Django's own do not fit (FORMAT_MODULE_PATH)."""
