"""Data: CSV preprocessing for the command line, and data sets read from local files."""
