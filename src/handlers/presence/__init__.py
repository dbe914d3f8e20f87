"""Presence: who is on a channel, as it changes (members, heartbeats, expiry, the sweep)."""
