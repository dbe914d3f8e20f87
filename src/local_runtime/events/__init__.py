"""EventBridge: the planned buses, rules and targets (``bus``), replays of the archive
(``replays``) and event patterns (``patterns``)."""
