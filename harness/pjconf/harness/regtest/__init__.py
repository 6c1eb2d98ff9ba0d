"""A regtest node for end-to-end payjoins on a real chain."""
