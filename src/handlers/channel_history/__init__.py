"""GET <channel_history_url>/<namespace>/<segments...>: what a durable channel kept."""
