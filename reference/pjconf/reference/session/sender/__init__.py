"""The sender role of a payjoin v2 session: its typestates, events, replay and wire."""
