"""Worker processes: the one pool the department's runs and the server share, and life inside a worker."""
