"""Exemption from party work and activity (miễn công tác và sinh hoạt đảng)."""
