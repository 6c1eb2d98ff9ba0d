"""Real payjoin networks in Docker: payjoin-mailroom directories and relays, payjoin-cli parties."""
