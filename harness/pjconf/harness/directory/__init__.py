"""``pjconf directory bench`` and the HTTP transport of driven sessions: a directory by URL."""
