"""Engine fixtures (owned by the workflow engine work)."""
