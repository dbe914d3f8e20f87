"""Real-time channels: the AppSync Events publish/subscribe handler."""
