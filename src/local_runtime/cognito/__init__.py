"""Cognito: the plan's user pools in moto, their local users, and checking their tokens."""
