"""The shells around the core: command line and web server (Excel's modules stay at the package's top)."""
