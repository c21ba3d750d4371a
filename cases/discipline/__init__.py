"""Discipline of party members (kỷ luật)."""
