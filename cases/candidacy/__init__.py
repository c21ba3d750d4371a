"""Candidate training (bồi dưỡng nhận thức về Đảng) and annual admission plans."""
