"""Admission of a new member (kết nạp đảng viên)."""
