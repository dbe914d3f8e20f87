"""The AppSync Event API: HTTP publish and the WebSocket protocol, auth, DIRECT handlers."""
