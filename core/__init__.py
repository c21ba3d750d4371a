"""Core domain objects shared by every case type: the org tree, people, users,
role assignments and the permission rule. Nothing here imports Flask."""
