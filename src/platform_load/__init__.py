"""platform-load: fan-out load on the Event API; latency, loss, cost. Not in the zip."""
