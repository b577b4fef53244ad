"""Exercise-specific analysis: repetition segmentation, per-rep metrics and faults."""
