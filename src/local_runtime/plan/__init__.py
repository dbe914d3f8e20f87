"""The plan: ``terraform/`` planned on a rewritten copy (``terraform``, ``equivalents``) and read
into typed models of what runs (``platform`` and its readers, ``eventapi`` for the Event API)."""
