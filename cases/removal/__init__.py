"""Removal from the rolls (xóa tên)."""
