"""A department's work: consolidating unit workbooks, the archive across years, reading on a Dask cluster."""
