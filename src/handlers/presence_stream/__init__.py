"""The presence table's stream -> announcements on ``/presence/<channel>``."""
