"""The workflow engine. It knows nothing of admission or discipline, nor of Flask."""
