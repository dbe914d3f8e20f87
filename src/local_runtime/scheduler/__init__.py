"""EventBridge Scheduler, locally: each planned rate schedule invokes its function."""
