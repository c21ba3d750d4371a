"""Transfer of party activity (chuyển sinh hoạt đảng)."""
