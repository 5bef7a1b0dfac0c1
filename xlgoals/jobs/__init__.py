"""Jobs over units: the pipeline, roll-up, consolidation, import, the archive and the cluster."""
