"""One customer account layer for every vertical: users, roles, sessions, profile."""
