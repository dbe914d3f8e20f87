"""The presence sweep: members whose heartbeats stopped, removed on a schedule."""
